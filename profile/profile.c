/* profile.c - reading profiles with inih into sections of typed settings.
 *
 * inih does the INI syntax; we feed it one line at a time through our own
 * reader so that every handler call knows its line number (Debian's inih is
 * built without INI_HANDLER_LINENO), and so that section headers without
 * keys (an experiment that only uses [global]) are seen too.  The reader
 * also ends lines at LF, CRLF or a lone CR, and never hands inih part of a
 * line: a line longer than MAX_LINE is an error at file:line, and inih's
 * buffer is made big enough for every line that is not.
 */
#define _GNU_SOURCE
#include "profile/profile.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "core/util.h"
#include "profile/links.h"
#include "profile/values.h"

#define MAX_LINE 16384

struct reader {
	struct profile *p;
	const char *file;
	const char *buf; /* whole file */
	size_t len, pos;
	int line;        /* line of the text last handed to inih */
	struct section *cur;
	char *cur_name;  /* inih's name of the section being read */
	bool stop;       /* too many sections: hand inih no more lines */
};

/* Room for one more element in an array grown by doubling: n is the count
 * before the append, the capacity is implied (8, 16, 32, ...). */
static void *grow(void *arr, int n, size_t elem)
{
	if (n == 0 || (n >= 8 && !(n & (n - 1))))
		arr = mb_xrealloc(arr, (size_t)(n ? 2 * n : 8) * elem);
	return arr;
}

static char *own(struct profile *p, char *s)
{
	p->owned = grow(p->owned, p->nowned, sizeof(*p->owned));
	p->owned[p->nowned++] = s;
	return s;
}

void profile_error(struct profile *p, const char *file, int line, const char *fmt, ...)
{
	char *msg;
	va_list ap;
	/* A file of a million bad lines must not take a million messages. */
	if (p->nerrors >= PROFILE_MAX_ERRORS) {
		p->nmore++;
		return;
	}
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0) {
		fprintf(stderr, "migbench: out of memory\n");
		abort();
	}
	va_end(ap);
	p->errors = grow(p->errors, p->nerrors, sizeof(*p->errors));
	if (line > 0)
		p->errors[p->nerrors++] = mb_xasprintf("%s:%d: %s", file, line, msg);
	else
		p->errors[p->nerrors++] = mb_xasprintf("%s: %s", file, msg);
	free(msg);
}

static void section_init(struct section *s, const char *name, int line, enum opt_scope scope)
{
	s->name = mb_xstrdup(name);
	s->line = line;
	s->scope = scope;
	s->set = NULL;
}

/* The settings of a section, allocated with its first key (most of 100,000
 * sections would otherwise hold mb_noptions empty settings each). */
static struct setting *section_set(struct section *s)
{
	if (!s->set)
		s->set = mb_xcalloc(mb_noptions, sizeof(*s->set));
	return s->set;
}

static void section_free(struct section *s)
{
	for (size_t i = 0; s->set && i < mb_noptions; i++) {
		free(s->set[i].vals);
		free(s->set[i].text);
	}
	free(s->set);
	free(s->name);
}

static struct profile *profile_new(const char *path)
{
	struct profile *p = mb_xcalloc(1, sizeof(*p));
	char *d = mb_xstrdup(path);
	p->path = mb_xstrdup(path);
	p->dir = mb_xstrdup(dirname(d));
	free(d);
	section_init(&p->global, "global", 0, SCOPE_SCENARIO);
	section_init(&p->lab, "lab", 0, SCOPE_LAB);
	section_init(&p->hosts, "hosts", 0, SCOPE_HOSTS);
	section_init(&p->cli, "command line", 0, SCOPE_SCENARIO);
	return p;
}

struct profile *profile_empty(void)
{
	return profile_new("(defaults)");
}

