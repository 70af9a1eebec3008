/* proto.h - the sample protocol's line format, shared by the guest program
 * (which writes lines) and the controller (which checks them): the
 * checksum and the formatting of both line kinds.  See workloads/PROTOCOL.md.
 * Plain C with no dependencies, so the static guest program can use it. */
#ifndef MB_PROTO_H
#define MB_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define PROTO_MAGIC "@mb"
#define PROTO_VERSION 1
#define PROTO_MAX_LINE 256

/* FNV-1a, 32 bit, of n bytes. */
uint32_t proto_crc(const char *s, size_t n);

/* Format a sample / event line (with the trailing newline) into buf.
 * Returns its length, or 0 if it does not fit. */
size_t proto_sample(char *buf, size_t len, uint64_t seq, uint64_t t_ns, const char *wl,
		    uint64_t count, const char *unit);
size_t proto_event(char *buf, size_t len, uint64_t seq, uint64_t t_ns, const char *wl,
		   const char *event, const char *text);

#endif
