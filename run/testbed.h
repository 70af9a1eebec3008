/* testbed.h - what a run drives: the lab (the embedded default) or real
 * hosts named in the profile's [hosts] section.  Both look the same to the
 * scenario runner: two libvirt hosts, a shared iSCSI target with an attach
 * mode, the link under test and its backend, and the guest image. */
#ifndef MB_TESTBED_H
#define MB_TESTBED_H

#include <limits.h>
#include <stdbool.h>

#include <json-c/json.h>
#include <libvirt/libvirt.h>

#include "lab/lab.h"
#include "link/link.h"
#include "plan/plan.h"
#include "storage/store.h"

enum tb_kind { TB_LAB, TB_HOSTS };

struct tb_host {
	char name[256];          /* for messages and results (hosts: <= MB_HOST_MAX) */
	char uri[PATH_MAX + 64]; /* the controller's libvirt URI */
	char p2p_uri[512];       /* how the other host's libvirtd reaches this one */
	char addr[256];          /* migration stream address when migrating to it */
	struct host_exec exec;   /* where storage commands run */
	char netns[128];         /* lab: for TCP buffer settings */
	char ssh_key[PATH_MAX];  /* hosts: the URI's keyfile= (for exec.ssh_key) */
	char ssh_known_hosts_opt[PATH_MAX + 32]; /* hosts: "UserKnownHostsFile=" + known_hosts= */
	virConnectPtr conn;
};

struct tb_links {
	const struct link_spec *spec[LAB_NLINKS]; /* the links of one path */
	int n;
};

struct testbed {
	enum tb_kind kind;
	struct lab lab;
	bool lab_started;         /* this run brought the lab up */
	struct tb_host host[2];   /* [0] source site, [1] destination site */
	struct store_target target;
	const struct link_ops *link; /* NULL: the link cannot be shaped here */
	char link_why[512];
	struct link_spec real_link;  /* real hosts: netem on hosts.netem_dev */
	char real_dev[64];
	char kernel[PATH_MAX], initrd[PATH_MAX];
	json_object *guest_image;    /* kernel version, sha256s */
	int lockfd;
	char lockpath[PATH_MAX];
	/* Attach modes a scenario attached on the hosts: tb_close detaches them. */
	const struct store_ops *attached[4];
	int nattached;
};

/* Open the testbed the plan names (bringing the lab up when needed), lock
 * it for this run, connect to both hosts, remove guests an earlier run left. */
int tb_open(struct testbed *tb, const struct plan *pl, const char *holder) MB_WUR;
/* Detach the storage every attach mode attached (keeping the first error,
 * which is also warned about), close the connections, unlock. */
int tb_close(struct testbed *tb);
/* Before a mode attaches on the hosts: remember it for tb_close. */
void tb_note_attach(struct testbed *tb, const struct store_ops *mode);
/* Before a scenario: make sure both hosts answer.  A dead connection is
 * reopened; a lab whose daemons died is rebuilt (only call this when no
 * guest is running). */
int tb_ensure(struct testbed *tb, const struct plan *pl) MB_WUR;

/* The links a scenario's link_path covers ("wan" for migration). */
void tb_links_for(const struct testbed *tb, int link_path, struct tb_links *out);
/* Add to out the storage paths that cross the link when the target sits
 * at target_site (enum target_site) and the guest starts on site src: in
 * the lab the storage link of the site(s) far from the target; nothing on
 * real hosts (the target is where it is). */
void tb_target_links(const struct testbed *tb, int target_site, int src, struct tb_links *out);
/* The link the probe measures (the migration path). */
const struct link_spec *tb_wan(const struct testbed *tb);

/* The one interface hosts.netem_dev names (on this machine), into out. */
int tb_netem_dev(const char *netem_dev, char *out, size_t len) MB_WUR;
/* The TCP buffer limits in force on host i: read in its namespace in the
 * lab, over ssh on a qemu+ssh:// host, here for a local URI; MB_EUNSUPP
 * with the reason when there is no way to run a command on the host. */
int tb_tcp_buffers(const struct testbed *tb, int i, struct link_tcp_buffers *out) MB_WUR;
/* Real hosts: the link probe where both ends are reachable over ssh: RTT
 * by ping from the source to the destination's migration address (the
 * TCP figures NaN: no program of ours runs on the hosts).  why says how
 * it was measured, or why it was not (MB_EUNSUPP: not possible here). */
int tb_probe_hosts(const struct testbed *tb, int rtt_count, struct probe_result *r, char *why,
		   size_t len) MB_WUR;

/* Versions and facts of both hosts, the storage and the link, for run.json. */
json_object *tb_json(const struct testbed *tb);

#endif
