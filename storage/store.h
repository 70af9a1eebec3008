/* store.h - how a host attaches the shared iSCSI disk the guest runs from.
 *
 * Attach modes are ops structs in one registry:
 *   libiscsi    QEMU's own initiator: <disk type='network' protocol='iscsi'>;
 *               needs nothing on the host but qemu-block-extra.
 *   open-iscsi  the kernel initiator: iscsiadm discovery + login on each host,
 *               the guest gets the /dev/disk/by-path block device.
 * `auto` picks open-iscsi where the kernel initiator works on every host
 * and says why it did not otherwise.
 */
#ifndef MB_STORE_H
#define MB_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/enum.h"
#include "core/err.h"

#define STORE_OPS_VERSION 1

/* The storage key; "libiscsi" and "open-iscsi" are also the ops names. */
enum storage_mode { STORE_AUTO, STORE_LIBISCSI, STORE_OPENISCSI, STORAGE_MODE_LAST };
MB_ENUM_DECL(storage_mode);

struct store_target {
	char host[256]; /* portal address or name */
	int port;       /* 3260 */
	char iqn[224];
	int lun;
};

/* Where a host runs commands: a lab site (its namespaces), this machine, or
 * a remote machine over ssh (for qemu+ssh:// hosts, with the ssh options
 * the host's URI gives libvirt, so both reach it the same way). */
struct host_exec {
	const char *name;  /* for messages: "mb-src", "hostB" */
	const char *netns; /* lab: the site's netns file */
	const char *mntns; /* lab: /proc/<libvirtd pid>/ns/mnt */
	const char *ssh;   /* [user@]host for remote hosts, NULL = local */
	const char *ssh_key;         /* -i: the URI's keyfile=, or NULL */
	const char *ssh_known_hosts_opt; /* "UserKnownHostsFile=PATH" from the URI's known_hosts=, or NULL */
	bool ssh_no_verify;          /* the URI's no_verify=1: StrictHostKeyChecking=no */
	const char *noexec; /* why no command can run there (a remote host reached
			     * without ssh: qemu+tcp, qemu+tls), or NULL */
};

struct store_ops {
	const char *name;
	/* MB_OK if the mode works on host h; else MB_EUNSUPP and why. */
	int (*supported)(const struct store_target *t, const struct host_exec *h, char *why,
			 size_t len);
	int (*attach)(const struct store_target *t, const struct host_exec *h);
	int (*detach)(const struct store_target *t, const struct host_exec *h);
	/* The domain's <disk> element for this target (target dev vda, virtio). */
	int (*disk_xml)(const struct store_target *t, char *buf, size_t len);
};

extern const struct store_ops store_libiscsi_ops;
extern const struct store_ops store_openiscsi_ops;
/* The registry, NULL-terminated, in order of preference for `auto`. */
extern const struct store_ops *const store_modes[];

/* The ops for enum storage_mode; for STORE_AUTO the first that works on
 * every host, with the reason for the choice in why. */
int store_choose(int mode, const struct store_target *t, const struct host_exec *hosts,
		 int nhosts, const struct store_ops **out, char *why, size_t len) MB_WUR;

/* Fill t from a portal "host[:port]", an IQN and a LUN, validating each
 * (they end up in XML and on remote command lines). */
int store_target_parse(const char *portal, const char *iqn, int lun,
		       struct store_target *t) MB_WUR;

/* DISCOVERY records nothing (-o nonpersistent): attach creates the one node
 * record it logs in with (NODE_NEW) and detach deletes it (NODE_DELETE). */
enum iscsiadm_op { ISCSIADM_DISCOVERY, ISCSIADM_NODE_NEW, ISCSIADM_LOGIN, ISCSIADM_LOGOUT,
		   ISCSIADM_NODE_DELETE, ISCSIADM_SESSION };

/* The ssh command that runs the words after it on h (ssh ... [user@]host --),
 * into argv; 0 for a local host.  Returns the argc (at most STORE_SSH_ARGS). */
#define STORE_SSH_ARGS 12
int store_ssh_argv(const struct host_exec *h, const char **argv);

/* The iscsiadm command for op as an argv vector (prefixed with ssh for a
 * remote host).  Strings live in buf.  Returns the argc. */
int store_iscsiadm_argv(enum iscsiadm_op op, const struct store_target *t,
			const struct host_exec *h, const char **argv, size_t max, char *buf,
			size_t buflen);
/* /dev/disk/by-path/ip-ADDR:PORT-iscsi-IQN-lun-N */
void store_bypath(const struct store_target *t, char *out, size_t len);
/* This machine's block device (/dev/sdX) of t's logged-in LUN, found in
 * sysfs (no udev needed); MB_EUNSUPP if there is none (yet). */
int store_openiscsi_device(const struct store_target *t, char *dev, size_t len) MB_WUR;

/* Run argv on host h (netns/mntns for lab sites; ssh prefix already in argv). */
int store_host_exec(const struct host_exec *h, const char *const *argv, char **out,
		    int *status) MB_WUR;

#endif
