/* links.h - named links: a link as one axis of a sweep.
 *
 * A named link bundles the link keys (delay, jitter, jitter_dist, loss,
 * rate, rate_up, rate_down).  It is defined in a profile section
 *
 *     [link.wan16]
 *     delay = 16ms
 *     rate = 151.79MB/s
 *
 * or taken from the built-in presets below, and swept with the scenario key
 * `link = wan16,study64,...`; its name replaces d<delay> in scenario ids.
 * A profile's own [link.NAME] replaces a preset of that name as a whole.
 *
 * Precedence: a named link and an explicit link key in the same experiment
 * (from any layer: command line, the experiment, [global]) is an error at
 * file:line, not an override.  The id carries only the link's name, so the
 * name has to mean exactly the values it was defined with; "study64 but at
 * 20 ms" would run under study64's id.  A variant is a new [link.NAME].
 */
#ifndef MB_LINKS_H
#define MB_LINKS_H

#include <stdbool.h>
#include <stdio.h>

#include "profile/profile.h"

/* A built-in link: values in profile syntax (NULL = the key's default). */
struct link_preset {
	const char *name;
	const char *delay, *jitter, *loss, *rate, *rate_up, *rate_down;
	const char *about;  /* what it stands for */
	const char *source; /* where the figures come from */
};

extern const struct link_preset link_presets[]; /* ends with { NULL } */

/* The preset called name, or NULL. */
const struct link_preset *link_preset_find(const char *name);

/* Whether o is one of the keys a named link sets. */
bool link_key(const struct mb_option *o);
/* The link keys as "delay, jitter, ..." (for messages). */
const char *link_keys_text(void);

/* The [link.NAME] section of the profile called name, or NULL. */
const struct section *profile_link_section(const struct profile *p, const char *name);

/* If cfg names a link, set its link keys from that link's definition (the
 * profile's section, else the preset; keys it does not give take their
 * defaults).  A name that resolves to nothing is left alone (profile_check
 * reports it). */
void profile_link_apply(const struct profile *p, struct mb_config *cfg);

/* The cross-key checks of named links, for profile_check: every `link`
 * value names a section or a preset; every [link.NAME] gives a delay; no
 * explicit link key beside a link. */
void profile_link_check(struct profile *p);

/* The presets as text (`migbench help links`) or a Markdown table. */
void link_presets_print(FILE *f, bool markdown);

#endif
