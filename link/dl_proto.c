/* dl_proto.c - the delay line's control messages as JSON (see dl_proto.h):
 * one encoder and one checking decoder per message, the line framing, and
 * the state directory's file names.  Both ends link this file. */
#define _GNU_SOURCE
#include "link/dl_proto.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <json-c/json.h>

#include "core/util.h"

static const char *const cmd_names[] = { [DL_CMD_PING] = "ping", [DL_CMD_QUIT] = "quit",
					 [DL_CMD_SET] = "set", [DL_CMD_STATS] = "stats" };

/* ---- encoding ------------------------------------------------------------ */

static json_object *settings_json(const struct link_params *p)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "delay_ns", json_object_new_int64(p->delay_ns));
	json_object_object_add(o, "jitter_ns", json_object_new_int64(p->jitter_ns));
	json_object_object_add(o, "jitter_dist", json_object_new_int(p->jitter_dist));
	json_object_object_add(o, "loss", json_object_new_double(p->loss));
	json_object_object_add(o, "rate", json_object_new_double(p->rate));
	json_object_object_add(o, "rate_ba", json_object_new_double(p->rate_ba));
	json_object_object_add(o, "queue_bytes", json_object_new_uint64(p->queue));
	return o;
}

static json_object *stats_json(const struct dl_stats *s)
{
	json_object *o = json_object_new_object(), *h = json_object_new_array();
	json_object_object_add(o, "settings", settings_json(&s->p));
	json_object_object_add(o, "limit_bytes", json_object_new_uint64(s->limit));
	json_object_object_add(o, "packets", json_object_new_uint64(s->packets));
	json_object_object_add(o, "bytes", json_object_new_uint64(s->bytes));
	json_object_object_add(o, "drops_queue", json_object_new_uint64(s->drops_queue));
	json_object_object_add(o, "drops_loss", json_object_new_uint64(s->drops_loss));
	json_object_object_add(o, "late_avg_us", json_object_new_double(isfinite(s->late_avg_us) ? s->late_avg_us : 0));
	for (int i = 0; i < DL_LATE_BUCKETS; i++)
		json_object_array_add(h, json_object_new_uint64(s->late_hist[i]));
	json_object_object_add(o, "late_hist", h);
	return o;
}

/* The object as one line (and drop it). */
static char *line_of(json_object *o)
{
	char *s = mb_xasprintf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

char *dl_request_to_json(const struct dl_request *r)
{
	json_object *o = json_object_new_object();
	assert(r->cmd >= DL_CMD_PING && r->cmd <= DL_CMD_STATS);
	json_object_object_add(o, "version", json_object_new_int(DL_PROTO_VERSION));
	json_object_object_add(o, "cmd", json_object_new_string(cmd_names[r->cmd]));
	if (r->cmd == DL_CMD_SET)
		json_object_object_add(o, "settings", settings_json(&r->set));
	return line_of(o);
}

char *dl_reply_to_json(const struct dl_reply *r)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "version", json_object_new_int(DL_PROTO_VERSION));
	json_object_object_add(o, "ok", json_object_new_boolean(r->ok));
	if (!r->ok)
		json_object_object_add(o, "error", json_object_new_string(r->error ? r->error : "failed"));
	if (r->ok && r->has_stats)
		json_object_object_add(o, "stats", stats_json(&r->stats));
	return line_of(o);
}

/* ---- checked decoding ---------------------------------------------------- */

#define BAD(...) mb_err(MB_EINPUT, "delay line control message: " __VA_ARGS__)

static int field(json_object *o, const char *where, const char *key, json_type t, const char *tname,
		 json_object **v)
{
	if (!json_object_object_get_ex(o, key, v))
		return BAD("%s%s is missing", where, key);
	if (!json_object_is_type(*v, t))
		return BAD("%s%s must be %s, not %s", where, key, tname,
			   json_type_to_name(json_object_get_type(*v)));
	return MB_OK;
}

static int get_i64(json_object *o, const char *where, const char *key, int64_t max, int64_t *out)
{
	json_object *v;
	int rc = field(o, where, key, json_type_int, "an integer", &v);
	if (rc)
		return rc;
	*out = json_object_get_int64(v);
	if (*out < 0 || *out > max)
		return BAD("%s%s = %s is out of range (0..%lld)", where, key, json_object_to_json_string(v),
			   (long long)max);
	return MB_OK;
}

static int get_u64(json_object *o, const char *where, const char *key, uint64_t max, uint64_t *out)
{
	json_object *v;
	int rc = field(o, where, key, json_type_int, "an integer", &v);
	if (rc)
		return rc;
	if (json_object_get_int64(v) < 0)
		return BAD("%s%s = %s must not be negative", where, key, json_object_to_json_string(v));
	*out = json_object_get_uint64(v);
	if (*out > max)
		return BAD("%s%s = %s is out of range (0..%llu)", where, key, json_object_to_json_string(v),
			   (unsigned long long)max);
	return MB_OK;
}

