/* links.c - named links: the built-in presets, resolving `link = NAME` into
 * the link keys, and the checks of [link.NAME] sections (see links.h). */
#define _GNU_SOURCE
#include "profile/links.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/* The figures are representative of each class, not a measurement of one
 * path: name the source when you report a result on a preset.  Rates in MB/s
 * are decimal (1 MB = 10^6 bytes), as the study writes them. */
const struct link_preset link_presets[] = {
	/* name, delay, jitter, loss, rate, rate_up, rate_down, about, source */
	{ "study0", "0", NULL, NULL, "840.2MB/s", NULL, NULL,
	  "the originating study's 0 ms link",
	  "the study's Table 2: baseline throughput of its DUMMYNET link, plain sockets, RTT 0 ms" },
	{ "study4", "4ms", NULL, NULL, "609.61MB/s", NULL, NULL,
	  "the originating study's 4 ms link",
	  "the study's Table 2: DUMMYNET, plain sockets, RTT 4 ms" },
	{ "study16", "16ms", NULL, NULL, "151.79MB/s", NULL, NULL,
	  "the originating study's 16 ms link",
	  "the study's Table 2: DUMMYNET, plain sockets, RTT 16 ms" },
	{ "study64", "64ms", NULL, NULL, "104.29MB/s", NULL, NULL,
	  "the originating study's 64 ms link",
	  "the study's Table 2: DUMMYNET, plain sockets, RTT 64 ms" },
	{ "az", "1ms", NULL, NULL, NULL, NULL, NULL,
	  "two availability zones of one cloud region (no cap: such links carry 10-100 Gbit/s)",
	  "AWS Fault Isolation Boundaries whitepaper (AZs up to ~100 km apart, single-digit ms); "
	  "J. Hamilton, AWS re:Invent 2014 SPOT301 (AZs < 2 ms apart, usually < 1 ms)" },
	{ "uscoast", "70ms", NULL, NULL, "1Gbit", NULL, NULL,
	  "US coast to coast (New York - San Francisco) over a 1 Gbit/s circuit",
	  "fibre propagation (~1 ms RTT per 100 km) over the 4,130 km great circle gives >= 41 ms; "
	  "public backbone latency tables (Verizon IP latency statistics, WonderNetwork) show "
	  "60-75 ms; 1 Gbit/s: the smallest AWS Direct Connect dedicated port" },
	{ "atlantic", "75ms", NULL, NULL, "1Gbit", NULL, NULL,
	  "transatlantic (New York - London) over a 1 Gbit/s circuit",
	  "fibre propagation over the 5,570 km great circle gives >= 56 ms; Verizon's "
	  "transatlantic SLA is 90 ms and its measured monthly averages are ~70-76 ms" },
	{ "pacific", "110ms", NULL, NULL, "1Gbit", NULL, NULL,
	  "transpacific (US west coast - Tokyo) over a 1 Gbit/s circuit",
	  "fibre propagation over the 8,280 km great circle gives >= 83 ms; measured "
	  "San Francisco - Tokyo RTTs are ~100-120 ms (Verizon, WonderNetwork)" },
	{ "y1541c0", "200ms", "25ms", "0.1%", NULL, NULL, NULL,
	  "the worst path ITU-T Y.1541 QoS class 0 allows",
	  "ITU-T Y.1541 (12/2011) class 0 bounds: mean one-way delay 100 ms, delay variation 50 ms, "
	  "loss ratio 1e-3; as RTT 200 ms with +/- 25 ms per direction" },
	{ "dsl", "37ms", NULL, NULL, NULL, "0.82Mbit", "5.66Mbit",
	  "a home DSL line, guest migrated out of the home (up = source -> destination)",
	  "FCC Measuring Broadband America 2016 (fixed), Verizon DSL 3.1-7 Mbit/s tier medians: "
	  "5.66 Mbit/s down, 0.82 Mbit/s up, 37 ms, as Verizon's network-performance page quotes it" },
	{ .name = NULL },
};

static const char *const keys[] = { "delay", "jitter", "jitter_dist", "loss",
				    "rate",  "rate_up", "rate_down" };

const struct link_preset *link_preset_find(const char *name)
{
	for (const struct link_preset *l = link_presets; l->name; l++)
		if (!strcmp(l->name, name))
			return l;
	return NULL;
}

bool link_key(const struct mb_option *o)
{
	if (o->scope != SCOPE_SCENARIO)
		return false;
	for (size_t i = 0; i < MB_ARRAY_SIZE(keys); i++)
		if (!strcmp(o->name, keys[i]))
			return true;
	return false;
}

const char *link_keys_text(void)
{
	return "delay, jitter, jitter_dist, loss, rate, rate_up, rate_down";
}

static const char *preset_value(const struct link_preset *l, const char *key)
{
	const char *const vals[] = { l->delay, l->jitter, NULL, l->loss, l->rate, l->rate_up,
				     l->rate_down };
	for (size_t i = 0; i < MB_ARRAY_SIZE(keys); i++)
		if (!strcmp(keys[i], key))
			return vals[i];
	return NULL;
}

const struct section *profile_link_section(const struct profile *p, const char *name)
{
	return mb_strmap_get(&p->linkmap, name);
}

