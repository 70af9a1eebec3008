/* dl_proto.h - the delay line's control protocol, defined once for both
 * ends: the link backend (link/delayline.c, the client) and the
 * `migbench delayline` process (link/dl_daemon.c).
 *
 * One request and one reply per connection on the unix socket
 * STATEDIR/ctl.sock, each a JSON object on one line (at most DL_MSG_MAX
 * bytes), each carrying "version": DL_PROTO_VERSION:
 *
 *   {"version":1,"cmd":"ping"}                          -> {"version":1,"ok":true}
 *   {"version":1,"cmd":"quit"}                          -> {"version":1,"ok":true}
 *   {"version":1,"cmd":"set","settings":{SETTINGS}}     -> {"version":1,"ok":true}
 *   {"version":1,"cmd":"stats"}    -> {"version":1,"ok":true,"stats":{STATS}}
 *   any failure                    -> {"version":1,"ok":false,"error":"why"}
 *
 *   SETTINGS = "delay_ns", "jitter_ns" (integers, ns), "jitter_dist"
 *              (integer, enum jitter_dist), "loss" (number, 0..1), "rate"
 *              (number, bytes/s a->b, 0 = no cap), "rate_ba" (optional:
 *              bytes/s b->a; absent = rate), "queue_bytes" (integer, 0 =
 *              from the bandwidth-delay product)
 *   STATS    = "settings": {SETTINGS} in effect, "limit_bytes" (the queue
 *              limit in effect), "packets", "bytes", "drops_queue",
 *              "drops_loss" (integers), "late_avg_us" (number),
 *              "late_hist" (array of DL_LATE_BUCKETS integers)
 *
 * Readers check every field's presence, type and range and the version;
 * a malformed message is MB_EINPUT with a message naming the field, never
 * undefined behaviour.  Unknown keys are ignored (a newer version adds
 * keys; a change of meaning bumps the version).
 */
#ifndef MB_DL_PROTO_H
#define MB_DL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "link/link.h"

#define DL_PROTO_VERSION 1
#define DL_MSG_MAX 65536
#define DL_LATE_BUCKETS 8

/* Ranges a setting may have (the profile's option ranges). */
#define DL_DELAY_MAX_NS (10LL * 1000000000LL)
#define DL_JITTER_MAX_NS (1LL * 1000000000LL)
#define DL_RATE_MAX 1e12
#define DL_QUEUE_MAX (16ULL << 30)

enum dl_cmd { DL_CMD_PING, DL_CMD_QUIT, DL_CMD_SET, DL_CMD_STATS };

struct dl_request {
	enum dl_cmd cmd;
	struct link_params set; /* DL_CMD_SET: the new settings */
};

/* What the delay line applies and has counted (both directions summed). */
struct dl_stats {
	struct link_params p; /* settings in effect (p.queue as set: 0 = from the BDP) */
	uint64_t limit;       /* queue bytes per direction in effect */
	uint64_t packets, bytes, drops_queue, drops_loss;
	double late_avg_us;   /* mean release lateness */
	uint64_t late_hist[DL_LATE_BUCKETS]; /* <50us <100us <250us <500us <1ms <2ms <5ms >=5ms */
};

struct dl_reply {
	bool ok;
	char *error;          /* !ok: the delay line's reason (malloc'd by from_json) */
	bool has_stats;       /* the answer to DL_CMD_STATS */
	struct dl_stats stats;
};

/* Encoders: the message as one line ending in '\n' (malloc'd). */
char *dl_request_to_json(const struct dl_request *r);
char *dl_reply_to_json(const struct dl_reply *r);
/* Decoders of one message of len bytes (no NUL needed); MB_EINPUT with the
 * reason when malformed (out is then zeroed). */
int dl_request_from_json(const char *text, size_t len, struct dl_request *out) MB_WUR;
int dl_reply_from_json(const char *text, size_t len, struct dl_reply *out) MB_WUR;
void dl_reply_free(struct dl_reply *r);
/* Whether settings are within the ranges above (MB_EINPUT naming the field). */
int dl_settings_check(const struct link_params *p) MB_WUR;

/* Framing on a stream socket: send one message; receive one line (without
 * its '\n', NUL-terminated, malloc'd) within timeout_ms.  MB_EFAILED on a
 * timeout, a closed connection or a message over DL_MSG_MAX. */
int dl_send(int fd, const char *msg) MB_WUR;
int dl_recv(int fd, int timeout_ms, char **msg, size_t *len) MB_WUR;

/* The files in a link's state directory (malloc'd paths). */
char *dl_ctl_path(const char *statedir);
char *dl_pid_path(const char *statedir);
char *dl_log_path(const char *statedir);

#endif