/* A number (integer or not), finite, in [0, max]. */
static int get_num(json_object *o, const char *where, const char *key, double max, double *out)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v))
		return BAD("%s%s is missing", where, key);
	if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
		return BAD("%s%s must be a number, not %s", where, key,
			   json_type_to_name(json_object_get_type(v)));
	*out = json_object_get_double(v);
	if (!isfinite(*out) || *out < 0 || *out > max)
		return BAD("%s%s = %s is out of range (0..%g)", where, key, json_object_to_json_string(v), max);
	return MB_OK;
}

static int settings_from(json_object *o, const char *where, struct link_params *p)
{
	int64_t dist = 0;
	int rc = get_i64(o, where, "delay_ns", DL_DELAY_MAX_NS, &p->delay_ns);
	if (!rc)
		rc = get_i64(o, where, "jitter_ns", DL_JITTER_MAX_NS, &p->jitter_ns);
	if (!rc)
		rc = get_i64(o, where, "jitter_dist", JITTER_DIST_LAST - 1, &dist);
	p->jitter_dist = (int)dist;
	if (!rc)
		rc = get_num(o, where, "loss", 1, &p->loss);
	if (!rc)
		rc = get_num(o, where, "rate", DL_RATE_MAX, &p->rate);
	/* Added within version 1: a peer without it has one rate both ways. */
	p->rate_ba = p->rate;
	if (!rc && json_object_object_get_ex(o, "rate_ba", NULL))
		rc = get_num(o, where, "rate_ba", DL_RATE_MAX, &p->rate_ba);
	if (!rc)
		rc = get_u64(o, where, "queue_bytes", DL_QUEUE_MAX, &p->queue);
	return rc;
}

static int stats_from(json_object *o, struct dl_stats *s)
{
	static const char w[] = "stats.";
	json_object *v, *h;
	int rc = field(o, w, "settings", json_type_object, "an object", &v);
	if (!rc)
		rc = settings_from(v, "stats.settings.", &s->p);
	if (!rc)
		rc = get_u64(o, w, "limit_bytes", UINT64_MAX, &s->limit);
	if (!rc)
		rc = get_u64(o, w, "packets", UINT64_MAX, &s->packets);
	if (!rc)
		rc = get_u64(o, w, "bytes", UINT64_MAX, &s->bytes);
	if (!rc)
		rc = get_u64(o, w, "drops_queue", UINT64_MAX, &s->drops_queue);
	if (!rc)
		rc = get_u64(o, w, "drops_loss", UINT64_MAX, &s->drops_loss);
	if (!rc)
		rc = get_num(o, w, "late_avg_us", INFINITY, &s->late_avg_us);
	if (!rc)
		rc = field(o, w, "late_hist", json_type_array, "an array", &h);
	if (!rc && json_object_array_length(h) != DL_LATE_BUCKETS)
		rc = BAD("stats.late_hist has %zu entries, not %d", json_object_array_length(h), DL_LATE_BUCKETS);
	for (int i = 0; !rc && i < DL_LATE_BUCKETS; i++) {
		json_object *e = json_object_array_get_idx(h, (size_t)i);
		if (!json_object_is_type(e, json_type_int) || json_object_get_int64(e) < 0)
			rc = BAD("stats.late_hist[%d] must be a non-negative integer", i);
		else
			s->late_hist[i] = json_object_get_uint64(e);
	}
	return rc;
}

/* Parse exactly one JSON object (trailing white space allowed) of our
 * protocol version. */
static int parse(const char *text, size_t len, json_object **out)
{
	json_tokener *tok = json_tokener_new_ex(8);
	json_object *o = NULL, *v;
	enum json_tokener_error e;
	size_t end;
	int rc = MB_OK;
	*out = NULL;
	if (len > DL_MSG_MAX) {
		json_tokener_free(tok);
		return BAD("%zu bytes, more than the %d allowed", len, DL_MSG_MAX);
	}
	o = json_tokener_parse_ex(tok, text, (int)len);
	e = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!o || e != json_tokener_success)
		rc = e == json_tokener_continue || !len ? BAD("incomplete JSON")
							: BAD("not JSON (%s)", json_tokener_error_desc(e));
	while (!rc && end < len && text[end] && strchr(" \t\r\n", text[end]))
		end++;
	if (!rc && end < len)
		rc = BAD("unexpected data after the JSON object");
	if (!rc && !json_object_is_type(o, json_type_object))
		rc = BAD("not a JSON object");
	if (!rc)
		rc = field(o, "", "version", json_type_int, "an integer", &v);
	if (!rc && json_object_get_int64(v) != DL_PROTO_VERSION)
		rc = BAD("protocol version %s, this migbench speaks %d (a delay line of another "
			 "migbench version? 'migbench lab down' and 'lab up' restart it)",
			 json_object_to_json_string(v), DL_PROTO_VERSION);
	if (rc)
		json_object_put(o);
	else
		*out = o;
	return rc;
}