void profile_free(struct profile *p)
{
	if (!p)
		return;
	section_free(&p->global);
	section_free(&p->lab);
	section_free(&p->hosts);
	section_free(&p->cli);
	for (int i = 0; i < p->nexps; i++) {
		section_free(p->exps[i]);
		free(p->exps[i]);
	}
	free(p->exps);
	mb_strmap_free(&p->expmap);
	for (int i = 0; i < p->nlinks; i++) {
		section_free(p->links[i]);
		free(p->links[i]);
	}
	free(p->links);
	mb_strmap_free(&p->linkmap);
	for (int i = 0; i < p->nerrors; i++)
		free(p->errors[i]);
	free(p->errors);
	for (int i = 0; i < p->nowned; i++)
		free(p->owned[i]);
	free(p->owned);
	free(p->path);
	free(p->dir);
	free(p->text);
	free(p);
}

void profile_print_errors(const struct profile *p, FILE *f)
{
	for (int i = 0; i < p->nerrors; i++)
		fprintf(f, "%s\n", p->errors[i]);
	if (p->nmore)
		fprintf(f, "%s: ... and %d more error%s\n", p->path, p->nmore, p->nmore == 1 ? "" : "s");
}

bool profile_real_hosts(const struct profile *p)
{
	const struct setting *s = profile_get(p, NULL, opt_index(opt_find_full("hosts.source")));
	return s && s->vals[0].s && s->vals[0].s[0];
}

static bool optval_eq(const struct mb_option *o, const struct optval *a, const struct optval *b)
{
	switch (o->type) {
	case OPT_BOOL: return a->b == b->b;
	case OPT_INT:
	case OPT_DURATION: return a->i == b->i;
	case OPT_SIZE: return a->u == b->u;
	case OPT_RATE:
	case OPT_FRACTION:
	case OPT_SIZE_FRAC: return a->d == b->d;
	case OPT_ENUM: return a->e == b->e;
	default: return a->s && b->s ? !strcmp(a->s, b->s) : a->s == b->s; /* NULL: a value refused */
	}
}

/* Parse value text for option o into setting st.  Errors go to the profile
 * (with file:line).  Returns MB_OK or MB_EINPUT. */
static int parse_setting(struct profile *p, const struct mb_option *o, const char *value,
			 const char *file, int line, struct setting *st)
{
	char *copy, *elems[256];
	const char *bare = NULL;
	int n = 0, rc = MB_OK;
	struct optval *vals;

	copy = own(p, mb_xstrdup(value));
	if (o->flags & OPT_LIST) {
		if (!*mb_trim(copy)) {
			profile_error(p, file, line, "%s: empty value", o->full);
			return MB_EINPUT;
		}
		/* Split on commas; keep empty elements to report them. */
		for (char *s = copy;; ) {
			char *c = strchr(s, ',');
			if (n == (int)MB_ARRAY_SIZE(elems)) {
				profile_error(p, file, line, "%s: more than %zu values in the list",
					      o->full, MB_ARRAY_SIZE(elems));
				return MB_EINPUT;
			}
			if (c)
				*c = '\0';
			elems[n++] = mb_trim(s);
			if (!c)
				break;
			s = c + 1;
		}
		for (int i = 0; i < n; i++) {
			if (!*elems[i]) {
				profile_error(p, file, line, "%s: empty element in the list '%s'",
					      o->full, value);
				return MB_EINPUT;
			}
		}
		/* "0,4,16,64ms": bare numbers take the unit of the last element. */
		if (n > 1 && (o->type == OPT_DURATION || o->type == OPT_SIZE || o->type == OPT_RATE))
			bare = unit_suffix(elems[n - 1]);
	} else {
		elems[n++] = o->type == OPT_STRING || o->type == OPT_PATH ? copy : mb_trim(copy);
		if ((o->type != OPT_STRING && o->type != OPT_PATH) && strchr(copy, ',')) {
			profile_error(p, file, line, "%s takes a single value, not a list ('%s')",
				      o->full, value);
			return MB_EINPUT;
		}
	}

	vals = mb_xcalloc((size_t)n, sizeof(*vals));
	for (int i = 0; i < n; i++) {
		if (opt_parse_value(o, elems[i], bare, &vals[i]) != MB_OK ||
		    (o->type == OPT_STRING && value_check(o, vals[i].s) != MB_OK)) {
			profile_error(p, file, line, "%s", mb_errmsg());
			rc = MB_EINPUT;
			continue;
		}
		if (o->type == OPT_PATH && vals[i].s[0] && vals[i].s[0] != '/' && strcmp(p->dir, "."))
			vals[i].s = own(p, mb_xasprintf("%s/%s", p->dir, vals[i].s));
		if (o->type == OPT_PATH && strlen(vals[i].s) >= PATH_MAX) {
			profile_error(p, file, line, "%s: the path is longer than %d characters",
				      o->full, PATH_MAX - 1);
			rc = MB_EINPUT;
			continue;
		}
		for (int j = 0; j < i; j++) {
			if (optval_eq(o, &vals[i], &vals[j])) {
				profile_error(p, file, line, "%s: '%s' appears twice in the list",
					      o->full, elems[i]);
				rc = MB_EINPUT;
			}
		}
	}
	if (rc) {
		free(vals);
		return rc;
	}
	free(st->vals);
	free(st->text);
	st->vals = vals;
	st->nvals = n;
	st->text = mb_xstrdup(value);
	st->file = file;
	st->line = line;
	return MB_OK;
}

