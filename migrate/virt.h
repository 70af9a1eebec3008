/* virt.h - libvirt connections: errors captured into mb_err messages (not
 * printed by libvirt's default handler), keepalive, and small helpers. */
#ifndef MB_VIRT_H
#define MB_VIRT_H

#include <libvirt/libvirt.h>

#include "core/err.h"

/* Once per process: route libvirt errors to us; start an event loop thread
 * (needed for keepalive, streams and domain events). */
int virt_init(void) MB_WUR;
/* Open uri read-write.  rc = MB_EUNSUPP when the host cannot be reached. */
int virt_open(const char *uri, virConnectPtr *out) MB_WUR;
/* libvirt's last error message for this thread ("unknown" if none). */
const char *virt_errmsg(void);
/* Set mb_err from libvirt's last error: "<what> on <host>: <libvirt msg>". */
int virt_err(int rc, const char *host, const char *what);
/* "QEMU 7.2.22" style versions of a connection. */
void virt_versions(virConnectPtr c, char *hv, size_t hvlen, char *lib, size_t liblen);

#endif