int dl_request_from_json(const char *text, size_t len, struct dl_request *out)
{
	json_object *o, *v;
	int rc = parse(text, len, &o);
	memset(out, 0, sizeof(*out));
	if (rc)
		return rc;
	rc = field(o, "", "cmd", json_type_string, "a string", &v);
	if (!rc) {
		size_t i = 0;
		while (i < MB_ARRAY_SIZE(cmd_names) && strcmp(cmd_names[i], json_object_get_string(v)))
			i++;
		if (i == MB_ARRAY_SIZE(cmd_names))
			rc = BAD("unknown cmd %s (ping, quit, set, stats)", json_object_to_json_string(v));
		out->cmd = (enum dl_cmd)i;
	}
	if (!rc && out->cmd == DL_CMD_SET) {
		rc = field(o, "", "settings", json_type_object, "an object", &v);
		if (!rc)
			rc = settings_from(v, "settings.", &out->set);
	}
	json_object_put(o);
	if (rc)
		memset(out, 0, sizeof(*out));
	return rc;
}

int dl_reply_from_json(const char *text, size_t len, struct dl_reply *out)
{
	json_object *o, *v;
	int rc = parse(text, len, &o);
	memset(out, 0, sizeof(*out));
	if (rc)
		return rc;
	rc = field(o, "", "ok", json_type_boolean, "true or false", &v);
	if (!rc)
		out->ok = json_object_get_boolean(v);
	if (!rc && !out->ok) {
		rc = field(o, "", "error", json_type_string, "a string", &v);
		if (!rc)
			out->error = mb_xstrdup(json_object_get_string(v));
	}
	if (!rc && out->ok && json_object_object_get_ex(o, "stats", &v)) {
		if (!json_object_is_type(v, json_type_object))
			rc = BAD("stats must be an object");
		else
			rc = stats_from(v, &out->stats);
		out->has_stats = !rc;
	}
	json_object_put(o);
	if (rc)
		dl_reply_free(out);
	return rc;
}

void dl_reply_free(struct dl_reply *r)
{
	free(r->error);
	memset(r, 0, sizeof(*r));
}

int dl_settings_check(const struct link_params *p)
{
	json_object *o = settings_json(p);
	struct link_params back;
	int rc = settings_from(o, "settings.", &back);
	json_object_put(o);
	return rc;
}

/* ---- framing ------------------------------------------------------------- */

int dl_send(int fd, const char *msg)
{
	size_t len = strlen(msg), off = 0;
	while (off < len) {
		ssize_t n = send(fd, msg + off, len - off, MSG_NOSIGNAL); /* a gone peer is an error, not SIGPIPE */
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return mb_err_errno(MB_EFAILED, "sending a delay line control message");
		off += (size_t)n;
	}
	return MB_OK;
}

int dl_recv(int fd, int timeout_ms, char **msg, size_t *len)
{
	size_t cap = 512, got = 0;
	char *buf = mb_xmalloc(cap), *nl = NULL;
	int64_t deadline = mb_mono_ns() + (int64_t)timeout_ms * 1000000;
	int rc = MB_OK;
	*msg = NULL;
	*len = 0;
	while (!nl && !rc) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left_ms = (deadline - mb_mono_ns()) / 1000000;
		ssize_t n;
		if (got > DL_MSG_MAX) {
			rc = mb_err(MB_EFAILED, "delay line control message longer than %d bytes", DL_MSG_MAX);
			break;
		}
		if (got + 1 >= cap) {
			cap *= 2;
			buf = mb_xrealloc(buf, cap);
		}
		if (left_ms <= 0 || poll(&p, 1, (int)left_ms) <= 0) {
			rc = mb_err(MB_EFAILED, "no delay line control message within %d ms", timeout_ms);
			break;
		}
		n = read(fd, buf + got, cap - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!got)
				rc = mb_err(MB_EFAILED, "the connection closed without a message");
			break; /* a last message without '\n' */
		}
		nl = memchr(buf + got, '\n', (size_t)n);
		got += (size_t)n;
	}
	if (rc) {
		free(buf);
		return rc;
	}
	*len = nl ? (size_t)(nl - buf) : got;
	buf[*len] = '\0';
	*msg = buf;
	return MB_OK;
}

/* ---- the state directory ----------------------------------------------------- */

char *dl_ctl_path(const char *statedir)
{
	return mb_xasprintf("%s/ctl.sock", statedir);
}

char *dl_pid_path(const char *statedir)
{
	return mb_xasprintf("%s/delayline.pid", statedir);
}

char *dl_log_path(const char *statedir)
{
	return mb_xasprintf("%s/delayline.log", statedir);
}