static const char *scope_section(enum opt_scope s)
{
	switch (s) {
	case SCOPE_LAB: return "[lab]";
	case SCOPE_HOSTS: return "[hosts]";
	default: return "[global]";
	}
}

static void unknown_key(struct profile *p, const char *file, int line, const struct section *sec,
			const char *name)
{
	const struct mb_option *other = NULL;
	const char *sugg, *retired = opt_retired(name);
	if (retired) {
		profile_error(p, file, line, "%s", retired);
		return;
	}
	for (int s = SCOPE_SCENARIO; s <= SCOPE_HOSTS && !other; s++)
		if ((enum opt_scope)s != sec->scope)
			other = opt_find((enum opt_scope)s, name);
	if (other) {
		profile_error(p, file, line, "'%s' does not belong in [%s]: it is a %s key", name,
			      sec->name, scope_section(other->scope));
		return;
	}
	sugg = opt_suggest(sec->scope, name);
	if (sugg)
		profile_error(p, file, line, "unknown key '%s' in [%s], did you mean '%s'?", name,
			      sec->name, sugg);
	else
		profile_error(p, file, line, "unknown key '%s' in [%s] (see 'migbench help keys')",
			      name, sec->name);
}

/* The [link.NAME] section (name is NAME), made on first sight. */
static struct section *enter_link(struct reader *r, const char *name, int line)
{
	struct profile *p = r->p;
	struct section *s = mb_strmap_get(&p->linkmap, name);
	if (s)
		return s;
	if (!name[0])
		profile_error(p, r->file, line, "a link section needs a name: [link.NAME]");
	else if (!mb_safe_name(name) || strlen(name) > 40)
		profile_error(p, r->file, line,
			      "link name [link.%s]: use 1-40 letters, digits, '.', '_' or '-' after "
			      "'link.' (it becomes part of scenario ids and file names)",
			      name);
	s = mb_xcalloc(1, sizeof(*s));
	section_init(s, name, line, SCOPE_SCENARIO);
	s->is_link = true;
	p->links = grow(p->links, p->nlinks, sizeof(*p->links));
	p->links[p->nlinks++] = s;
	(void)mb_strmap_put(&p->linkmap, s->name, s);
	return s;
}

static struct section *enter_section(struct reader *r, const char *name, int line)
{
	struct profile *p = r->p;
	struct section *s;
	if (!strncmp(name, "link.", 5))
		return enter_link(r, name + 5, line);
	if (!strcmp(name, "link"))
		return enter_link(r, "", line);
	if (!strcmp(name, "global") || !name[0])
		return &p->global;
	if (!strcmp(name, "lab"))
		return &p->lab;
	if (!strcmp(name, "hosts"))
		return &p->hosts;
	s = mb_strmap_get(&p->expmap, name);
	if (s)
		return s;
	if (!mb_safe_name(name) || strlen(name) > 40)
		profile_error(p, r->file, line,
			      "section name [%s]: use 1-40 letters, digits, '.', '_' or '-' "
			      "(it becomes part of scenario ids and file names)",
			      name);
	if (p->nexps == PROFILE_MAX_SECTIONS) {
		/* Every section is at least one scenario: more cannot be planned. */
		profile_error(p, r->file, line,
			      "more than %d experiment sections (a plan holds at most %d "
			      "scenarios): split the profile; reading stopped here",
			      PROFILE_MAX_SECTIONS, PROFILE_MAX_SECTIONS);
		r->stop = true;
		return &p->global;
	}
	s = mb_xcalloc(1, sizeof(*s));
	section_init(s, name, line, SCOPE_SCENARIO);
	p->exps = grow(p->exps, p->nexps, sizeof(*p->exps));
	p->exps[p->nexps++] = s;
	(void)mb_strmap_put(&p->expmap, s->name, s);
	return s;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct reader *r = user;
	struct profile *p = r->p;
	struct section *sec;
	const struct mb_option *o;
	struct setting *st;

