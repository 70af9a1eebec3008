/* options_json.h - the option table as JSON: the effective settings of a
 * config (the record's "config" echo) and a profile's settings per
 * experiment (run.json's "profile").  Beside the option table because the
 * table is what they print. */
#ifndef MB_OPTIONS_JSON_H
#define MB_OPTIONS_JSON_H

#include <json-c/json.h>

#include "profile/options.h"
#include "profile/profile.h"

/* Effective settings of a config as JSON, in base units; keys of the given
 * scope(s) only (mask of 1 << enum opt_scope). */
json_object *opt_config_json(const struct mb_config *cfg, unsigned scope_mask);
/* A profile as run.json records it: path, text, the run/lab/hosts settings
 * of run, and each experiment's settings (list keys as arrays). */
json_object *opt_profile_json(const struct profile *p, const struct mb_config *run);

#endif
