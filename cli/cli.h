/* cli.h - command-line parsing shared by every subcommand.
 *
 * A command declares its own flags; besides them it may accept any profile
 * key as --key=value (an override, the command line being a profile layer).
 * Unknown options get the closest name suggested.
 */
#ifndef MB_CLI_H
#define MB_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "core/err.h"

struct cli_flag {
	const char *name;    /* without the leading "--" */
	const char *arg;     /* name of its argument ("DIR"), NULL for a switch */
	const char *help;
	bool repeat;         /* may be given more than once (values accumulate) */
};

struct cli_value {
	const struct cli_flag *flag; /* NULL for a profile key override */
	const char *key;             /* the override's full key name */
	const char *val;             /* argument or NULL for a switch */
};

struct cli_args {
	char **pos;          /* positional arguments */
	int npos;
	struct cli_value *v; /* flags and overrides in command-line order */
	int nv;
};

/* Parse argv (after the command name).  accept_keys: --key=value for any
 * option-table key is an override.  "--" ends options.  -h/--help is
 * reported as MB_OK with *help = true. */
int cli_parse(int argc, char **argv, const struct cli_flag *flags, bool accept_keys,
	      struct cli_args *out, bool *help) MB_WUR;
/* The (last) value of a flag, or NULL. */
const char *cli_get(const struct cli_args *a, const char *name);
bool cli_has(const struct cli_args *a, const char *name);
/* Every value of a repeatable flag, in order (free the array, not the
 * strings); returns the count. */
int cli_get_all(const struct cli_args *a, const char *name, char ***vals);
void cli_free(struct cli_args *a);
void cli_print_flags(const struct cli_flag *flags, FILE *f);

#endif