	if (!r->cur || !r->cur_name || strcmp(r->cur_name, section)) {
		free(r->cur_name);
		r->cur_name = mb_xstrdup(section);
		r->cur = enter_section(r, section, r->line);
	}
	sec = r->cur;
	o = opt_find(sec->scope, name);
	if (sec->is_link && (!o || !link_key(o))) {
		const char *sugg = NULL;
		const char *cands[16];
		size_t n = 0;
		for (size_t i = 0; i < mb_noptions && n < MB_ARRAY_SIZE(cands); i++)
			if (link_key(&mb_options[i]))
				cands[n++] = mb_options[i].name;
		if (!o)
			sugg = mb_closest(name, cands, n);
		profile_error(p, r->file, r->line,
			      "'%s' is not a link key: [link.%s] takes %s%s%s%s", name, sec->name,
			      link_keys_text(), sugg ? " (did you mean '" : "", sugg ? sugg : "",
			      sugg ? "'?)" : "");
		return 1;
	}
	if (!o) {
		unknown_key(p, r->file, r->line, sec, name);
		return 1;
	}
	if (o->scope == SCOPE_RUN && sec != &p->global) {
		profile_error(p, r->file, r->line,
			      "'%s' applies to the whole run: set it in [global], not [%s]", name,
			      sec->name);
		return 1;
	}
	st = &section_set(sec)[opt_index(o)];
	if (st->nvals) {
		profile_error(p, r->file, r->line, "'%s' is set twice in [%s%s] (first at line %d)",
			      name, sec->is_link ? "link." : "", sec->name, st->line);
		return 1;
	}
	if (parse_setting(p, o, value, r->file, r->line, st) == MB_OK && sec->is_link && st->nvals > 1) {
		profile_error(p, r->file, r->line,
			      "%s: a link has one value per key, not a list: define one [link.NAME] "
			      "per value and sweep them with link = NAME,NAME",
			      name);
		st->nvals = 1;
	}
	return 1; /* keep going: report every error */
}

/* The next line of the text: [*start, *end) without its terminator (LF,
 * CRLF or a lone CR); advances r->pos past the terminator. */
static void next_line(struct reader *r, size_t *start, size_t *end)
{
	size_t e = r->pos;
	while (e < r->len && r->buf[e] != '\n' && r->buf[e] != '\r')
		e++;
	*start = r->pos;
	*end = e;
	if (e < r->len && r->buf[e] == '\r')
		e++;
	if (e < r->len && r->buf[e] == '\n')
		e++; /* LF, or the LF of CRLF */
	r->pos = e;
}

/* A section header: "[name]" (inih checks the syntax). */
static void note_section(struct reader *r, const char *s, const char *end)
{
	const char *e;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s == end || *s != '[')
		return;
	e = memchr(s, ']', (size_t)(end - s));
	if (!e)
		return;
	free(r->cur_name);
	r->cur_name = mb_xstrndup(s + 1, (size_t)(e - s - 1));
	r->cur = enter_section(r, r->cur_name, r->line);
	if (r->stop)
		return;
	if (r->cur->line && r->cur->line != r->line)
		profile_error(r->p, r->file, r->line, "section [%s] appears twice (first at line %d)",
			      r->cur_name, r->cur->line);
	else
		r->cur->line = r->line;
}

/* Hand inih one whole line at a time, ending in "\n", counting lines and
 * noting section headers.  A line that would not fit inih's buffer is
 * refused (and replaced by an empty line), never cut into pieces. */
