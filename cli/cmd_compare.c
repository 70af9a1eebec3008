/* cmd_compare.c - `migbench compare RUN_A RUN_B`: the cells the runs share,
 * each metric's difference with its 95% CI (report/compare.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/util.h"
#include "report/compare.h"

/* "a,b" values of a repeatable flag, split (free the array and *buf). */
static int split_all(const struct cli_args *a, const char *flag, char **buf, const char ***out)
{
	char **vals;
	int nv = cli_get_all(a, flag, &vals), n = 0;
	size_t len = 0;
	for (int i = 0; i < nv; i++)
		len += strlen(vals[i]) + 1;
	*buf = mb_xcalloc(len + 1, 1);
	*out = mb_xcalloc(len + 1, sizeof(**out));
	for (int i = 0; i < nv; i++) {
		strcat(*buf, vals[i]);
		strcat(*buf, ",");
	}
	for (char *tok = strtok(*buf, ","); tok; tok = strtok(NULL, ","))
		(*out)[n++] = tok;
	free(vals);
	return n;
}

int cmd_compare(int argc, char **argv)
{
	static const struct cli_flag flags[] = {
		{ "json", NULL, "print the comparison as JSON", false },
		{ "metric", "KEY[,KEY]", "record keys to compare (default: migration.total_s, "
					 "migration.transfer_s, migration.downtime_s, ratio.during)", true },
		{ "ignore", "KEY[,KEY]", "pair cells across these settings (e.g. max_downtime: does it matter?)",
		  true },
		{ "out", "DIR", "also draw DIR/plots/compare-<metric>.png", false },
		{ NULL, NULL, NULL, false },
	};
	struct cli_args a;
	struct cmp_opts o = { 0 };
	struct cmp_result r;
	char *mbuf = NULL, *ibuf = NULL;
	const char **metrics = NULL, **ignore = NULL;
	bool help;
	int rc = cli_parse(argc - 1, argv + 1, flags, false, &a, &help);
	if (rc)
		return rc;
	if (help || a.npos != 2) {
		cmd_usage("compare", flags, false, help ? stdout : stderr);
		if (help)
			printf("\nCells are paired by their settings (the records' config), not by id; the\n"
			       "repetitions of a cell are its sample.  A difference is significant (*)\n"
			       "when its 95%% confidence interval (Welch's t) excludes 0.\n");
		cli_free(&a);
		return help ? MB_OK : mb_err(MB_EINPUT, "compare: give two run directories");
	}
	if (cli_has(&a, "metric")) {
		o.nmetrics = split_all(&a, "metric", &mbuf, &metrics);
		o.metrics = metrics;
	}
	o.nignore = split_all(&a, "ignore", &ibuf, &ignore);
	o.ignore = ignore;
	if (cli_has(&a, "metric") && !o.nmetrics)
		rc = mb_err(MB_EINPUT, "compare --metric: no key given");
	if (!rc)
		rc = cmp_runs(a.pos[0], a.pos[1], &o, &r);
	if (!rc) {
		if (cli_has(&a, "json")) {
			json_object *j = cmp_json(&r);
			printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
									       JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(j);
		} else {
			char *t = cmp_text(&r);
			fputs(t, stdout);
			free(t);
		}
		fflush(stdout);
		if (cli_get(&a, "out"))
			rc = cmp_plot(&r, cli_get(&a, "out"));
		cmp_free(&r);
	}
	free(mbuf);
	free(ibuf);
	free(metrics);
	free(ignore);
	cli_free(&a);
	return rc;
}
