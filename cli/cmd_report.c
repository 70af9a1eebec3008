/* cmd_report.c - `migbench report RUNDIR...`. */
#include <stdio.h>

#include "cli/commands.h"
#include "report/report.h"

int cmd_report(int argc, char **argv)
{
	static const struct cli_flag flags[] = {
		{ "out", "DIR", "write the report here (default: the run directory; merged runs: "
				"results/merged-<time>)", false },
		{ "no-plots", NULL, "only summary.csv and index.html", false },
		{ NULL, NULL, NULL, false },
	};
	struct cli_args a;
	bool help;
	int rc = cli_parse(argc - 1, argv + 1, flags, false, &a, &help);
	if (rc)
		return rc;
	if (help || a.npos == 0) {
		cmd_usage("report", flags, false, help ? stdout : stderr);
		if (help)
			printf("\nSeveral run directories (e.g. the shards of one plan) are merged; a\n"
			       "scenario id found in more than one of them is reported.\n");
		cli_free(&a);
		return help ? MB_OK : mb_err(MB_EINPUT, "report: give at least one run directory");
	}
	rc = report_runs((const char *const *)a.pos, a.npos, cli_get(&a, "out"), cli_has(&a, "no-plots"));
	cli_free(&a);
	return rc;
}