static char *reader_fn(char *str, int num, void *stream)
{
	struct reader *r = stream;
	size_t start, end, n;

	if (r->pos >= r->len || r->stop)
		return NULL;
	next_line(r, &start, &end);
	n = end - start;
	r->line++;
	if (n > MAX_LINE || n + 2 > (size_t)num) {
		profile_error(r->p, r->file, r->line, "line longer than %d characters",
			      n > MAX_LINE ? MAX_LINE : num - 2);
		snprintf(str, (size_t)num, "\n");
		return str;
	}
	note_section(r, r->buf + start, r->buf + end);
	if (r->stop)
		return NULL;
	memcpy(str, r->buf + start, n);
	str[n] = '\n';
	str[n + 1] = '\0';
	return str;
}

int profile_check(struct profile *p)
{
	static const char *const need[] = { "hosts.dest", "hosts.migrate_host",
					    "hosts.iscsi_portal", "hosts.iscsi_iqn" };
	const struct setting *src = profile_get(p, NULL, opt_index(opt_find_full("hosts.source")));
	if (p->checked)
		return p->nerrors ? MB_EINPUT : MB_OK;
	p->checked = true;
	profile_link_check(p);
	if (src && src->vals[0].s[0]) {
		for (size_t i = 0; i < MB_ARRAY_SIZE(need); i++) {
			const struct setting *s = profile_get(p, NULL, opt_index(opt_find_full(need[i])));
			if (!s || !s->vals[0].s[0])
				profile_error(p, src->file, src->line,
					      "[hosts] source is set, so %s must be set too", need[i]);
		}
	} else {
		/* Without a source the run uses the lab: a [hosts] value would be
		 * ignored without a word. */
		for (size_t i = 0; i < mb_noptions; i++) {
			const struct setting *s = profile_get(p, NULL, (int)i);
			if (mb_options[i].scope == SCOPE_HOSTS && s) {
				profile_error(p, s->file, s->line,
					      "%s is set but hosts.source is not: set the source too, or "
					      "remove [hosts] to use the lab",
					      mb_options[i].full);
				break;
			}
		}
	}
	return p->nerrors ? MB_EINPUT : MB_OK;
}

static void check_lab(struct profile *p)
{
	const struct setting *d = profile_get(p, NULL, opt_index(opt_find_full("lab.dir")));
	const struct setting *s = profile_get(p, NULL, opt_index(opt_find_full("lab.name")));
	if (d && (strlen(d->vals[0].s) > 200 || d->vals[0].s[0] != '/'))
		profile_error(p, d->file, d->line, "lab.dir must be an absolute path of at most 200 characters");
	if (s) {
		const char *n = s->vals[0].s;
		bool ok = *n && strlen(n) <= 6;
		for (const char *c = n; *c; c++)
			if (!isalnum((unsigned char)*c))
				ok = false;
		if (!ok)
			profile_error(p, s->file, s->line,
				      "lab.name '%s': use 1-6 letters or digits (it prefixes "
				      "interface and namespace names)",
				      n);
	}
}

static int load(struct profile *p, const char *name, const char *text, size_t len)
{
	struct reader r = { .p = p, .file = p->path, .buf = text, .len = len };
	const char *nul = memchr(text, '\0', len);
	int res;

	(void)name;
	if (len > PROFILE_MAX_BYTES) {
		/* From a file this is caught before reading; from run.json here. */
		profile_error(p, p->path, 0, "larger than %u bytes: refused", PROFILE_MAX_BYTES);
		return MB_EINPUT;
	}
	p->text = mb_xstrndup(text, len);
	if (nul) {
		int line = 1;
		for (const char *c = text; c < nul; c++)
			line += *c == '\n';
		profile_error(p, p->path, line, "contains a NUL byte: not a text profile");
		return MB_EINPUT;
	}
	/* Debian's inih takes its build options as variables.  Its heap buffer
	 * starts at ini_initial_alloc bytes: make that hold every line we pass
	 * (MAX_LINE + "\n" + NUL), so inih never asks for a line in parts. */
	ini_use_stack = false;
	ini_allow_realloc = false;
	ini_max_line = MAX_LINE + 3;
	ini_initial_alloc = MAX_LINE + 3;
	ini_allow_multiline = false;
	ini_allow_inline_comments = true;
	ini_inline_comment_prefixes = (char *)";#";
	ini_stop_on_first_error = false;
	res = ini_parse_stream(reader_fn, &r, handler, &r);
	free(r.cur_name);
	if (res > 0) {
		/* inih reports only the first syntax error's line. */
		profile_error(p, p->path, res,
			      "syntax error: expected [section], key = value or a comment");
	} else if (res < 0) {
		profile_error(p, p->path, 0, "cannot parse (inih error %d)", res);
	}
	check_lab(p);
	return p->nerrors ? MB_EINPUT : MB_OK;
}

