/* commands.h - the subcommands, one cli/cmd_<name>.c each (the command
 * line is the top layer: nothing below cli/ includes it); each returns an
 * MB_* code (main turns it into the exit code). */
#ifndef MB_COMMANDS_H
#define MB_COMMANDS_H

#include "cli/cli.h"
#include "profile/profile.h"

struct mb_command {
	const char *name;
	int (*fn)(int argc, char **argv); /* argv[0] is the command name */
	const char *args;                 /* synopsis after the name */
	const char *summary;
	bool hidden;                      /* internal: not listed in help */
};

extern const struct mb_command mb_commands[];

int cmd_check(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_lab(int argc, char **argv);
int cmd_link(int argc, char **argv);
int cmd_guest(int argc, char **argv);
int cmd_delayline(int argc, char **argv);
int cmd_storage(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* The top-level usage (command list, exit codes). */
void mb_usage(FILE *f);

/* "lab: unknown action 'upp', did you mean 'up'?" as MB_EINPUT. */
int cmd_bad_verb(const char *cmd, const char *verb, const char *const *verbs, size_t n);

/* Shared by commands: print a command's usage with its flags. */
void cmd_usage(const char *name, const struct cli_flag *flags, bool keys, FILE *f);

/* Load a profile (or the defaults when path is NULL), apply the --key=value
 * overrides in args, and print every error.  MB_EINPUT if any. */
int cmd_load_profile(const char *path, const struct cli_args *args, struct profile **out) MB_WUR;

#endif
