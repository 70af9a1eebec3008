/* main.c - the migbench command: dispatch to subcommands, help, exit codes. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/log.h"
#include "core/util.h"

int main(int argc, char **argv)
{
	const char *names[32];
	size_t n = 0;
	int i = 1, rc;

	/* A closed pipe (migbench plan | head) is not an error worth a signal. */
	signal(SIGPIPE, SIG_IGN);
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v"))
			mb_verbosity = MB_LOG_DEBUG;
		else if (!strcmp(argv[i], "-q"))
			mb_verbosity = MB_LOG_ERROR;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			mb_usage(stdout);
			return MB_EXIT_OK;
		} else if (!strcmp(argv[i], "--version")) {
			return mb_exit_code(cmd_version(0, NULL));
		} else {
			mb_error("unknown option %s (try 'migbench help')", argv[i]);
			return MB_EXIT_INPUT;
		}
	}
	if (i >= argc) {
		mb_usage(stderr);
		return MB_EXIT_INPUT;
	}
	for (const struct mb_command *c = mb_commands; c->name; c++) {
		if (!strcmp(c->name, argv[i])) {
			mb_err_clear();
			rc = c->fn(argc - i, argv + i);
			if (rc != MB_OK)
				mb_error("%s", mb_errmsg());
			return mb_exit_code(rc);
		}
		if (!c->hidden)
			names[n++] = c->name;
	}
	{
		const char *s = mb_closest(argv[i], names, n);
		mb_error("unknown command '%s'%s%s%s (try 'migbench help')", argv[i],
			 s ? ", did you mean '" : "", s ? s : "", s ? "'?" : "");
	}
	return MB_EXIT_INPUT;
}
