/* values.h - what a string value has to look like, checked when it is
 * read (profile line or --key=value), so that nothing later cuts it into a
 * fixed buffer or hands a tool an option where it expects a name:
 *
 *   hosts.source, hosts.dest   libvirt URI  qemu[+ssh|+tls|+tcp|+unix|+libssh|+libssh2]://[user@]host[:port]/path[?k=v&...]
 *   hosts.migrate_host         host[:port]  name, IPv4 or [IPv6]
 *   hosts.iscsi_portal         host[:port]
 *   hosts.iscsi_iqn            iqn.YYYY-MM.domain[:name], eui.<16 hex>, naa.<16|32 hex>
 *   hosts.netem_dev            one or two interface names
 *   link                       a link name (1-40 letters, digits, '.', '_', '-')
 *   tcp_buffers                os, bdp or a size
 *   vcpu_pin                   none, spread or a CPU list (0,1,3)
 *   emulator_pin, lab_pin      none or a CPU list
 *
 * No value may start with '-' (it would read as an option of ssh or
 * iscsiadm), and each has a length limit that the buffers downstream hold.
 */
#ifndef MB_VALUES_H
#define MB_VALUES_H

#include <stdbool.h>

#include "profile/options.h"

/* Longest accepted URI (run/testbed.h's p2p_uri holds it); the host, address
 * and IQN limits are in core/util.h. */
#define MB_URI_MAX 511

/* The vcpu_pin value: "none" (*n = 0), "spread" (*n = -1) or a list of host
 * CPU numbers 0..1023, comma separated, at most max of them (*n of them in
 * cpus). */
int value_vcpu_pin(const char *v, int *cpus, int max, int *n) MB_WUR;
/* The same for a key that takes none or a list (emulator_pin, lab_pin). */
int value_cpu_list(const char *key, const char *v, int *cpus, int max, int *n) MB_WUR;

/* Check the value of a string option that has a syntax of its own; MB_OK
 * for every other option.  On error MB_EINPUT with a message that names the
 * key, the value and what it should look like. */
int value_check(const struct mb_option *o, const char *v) MB_WUR;

/* The tcp_buffers value: "os", "bdp" or a size (64KiB..1GiB).  *mode is
 * an enum tcp_buffers_mode, *bytes the size (0 for os and bdp). */
int value_tcp_buffers(const char *v, int *mode, uint64_t *bytes) MB_WUR;

#endif
