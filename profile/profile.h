/* profile.h - a profile file (INI, read with inih) as sections of typed
 * settings, each remembering the file and line it came from.
 *
 *   [global]       defaults for every experiment (+ run keys)
 *   [lab]          lab settings          [hosts]  real hosts instead of the lab
 *   [link.NAME]    a named link: delay, jitter, loss, rate... (profile/links.h)
 *   [anything]     an experiment: its settings override [global]
 *
 * A profile with no experiment section is one experiment: [global] itself.
 * Command-line overrides (--key=value) form one more layer on top.
 */
#ifndef MB_PROFILE_H
#define MB_PROFILE_H

#include <stdio.h>

#include "core/util.h"
#include "profile/options.h"
#include "profile/params.h" /* what profile_config() gives, per subsystem */

/* Limits that keep a hostile profile from costing more than seconds. */
#define PROFILE_MAX_BYTES (16u << 20) /* a larger file is refused unread */
#define PROFILE_MAX_SECTIONS 100000   /* experiment sections (each >= 1 scenario) */
#define PROFILE_MAX_ERRORS 100        /* messages kept; the rest are counted */

struct setting {
	int nvals;           /* 0 = not set in this section */
	struct optval *vals; /* nvals parsed values (a list key may have several) */
	char *text;          /* the value as written */
	const char *file;    /* where it was set, for messages */
	int line;            /* 0 for the command line */
};

struct section {
	char *name;
	int line;             /* line of the [name] header (0 if implicit) */
	enum opt_scope scope; /* SCOPE_SCENARIO for [global], experiments and links */
	bool is_link;         /* a [link.NAME] section (name is NAME) */
	struct setting *set;  /* mb_noptions entries, indexed like mb_options;
	                       * NULL until the section's first key */
};

struct profile {
	char *path;            /* as given */
	char *dir;             /* its directory: relative paths resolve here */
	char *text;            /* the text as parsed (recorded in run.json) */
	struct section global, lab, hosts;
	struct section cli;    /* command-line overrides */
	struct section **exps; /* experiment sections, in file order */
	int nexps;
	struct mb_strmap expmap; /* name -> experiment section */
	struct section **links; /* [link.NAME] sections, in file order */
	int nlinks;
	struct mb_strmap linkmap; /* NAME -> its [link.NAME] section */
	char **errors;         /* "file:line: message", in order */
	int nerrors;
	int nmore;             /* errors beyond PROFILE_MAX_ERRORS, only counted */
	bool checked;          /* profile_check has run */
	char **owned;          /* strings that optvals point into */
	int nowned;
};

/* Load and check a profile.  Returns MB_OK, or MB_EINPUT when the profile
 * has errors (then *out is still set and holds every error), or another
 * code when the file cannot be read (then *out is NULL). */
int profile_load(const char *path, struct profile **out) MB_WUR;
/* Same, from text in memory (name is used in messages). */
int profile_load_string(const char *name, const char *text, struct profile **out) MB_WUR;
/* An empty profile (only defaults), e.g. for "lab up" without a file. */
struct profile *profile_empty(void);

/* Apply a --key=value override (full key name).  MB_EINPUT with a message
 * (with a suggestion for an unknown key) on error. */
int profile_override(struct profile *p, const char *full, const char *value) MB_WUR;

/* Cross-key checks that must see the command line too ([hosts] complete
 * or absent); run once, after the last profile_override (cmd_load_profile
 * and plan_build call it).  Errors go to the profile; MB_EINPUT if any. */
int profile_check(struct profile *p) MB_WUR;

/* The effective setting of option i in experiment exp (NULL: [global]):
 * command line, then exp, then its own section ([global], [lab], [hosts]).
 * NULL when only the default applies. */
const struct setting *profile_get(const struct profile *p, const struct section *exp, int i);

/* Config of an experiment with, for list keys, the first value. */
void profile_config(const struct profile *p, const struct section *exp, struct mb_config *cfg);

/* Record an error at file:line (line 0: no line). */
void profile_error(struct profile *p, const char *file, int line, const char *fmt, ...)
	MB_PRINTF(4, 5);
void profile_print_errors(const struct profile *p, FILE *f);
void profile_free(struct profile *p);

/* Whether the profile drives real hosts ([hosts] source is set). */
bool profile_real_hosts(const struct profile *p);

#endif
