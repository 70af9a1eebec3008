/* cmd_plan.c - `migbench check` and `migbench plan`, and the checks of a
 * profile and command line that every command shares. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli/commands.h"
#include "core/log.h"
#include "core/util.h"
#include "plan/plan.h"
#include "profile/links.h"
#include "profile/options_json.h"
#include "record/record.h"

int cmd_load_profile(const char *path, const struct cli_args *args, struct profile **out)
{
	struct profile *p = NULL;
	int rc;

	if (path) {
		rc = profile_load(path, &p);
		if (!p)
			return rc;
	} else {
		p = profile_empty();
		rc = MB_OK;
	}
	for (int i = 0; args && i < args->nv; i++) {
		if (args->v[i].flag)
			continue;
		if (profile_override(p, args->v[i].key, args->v[i].val) != MB_OK) {
			profile_free(p);
			return MB_EINPUT;
		}
	}
	/* [hosts] complete, now that the command line is in; its errors are
	 * among p->errors. */
	if (profile_check(p) != MB_OK || p->nerrors) {
		profile_print_errors(p, stderr);
		rc = mb_err(MB_EINPUT, "%s: %d error%s", p->path, p->nerrors,
			    p->nerrors == 1 ? "" : "s");
	}
	*out = p;
	return rc;
}

int cmd_check(int argc, char **argv)
{
	static const struct cli_flag flags[] = {
		{ "quiet", NULL, "print nothing for profiles without errors", false },
		{ NULL, NULL, NULL, false },
	};
	struct cli_args a;
	bool help;
	int rc = cli_parse(argc - 1, argv + 1, flags, true, &a, &help), bad = 0;

	if (rc)
		return rc;
	if (help || a.npos == 0) {
		cmd_usage("check", flags, true, help ? stdout : stderr);
		cli_free(&a);
		return help ? MB_OK : mb_err(MB_EINPUT, "check: no profile given");
	}
	for (int i = 0; i < a.npos; i++) {
		struct profile *p = NULL;
		struct plan pl;
		rc = cmd_load_profile(a.pos[i], &a, &p);
		if (!p) {
			mb_error("%s", mb_errmsg());
			bad++;
			continue;
		}
		if (rc == MB_OK) {
			rc = plan_build(p, &pl);
			if (rc)
				profile_print_errors(p, stderr);
			else if (!cli_has(&a, "quiet"))
				printf("%s: ok, %d scenario%s\n", a.pos[i], pl.n, pl.n == 1 ? "" : "s");
			plan_free(&pl);
		}
		if (rc)
			bad++;
		profile_free(p);
	}
	{
		int total = a.npos;
		cli_free(&a);
		if (bad)
			return mb_err(MB_EINPUT, "%d of %d profile%s with errors", bad, total,
				      total == 1 ? "" : "s");
	}
	return MB_OK;
}

/* "delay=16ms workload=seqread" for the keys that vary in the scenario's section. */
static void describe(const struct scenario *s, FILE *f)
{
	bool first = true;
	for (size_t i = 0; i < mb_noptions; i++) {
		const struct mb_option *o = &mb_options[i];
		char v[64], d[64];
		struct optval val, def;
		bool shown = (o->flags & OPT_ID_ALWAYS) || plan_varies(s, (int)i);
		val = opt_load(o, &s->cfg);
		/* A named link: its name and the values it stands for. */
		if (s->cfg.link[0] && (!strcmp(o->full, "link") || link_key(o))) {
			opt_format(o, &val, v, sizeof(v));
			if (opt_parse_value(o, o->def, NULL, &def) == MB_OK)
				opt_format(o, &def, d, sizeof(d));
			else
				d[0] = '\0';
			shown = !strcmp(o->full, "link") || !strcmp(o->name, "delay") || strcmp(v, d);
		}
		if (!shown)
			continue;
		if (!strcmp(o->name, "repeat")) {
			snprintf(v, sizeof(v), "%d/%lld", s->rep, (long long)val.i);
		} else {
			opt_format(o, &val, v, sizeof(v));
		}
		fprintf(f, "%s%s=%s", first ? "" : " ", o->name, v);
		first = false;
	}
}

int cmd_plan(int argc, char **argv)
{
	static const struct cli_flag flags[] = {
		{ "shard", "I/N", "only shard I of N (1-based; SLURM_ARRAY_* are read when absent)",
		  false },
		{ "only", "ID", "only this scenario (repeatable)", true },
		{ "json", NULL, "print a JSON array instead of text", false },
		{ NULL, NULL, NULL, false },
	};
	struct cli_args a;
	struct profile *p = NULL;
	struct plan pl = { 0 };
	char **only = NULL;
	int nonly = 0, sidx, scount;
	bool help;
	int rc = cli_parse(argc - 1, argv + 1, flags, true, &a, &help);

	if (rc)
		return rc;
	if (help || a.npos != 1) {
		cmd_usage("plan", flags, true, help ? stdout : stderr);
		cli_free(&a);
		return help ? MB_OK : mb_err(MB_EINPUT, "plan: give exactly one profile");
	}
	rc = cmd_load_profile(a.pos[0], &a, &p);
	if (rc)
		goto out;
	rc = plan_build(p, &pl);
	if (rc) {
		profile_print_errors(p, stderr);
		goto out;
	}
	rc = plan_parse_shard(cli_get(&a, "shard"), &sidx, &scount);
	if (!rc)
		rc = plan_shard(&pl, sidx, scount);
	nonly = cli_get_all(&a, "only", &only);
	if (!rc)
		rc = plan_only(&pl, only, nonly);
	if (rc)
		goto out;
	if (cli_has(&a, "json")) {
		/* One scenario at a time: 100,000 of them as one json-c tree took
		 * over a gigabyte. */
		printf("[");
		for (int i = 0; i < pl.n; i++) {
			json_object *o = json_object_new_object();
			json_object_object_add(o, "id", json_object_new_string(pl.sc[i].id));
			json_object_object_add(o, "index", json_object_new_int(pl.sc[i].index));
			json_object_object_add(o, "experiment",
					       json_object_new_string(pl.sc[i].exp ? pl.sc[i].exp->name
										   : "global"));
			json_object_object_add(o, "repetition", json_object_new_int(pl.sc[i].rep));
			json_object_object_add(o, "config",
					       opt_config_json(&pl.sc[i].cfg, 1u << SCOPE_SCENARIO));
			const char *t = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
									      JSON_C_TO_STRING_NOSLASHESCAPE);
			/* Indented one level, as inside the array. */
			printf("%s\n  ", i ? "," : "");
			for (; *t; t++) {
				if (*t == '\n')
					fputs("\n  ", stdout);
				else
					putchar(*t);
			}
			json_object_put(o);
		}
		printf("\n]\n");
	} else {
		printf("# %s: %d scenario%s", p->path, pl.n, pl.n == 1 ? "" : "s");
		if (scount)
			printf(" (shard %d/%d of %d)", sidx, scount, pl.ntotal);
		if (pl.run.order == ORDER_RANDOM)
			printf(", order random, seed %llu", (unsigned long long)pl.seed);
		printf("\n");
		for (int i = 0; i < pl.n; i++) {
			printf("%3d  %-36s ", pl.sc[i].index + 1, pl.sc[i].id);
			describe(&pl.sc[i], stdout);
			printf("\n");
		}
	}
out:
	free(only);
	plan_free(&pl);
	profile_free(p);
	cli_free(&a);
	return rc;
}
