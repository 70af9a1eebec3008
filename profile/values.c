/* values.c - syntax checks of the string values that name hosts, URIs,
 * iSCSI targets and interfaces (see values.h). */
#include "profile/values.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "link/link.h"

/* A host name label character (underscore too: some sites use it). */
static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '.' || c == '_';
}

/* host[:port]; a bare IPv6 address (colons without brackets) is refused
 * since its last group would read as a port. */
static int check_addr(const struct mb_option *o, const char *v, const char *what)
{
	const char *colon = strrchr(v, ':'), *host_end = v + strlen(v);
	const char *rb = v[0] == '[' ? strchr(v, ']') : NULL;
	if (strlen(v) > MB_ADDR_MAX)
		return mb_err(MB_EINPUT, "%s: longer than %d characters", o->full, MB_ADDR_MAX);
	if (colon && v[0] != '[' && strchr(v, ':') != colon)
		return mb_err(MB_EINPUT, "%s '%s': write an IPv6 address in brackets, e.g. [fd00::1]:3260",
			      o->full, v);
	if (colon && (v[0] != '[' || (rb && colon > rb))) {
		long long port;
		if (mb_parse_ll(colon + 1, 1, 65535, &port))
			return mb_err(MB_EINPUT, "%s '%s': the port must be a number 1..65535", o->full, v);
		host_end = colon;
	}
	if (!mb_valid_host_n(v, (size_t)(host_end - v)))
		return mb_err(MB_EINPUT,
			      "%s '%s': expected %s (a host name, IPv4 address or [IPv6] address of "
			      "at most %d characters, not starting with '-')",
			      o->full, v, what, MB_HOST_MAX);
	return MB_OK;
}

/* libvirt remote transports we accept; "ext" runs a local command. */
static const char *const transports[] = { "", "+ssh", "+tls", "+tcp", "+unix", "+libssh",
					  "+libssh2", NULL };

static int bad_uri(const struct mb_option *o, const char *v, const char *why)
{
	return mb_err(MB_EINPUT,
		      "%s '%s': %s (expected a libvirt URI such as qemu+ssh://user@host/system)",
		      o->full, v, why);
}

/* [user@]host[:port] of a URI (may be empty: the local host). */
static int check_authority(const struct mb_option *o, const char *v, const char *s, size_t n)
{
	const char *at = memchr(s, '@', n), *h = s, *end = s + n, *colon, *rb;
	if (n > MB_ADDR_MAX)
		return bad_uri(o, v, "user@host:port is longer than 255 characters");
	if (at) {
		if (at == s || s[0] == '-')
			return bad_uri(o, v, "the user name must not be empty or start with '-'");
		for (const char *c = s; c < at; c++)
			if (!name_char(*c))
				return bad_uri(o, v, "the user name may hold only letters, digits, '.', '_', '-'");
		h = at + 1;
	}
	if (h == end)
		return at ? bad_uri(o, v, "no host after the user name") : MB_OK;
	colon = end;
	for (const char *c = end; c > h; c--)
		if (c[-1] == ':') {
			colon = c - 1;
			break;
		}
	rb = h[0] == '[' ? memchr(h, ']', (size_t)(end - h)) : NULL;
	if (colon != end && (h[0] != '[' || (rb && colon > rb))) {
		char port[8];
		long long pv;
		size_t pl = (size_t)(end - colon - 1);
		if (pl == 0 || pl >= sizeof(port))
			return bad_uri(o, v, "bad port");
		memcpy(port, colon + 1, pl);
		port[pl] = '\0';
		if (mb_parse_ll(port, 1, 65535, &pv))
			return bad_uri(o, v, "the port must be a number 1..65535");
		end = colon;
	}
	if (!mb_valid_host_n(h, (size_t)(end - h)))
		return bad_uri(o, v, "not a host name, IPv4 or [IPv6] address (nor may it start with '-')");
	return MB_OK;
}

static int check_uri(const struct mb_option *o, const char *v)
{
	const char *s = v, *auth, *rest, *q;
	size_t n;
	bool ok = false;
	if (strlen(v) > MB_URI_MAX)
		return mb_err(MB_EINPUT, "%s: longer than %d characters", o->full, MB_URI_MAX);
	for (const char *c = v; *c; c++)
		if (isspace((unsigned char)*c))
			return bad_uri(o, v, "contains white space");
	if (strncmp(s, "qemu", 4))
		return bad_uri(o, v, "only qemu URIs are supported");
	s += 4;
	n = strcspn(s, ":");
	for (int i = 0; transports[i]; i++)
		if (strlen(transports[i]) == n && !strncmp(s, transports[i], n))
			ok = true;
	if (!ok)
		return bad_uri(o, v, "unknown or unsupported transport (use ssh, tls, tcp, unix, libssh or libssh2)");
	s += n;
	if (strncmp(s, "://", 3))
		return bad_uri(o, v, "no '://'");
	auth = s + 3;
	rest = auth + strcspn(auth, "/?");
	if (check_authority(o, v, auth, (size_t)(rest - auth)))
		return MB_EINPUT;
	q = strchr(rest, '?');
	for (const char *c = rest; c < (q ? q : rest + strlen(rest)); c++)
		if (!isalnum((unsigned char)*c) && *c != '/' && *c != '.' && *c != '_' && *c != '-')
			return bad_uri(o, v, "the path may hold only letters, digits, '/', '.', '_', '-'");
	/* Parameters: libvirt runs the program named by command= or netcat=. */
	for (const char *p = q ? q + 1 : NULL; p && *p; ) {
		size_t len = strcspn(p, "&"), kl = strcspn(p, "=");
		if (kl > len)
			kl = len;
		/* libvirt %-decodes names: "comm%61nd" is command. */
		for (size_t k = 0; k < kl; k++)
			if (!islower((unsigned char)p[k]) && p[k] != '_')
				return bad_uri(o, v, "URI parameter names are lowercase letters and '_'");
		if ((kl == 7 && !strncmp(p, "command", 7)) || (kl == 6 && !strncmp(p, "netcat", 6)))
			return bad_uri(o, v, "the command= and netcat= parameters (programs to run) are not allowed");
		p += len;
		if (*p == '&')
			p++;
	}
	return MB_OK;
}