int profile_load_string(const char *name, const char *text, struct profile **out)
{
	struct profile *p = profile_new(name);
	*out = p;
	return load(p, name, text, strlen(text));
}

int profile_load(const char *path, struct profile **out)
{
	char *buf;
	size_t len;
	struct profile *p;
	int rc;

	*out = NULL;
	rc = mb_read_file_max(path, PROFILE_MAX_BYTES, &buf, &len);
	if (rc)
		return rc;
	p = profile_new(path);
	rc = load(p, path, buf, len);
	free(buf);
	*out = p;
	return rc;
}

int profile_override(struct profile *p, const char *full, const char *value)
{
	const struct mb_option *o = opt_find_full(full);
	char **file_errors = p->errors;
	int nfile = p->nerrors, nmore = p->nmore, rc = MB_OK;
	if (!o && opt_retired(full))
		return mb_err(MB_EINPUT, "--%s: %s", full, opt_retired(full));
	if (!o) {
		const char *cands[128];
		size_t n = 0;
		const char *s;
		for (size_t i = 0; i < mb_noptions && n < MB_ARRAY_SIZE(cands); i++)
			cands[n++] = mb_options[i].full;
		s = mb_closest(full, cands, n);
		return mb_err(MB_EINPUT, "unknown option --%s%s%s%s", full, s ? ", did you mean --" : "",
			      s ? s : "", s ? "?" : "");
	}
	/* Collect this value's errors apart from the file's: the first one
	 * becomes the message ("command line: " is dropped: the key says it). */
	p->errors = NULL;
	p->nerrors = p->nmore = 0;
	p->checked = false;
	if (parse_setting(p, o, value, "command line", 0, &section_set(&p->cli)[opt_index(o)]) != MB_OK)
		rc = mb_err(MB_EINPUT, "--%s=%s: %s", full, value,
			    p->errors[0] + strlen("command line: "));
	else if (!strcmp(full, "lab.name") || !strcmp(full, "lab.dir")) {
		check_lab(p);
		for (int i = 0; i < p->nerrors && !rc; i++)
			if (mb_str_starts(p->errors[i], "command line: "))
				rc = mb_err(MB_EINPUT, "--%s", p->errors[i] + strlen("command line: "));
	}
	for (int i = 0; i < p->nerrors; i++)
		free(p->errors[i]);
	free(p->errors);
	p->errors = file_errors;
	p->nerrors = nfile;
	p->nmore = nmore;
	return rc;
}

const struct setting *profile_get(const struct profile *p, const struct section *exp, int i)
{
	const struct mb_option *o = &mb_options[i];
	const struct section *sec;
	if (p->cli.set && p->cli.set[i].nvals)
		return &p->cli.set[i];
	switch (o->scope) {
	case SCOPE_LAB: sec = &p->lab; break;
	case SCOPE_HOSTS: sec = &p->hosts; break;
	case SCOPE_RUN: sec = &p->global; break;
	default:
		if (exp && exp->set && exp->set[i].nvals)
			return &exp->set[i];
		sec = &p->global;
		break;
	}
	return sec->set && sec->set[i].nvals ? &sec->set[i] : NULL;
}

void profile_config(const struct profile *p, const struct section *exp, struct mb_config *cfg)
{
	opt_defaults(cfg);
	for (size_t i = 0; i < mb_noptions; i++) {
		const struct setting *s = profile_get(p, exp, (int)i);
		if (s)
			opt_store(&mb_options[i], cfg, &s->vals[0]);
	}
	profile_link_apply(p, cfg);
}