void profile_link_apply(const struct profile *p, struct mb_config *cfg)
{
	const struct section *sec;
	const struct link_preset *pre = NULL;
	if (!cfg->link || !cfg->link[0])
		return;
	sec = profile_link_section(p, cfg->link);
	if (!sec)
		pre = link_preset_find(cfg->link);
	if (!sec && !pre)
		return;
	for (size_t i = 0; i < mb_noptions; i++) {
		const struct mb_option *o = &mb_options[i];
		const char *text = NULL;
		struct optval v;
		if (!link_key(o))
			continue;
		if (sec && sec->set && sec->set[i].nvals) {
			opt_store(o, cfg, &sec->set[i].vals[0]);
			continue;
		}
		if (pre)
			text = preset_value(pre, o->name);
		/* Presets are parsed by the unit tests: a bad one is a bug. */
		if (opt_parse_value(o, text ? text : o->def, NULL, &v) != MB_OK) {
			fprintf(stderr, "migbench: bad value of link %s, key %s: %s\n", cfg->link,
				o->name, mb_errmsg());
			abort();
		}
		opt_store(o, cfg, &v);
	}
}

/* "file:line" of a setting, or "the command line". */
static char *where_text(const struct setting *s)
{
	if (s->line > 0)
		return mb_xasprintf("%s:%d", s->file, s->line);
	return mb_xasprintf("%s", s->file && strcmp(s->file, "command line") ? s->file
									    : "the command line");
}

/* profile_error, once per message (the same [global] line shows in every
 * experiment). */
static void error_once(struct profile *p, const char *file, int line, const char *msg)
{
	for (int i = 0; i < p->nerrors; i++)
		if (strstr(p->errors[i], msg))
			return;
	profile_error(p, file, line, "%s", msg);
}

static void check_names(struct profile *p, const struct setting *st)
{
	const char **cands;
	size_t n = 0;
	if (!st || !st->nvals)
		return;
	cands = mb_xcalloc((size_t)p->nlinks + 32, sizeof(*cands));
	for (int i = 0; i < p->nlinks; i++)
		cands[n++] = p->links[i]->name;
	for (const struct link_preset *l = link_presets; l->name && n < (size_t)p->nlinks + 31; l++)
		cands[n++] = l->name;
	for (int k = 0; k < st->nvals; k++) {
		const char *name = st->vals[k].s, *s;
		char *msg;
		if (profile_link_section(p, name) || link_preset_find(name))
			continue;
		s = mb_closest(name, cands, n);
		msg = mb_xasprintf("link '%s': no [link.%s] section in the profile and no built-in link "
				   "of that name%s%s%s (see 'migbench help links')",
				   name, name, s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
		error_once(p, st->file, st->line, msg);
		free(msg);
	}
	free(cands);
}

/* No explicit link key in the experiment exp (NULL: [global]) beside a link. */
static void check_precedence(struct profile *p, const struct section *exp)
{
	int li = opt_index(opt_find_full("link"));
	const struct setting *l = profile_get(p, exp, li);
	char *lw;
	if (!l)
		return;
	lw = where_text(l);
	for (size_t i = 0; i < mb_noptions; i++) {
		const struct setting *s;
		char *msg;
		if (!link_key(&mb_options[i]) || !(s = profile_get(p, exp, (int)i)))
			continue;
		msg = mb_xasprintf("%s cannot be set beside link (link = %s at %s): a named link sets "
				   "%s itself, and the scenario id names only the link; put the "
				   "value in a [link.NAME] section, or drop link",
				   mb_options[i].name, l->text, lw, link_keys_text());
		error_once(p, s->file, s->line, msg);
		free(msg);
	}
	free(lw);
}

void profile_link_check(struct profile *p)
{
	int li = opt_index(opt_find_full("link")), di = opt_index(opt_find_full("delay"));
	for (int i = 0; i < p->nlinks; i++) {
		const struct section *s = p->links[i];
		if (s->set && s->set[di].nvals)
			continue;
		profile_error(p, p->path, s->line,
			      "[link.%s] has no delay: a link needs its round-trip time%s (write delay = 0 "
			      "for a link without one)",
			      s->name,
			      s->set && (s->set[opt_index(opt_find_full("rate"))].nvals ||
					 s->set[opt_index(opt_find_full("rate_up"))].nvals ||
					 s->set[opt_index(opt_find_full("rate_down"))].nvals)
				      ? ", not only a rate"
				      : "");
	}
	if (p->cli.set)
		check_names(p, &p->cli.set[li]);
	if (p->global.set)
		check_names(p, &p->global.set[li]);
	for (int i = 0; i < p->nexps; i++)
		if (p->exps[i]->set)
			check_names(p, &p->exps[i]->set[li]);
	if (p->nexps == 0)
		check_precedence(p, NULL);
	for (int i = 0; i < p->nexps; i++)
		check_precedence(p, p->exps[i]);
}

void link_presets_print(FILE *f, bool markdown)
{
	if (markdown)
		fprintf(f, "#### Built-in links (`link = NAME`)\n\n"
			   "| name | delay (RTT) | jitter | loss | rate | stands for | source |\n"
			   "|---|---|---|---|---|---|---|\n");
	else
		fprintf(f, "Built-in links (link = NAME; a profile's [link.NAME] replaces one):\n\n");
	for (const struct link_preset *l = link_presets; l->name; l++) {
		char rate[96];
		if (l->rate_up || l->rate_down)
			snprintf(rate, sizeof(rate), "up %s, down %s", l->rate_up ? l->rate_up : "-",
				 l->rate_down ? l->rate_down : "-");
		else
			snprintf(rate, sizeof(rate), "%s", l->rate ? l->rate : "no cap");
		if (markdown)
			fprintf(f, "| `%s` | %s | %s | %s | %s | %s | %s |\n", l->name, l->delay,
				l->jitter ? l->jitter : "-", l->loss ? l->loss : "-", rate, l->about,
				l->source);
		else
			fprintf(f, "  %-9s delay %-6s jitter %-5s loss %-5s rate %s\n            %s.\n"
				   "            Source: %s.\n",
				l->name, l->delay, l->jitter ? l->jitter : "-", l->loss ? l->loss : "-",
				rate, l->about, l->source);
	}
	if (markdown)
		fprintf(f, "\n");
}
