/* values.h - what a string value has to look like, checked when it is
 * read (profile line or --key=value), so that nothing later cuts it into a
 * fixed buffer or hands a tool an option where it expects a name:
 *
 *   hosts.source, hosts.dest   libvirt URI  qemu[+ssh|+tls|+tcp|+unix|+libssh|+libssh2]://[user@]host[:port]/path[?k=v&...]
 *   hosts.migrate_host         host[:port]  name, IPv4 or [IPv6]
 *   hosts.iscsi_portal         host[:port]
 *   hosts.iscsi_iqn            iqn.YYYY-MM.domain[:name], eui.<16 hex>, naa.<16|32 hex>
 *   hosts.netem_dev            one or two interface names
 *
 * No value may start with '-' (it would read as an option of ssh or
 * iscsiadm), and each has a length limit that the buffers downstream hold.
 */
#ifndef MB_VALUES_H
#define MB_VALUES_H

#include <stdbool.h>

#include "profile/options.h"

/* Longest accepted values (the buffers in run/testbed.h and storage/store.h
 * are at least one byte larger). */
#define MB_URI_MAX 511
#define MB_HOST_MAX 253   /* a DNS name */
#define MB_ADDR_MAX 255   /* host[:port] */
#define MB_IQN_MAX 223    /* RFC 3720 */

/* Check the value of a string option that has a syntax of its own; MB_OK
 * for every other option.  On error MB_EINPUT with a message that names the
 * key, the value and what it should look like. */
int value_check(const struct mb_option *o, const char *v) MB_WUR;

/* A host name, IPv4 address or bracketed IPv6 address ("[fd00::1]"). */
bool mb_valid_host(const char *s);
/* An iSCSI name (iqn., eui. or naa. form). */
bool mb_valid_iqn(const char *s);

#endif
