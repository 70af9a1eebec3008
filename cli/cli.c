/* cli.c - flags, profile-key overrides and suggestions for subcommands. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "profile/options.h"

static const struct cli_flag *find_flag(const struct cli_flag *flags, const char *name, size_t len)
{
	for (const struct cli_flag *f = flags; f && f->name; f++)
		if (strlen(f->name) == len && !strncmp(f->name, name, len))
			return f;
	return NULL;
}

static void push(struct cli_args *a, const struct cli_flag *f, const char *key, const char *val)
{
	a->v = mb_xrealloc(a->v, (size_t)(a->nv + 1) * sizeof(*a->v));
	a->v[a->nv++] = (struct cli_value){ .flag = f, .key = key, .val = val };
}

static int unknown(const char *arg, const struct cli_flag *flags, bool accept_keys)
{
	const char *cands[256];
	size_t n = 0;
	const char *s;
	char name[128];
	size_t len = strcspn(arg + 2, "=");
	snprintf(name, sizeof(name), "%.*s", (int)(len < 120 ? len : 120), arg + 2);
	for (const struct cli_flag *f = flags; f && f->name && n < MB_ARRAY_SIZE(cands); f++)
		cands[n++] = f->name;
	if (accept_keys)
		for (size_t i = 0; i < mb_noptions && n < MB_ARRAY_SIZE(cands); i++)
			cands[n++] = mb_options[i].full;
	s = mb_closest(name, cands, n);
	return mb_err(MB_EINPUT, "unknown option --%s%s%s%s", name, s ? ", did you mean --" : "",
		      s ? s : "", s ? "?" : "");
}

/* The value of --name=VALUE (eq points at '=') or of --name VALUE (the next
 * argument, which *i then skips); false when there is none. */
static bool take_value(const char *eq, int argc, char **argv, int *i, const char **val)
{
	if (eq)
		*val = eq + 1;
	else if (*i + 1 < argc)
		*val = argv[++*i];
	else
		return false;
	return true;
}

int cli_parse(int argc, char **argv, const struct cli_flag *flags, bool accept_keys,
	      struct cli_args *out, bool *help)
{
	bool opts_done = false;
	memset(out, 0, sizeof(*out));
	*help = false;
	for (int i = 0; i < argc; i++) {
		char *arg = argv[i];
		const struct cli_flag *f;
		const char *eq;
		size_t len;

		if (opts_done || arg[0] != '-' || !arg[1]) {
			out->pos = mb_xrealloc(out->pos, (size_t)(out->npos + 1) * sizeof(*out->pos));
			out->pos[out->npos++] = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			opts_done = true;
			continue;
		}
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			*help = true;
			return MB_OK;
		}
		if (arg[1] != '-') {
			cli_free(out);
			return mb_err(MB_EINPUT, "unknown option %s (options are spelt --name)", arg);
		}
		eq = strchr(arg + 2, '=');
		len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
		f = find_flag(flags, arg + 2, len);
		if (f) {
			const char *val = NULL;
			if (f->arg) {
				if (!take_value(eq, argc, argv, &i, &val)) {
					cli_free(out);
					return mb_err(MB_EINPUT, "--%s needs an argument (%s)", f->name,
						      f->arg);
				}
			} else if (eq) {
				cli_free(out);
				return mb_err(MB_EINPUT, "--%s takes no argument", f->name);
			}
			if (!f->repeat)
				for (int k = 0; k < out->nv; k++)
					if (out->v[k].flag == f) {
						cli_free(out);
						return mb_err(MB_EINPUT, "--%s given twice", f->name);
					}
			push(out, f, NULL, val);
			continue;
		}
		if (accept_keys) {
			char *key = mb_xstrndup(arg + 2, len);
			const struct mb_option *o = opt_find_full(key);
			free(key);
			if (o) {
				const char *val;
				if (!take_value(eq, argc, argv, &i, &val)) {
					cli_free(out);
					return mb_err(MB_EINPUT, "--%s needs a value", o->full);
				}
				push(out, NULL, o->full, val);
				continue;
			}
		}
		{
			int rc = unknown(arg, flags, accept_keys);
			cli_free(out);
			return rc;
		}
	}
	return MB_OK;
}

const char *cli_get(const struct cli_args *a, const char *name)
{
	const char *v = NULL;
	for (int i = 0; i < a->nv; i++)
		if (a->v[i].flag && !strcmp(a->v[i].flag->name, name))
			v = a->v[i].val;
	return v;
}

bool cli_has(const struct cli_args *a, const char *name)
{
	for (int i = 0; i < a->nv; i++)
		if (a->v[i].flag && !strcmp(a->v[i].flag->name, name))
			return true;
	return false;
}

int cli_get_all(const struct cli_args *a, const char *name, char ***vals)
{
	int n = 0;
	*vals = NULL;
	for (int i = 0; i < a->nv; i++) {
		if (a->v[i].flag && !strcmp(a->v[i].flag->name, name)) {
			*vals = mb_xrealloc(*vals, (size_t)(n + 1) * sizeof(**vals));
			(*vals)[n++] = (char *)a->v[i].val;
		}
	}
	return n;
}

void cli_free(struct cli_args *a)
{
	free(a->pos);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

void cli_print_flags(const struct cli_flag *flags, FILE *f)
{
	for (const struct cli_flag *fl = flags; fl && fl->name; fl++) {
		char head[64];
		snprintf(head, sizeof(head), "--%s%s%s", fl->name, fl->arg ? " " : "",
			 fl->arg ? fl->arg : "");
		fprintf(f, "  %-26s %s\n", head, fl->help);
	}
}