static int check_ifnames(const struct mb_option *o, const char *v)
{
	int count = 0;
	for (const char *s = v; *s; ) {
		size_t n;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		n = strcspn(s, " \t");
		if (n > 15 || s[0] == '-' || s[0] == '.')
			return mb_err(MB_EINPUT,
				      "%s '%s': an interface name has 1-15 characters and does not start "
				      "with '-' or '.'",
				      o->full, v);
		for (size_t i = 0; i < n; i++)
			if (!name_char(s[i]))
				return mb_err(MB_EINPUT,
					      "%s '%s': interface names hold letters, digits, '.', '_', '-'",
					      o->full, v);
		s += n;
		count++;
	}
	if (count > 2)
		return mb_err(MB_EINPUT, "%s '%s': name one or two interfaces", o->full, v);
	return MB_OK;
}

int value_tcp_buffers(const char *v, int *mode, uint64_t *bytes)
{
	double b;
	*bytes = 0;
	*mode = tcp_buffers_mode_from_string(v);
	if (*mode == TCPBUF_OS || *mode == TCPBUF_BDP)
		return MB_OK;
	*mode = TCPBUF_SIZE;
	if (!strcmp(v, "size") || unit_parse(UNIT_SIZE, v, NULL, &b) != MB_OK)
		return mb_err(MB_EINPUT,
			      "tcp_buffers: '%s' is not os, bdp or a size (e.g. 16MiB)", v);
	if (b < 65536 || b > 1073741824.0)
		return mb_err(MB_EINPUT, "tcp_buffers: %s is out of range (64KiB..1GiB)", v);
	*bytes = (uint64_t)b;
	return MB_OK;
}

static int cpu_list(const char *key, bool spread, const char *v, int *cpus, int max, int *n)
{
	*n = 0;
	if (!strcmp(v, "none"))
		return MB_OK;
	if (spread && !strcmp(v, "spread")) {
		*n = -1;
		return MB_OK;
	}
	for (const char *s = v;;) {
		char num[8];
		size_t len = strcspn(s, ",");
		long long cpu;
		if (len == 0 || len >= sizeof(num) || *n >= max)
			goto bad;
		memcpy(num, s, len);
		num[len] = '\0';
		if (mb_parse_ll(num, 0, 1023, &cpu))
			goto bad;
		cpus[(*n)++] = (int)cpu;
		s += len;
		if (!*s)
			return MB_OK;
		s++;
	}
bad:
	*n = 0;
	return mb_err(MB_EINPUT, "%s: '%s' is not %s or a list of at most %d host CPU numbers 0..1023 (0,1,3)",
		      key, v, spread ? "none, spread" : "none", max);
}

int value_vcpu_pin(const char *v, int *cpus, int max, int *n)
{
	return cpu_list("vcpu_pin", true, v, cpus, max, n);
}

int value_cpu_list(const char *key, const char *v, int *cpus, int max, int *n)
{
	return cpu_list(key, false, v, cpus, max, n);
}

int value_check(const struct mb_option *o, const char *v)
{
	if (!strcmp(o->full, "vcpu_pin")) {
		int cpus[64], n;
		return value_vcpu_pin(v, cpus, 64, &n);
	}
	if (!strcmp(o->full, "emulator_pin") || !strcmp(o->full, "lab_pin")) {
		int cpus[64], n;
		return value_cpu_list(o->full, v, cpus, 64, &n);
	}
	if (!strcmp(o->full, "link")) {
		if (!mb_safe_name(v) || strlen(v) > 40)
			return mb_err(MB_EINPUT,
				      "link '%s': a link name has 1-40 letters, digits, '.', '_' or '-' "
				      "and does not start with '.' or '-' (it becomes part of scenario ids)",
				      v);
		return MB_OK;
	}
	if (!strcmp(o->full, "tcp_buffers")) {
		int mode;
		uint64_t bytes;
		return value_tcp_buffers(v, &mode, &bytes);
	}
	if (o->scope != SCOPE_HOSTS || o->type != OPT_STRING || !v[0])
		return MB_OK;
	if (!strcmp(o->full, "hosts.source") || !strcmp(o->full, "hosts.dest"))
		return check_uri(o, v);
	if (!strcmp(o->full, "hosts.migrate_host"))
		return check_addr(o, v, "ADDR[:PORT] for the migration stream");
	if (!strcmp(o->full, "hosts.iscsi_portal"))
		return check_addr(o, v, "ADDR[:PORT] of the iSCSI portal");
	if (!strcmp(o->full, "hosts.iscsi_iqn")) {
		if (!mb_valid_iqn(v))
			return mb_err(MB_EINPUT,
				      "%s '%s': expected iqn.YYYY-MM.domain[:name] (lowercase letters, "
				      "digits, '.', '-', ':'), eui.<16 hex digits> or naa.<16 or 32 hex "
				      "digits>, at most %d characters",
				      o->full, v, MB_IQN_MAX);
		return MB_OK;
	}
	if (!strcmp(o->full, "hosts.netem_dev"))
		return check_ifnames(o, v);
	return MB_OK;
}
