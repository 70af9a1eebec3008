/* options_json.c - settings as JSON, driven by the option table (see
 * options_json.h). */
#include "profile/options_json.h"

#include <stdlib.h>

#include "core/jfield.h"
#include "core/util.h"
#include "profile/links.h"

json_object *opt_config_json(const struct mb_config *cfg, unsigned scope_mask)
{
	json_object *o = json_object_new_object();
	for (size_t i = 0; i < mb_noptions; i++) {
		const struct mb_option *opt = &mb_options[i];
		struct optval v;
		json_object *j = NULL;
		if (!(scope_mask & (1u << opt->scope)))
			continue;
		v = opt_load(opt, cfg);
		switch (opt->type) {
		case OPT_BOOL: j = json_object_new_boolean(v.b); break;
		case OPT_INT: j = json_object_new_int64(v.i); break;
		case OPT_DURATION: j = jf_num((double)v.i / 1e9); break;
		case OPT_SIZE: j = json_object_new_int64((int64_t)v.u); break;
		case OPT_RATE:
		case OPT_FRACTION:
		case OPT_SIZE_FRAC: j = jf_num(v.d); break;
		case OPT_ENUM: j = json_object_new_string(opt->enums[v.e]); break;
		case OPT_STRING:
		case OPT_PATH: j = json_object_new_string(v.s ? v.s : ""); break;
		}
		json_object_object_add(o, opt->full, j);
	}
	return o;
}

/* With several links, the keys a link sets have one value per link: arrays
 * in the order of the link list. */
static void link_settings(const struct profile *p, const struct section *sec, json_object *set)
{
	const struct setting *l = profile_get(p, sec, opt_index(opt_find_full("link")));
	json_object **per;
	struct mb_config cfg;
	if (!l || l->nvals <= 1)
		return;
	per = mb_xcalloc(mb_noptions, sizeof(*per));
	profile_config(p, sec, &cfg);
	for (int k = 0; k < l->nvals; k++) {
		json_object *one;
		cfg.link = l->vals[k].s;
		profile_link_apply(p, &cfg);
		one = opt_config_json(&cfg, 1u << SCOPE_SCENARIO);
		for (size_t i = 0; i < mb_noptions; i++) {
			if (!link_key(&mb_options[i]))
				continue;
			if (!per[i])
				per[i] = json_object_new_array();
			json_object_array_add(per[i], json_object_get(json_object_object_get(one, mb_options[i].full)));
		}
		json_object_put(one);
	}
	for (size_t i = 0; i < mb_noptions; i++)
		if (per[i])
			json_object_object_add(set, mb_options[i].full, per[i]);
	free(per);
}

/* One experiment's scenario settings; a key with several values as an array. */
static json_object *experiment_settings(const struct profile *p, const struct section *sec)
{
	struct mb_config cfg;
	json_object *set;
	profile_config(p, sec, &cfg);
	set = opt_config_json(&cfg, 1u << SCOPE_SCENARIO);
	for (size_t i = 0; i < mb_noptions; i++) {
		const struct setting *st = profile_get(p, sec, (int)i);
		json_object *arr;
		if (!st || st->nvals <= 1)
			continue;
		arr = json_object_new_array();
		for (int k = 0; k < st->nvals; k++) {
			json_object *one;
			opt_store(&mb_options[i], &cfg, &st->vals[k]);
			one = opt_config_json(&cfg, 1u << SCOPE_SCENARIO);
			json_object_array_add(arr, json_object_get(json_object_object_get(one, mb_options[i].full)));
			json_object_put(one);
		}
		json_object_object_add(set, mb_options[i].full, arr);
	}
	link_settings(p, sec, set);
	return set;
}

json_object *opt_profile_json(const struct profile *p, const struct mb_config *run)
{
	json_object *o = json_object_new_object(), *exps = json_object_new_array();

	json_object_object_add(o, "path", json_object_new_string(p->path));
	json_object_object_add(o, "text", p->text ? json_object_new_string(p->text) : NULL);
	json_object_object_add(o, "run", opt_config_json(run, 1u << SCOPE_RUN));
	json_object_object_add(o, "lab", opt_config_json(run, 1u << SCOPE_LAB));
	json_object_object_add(o, "hosts", opt_config_json(run, 1u << SCOPE_HOSTS));
	for (int e = 0; e < (p->nexps ? p->nexps : 1); e++) {
		const struct section *sec = p->nexps ? p->exps[e] : NULL;
		json_object *x = json_object_new_object();
		json_object_object_add(x, "name", json_object_new_string(sec ? sec->name : "global"));
		json_object_object_add(x, "settings", experiment_settings(p, sec));
		json_object_array_add(exps, x);
	}
	json_object_object_add(o, "experiments", exps);
	return o;
}
