/* lab.h - the embedded default testbed: two libvirt "hosts" and an iSCSI
 * target on the local machine, each in its own network + mount + UTS
 * namespace, joined by emulated links.
 *
 *        src site                 wan                    dst site
 *   [libvirtd, QEMU] wan0 198.18.0.1 <====> 198.18.0.2 wan0 [libvirtd, QEMU]
 *        sto0 198.18.1.1                                sto0 198.18.2.1
 *            \\ sto-src                               sto-dst //
 *        198.18.1.2 src0 [ tgtd, portal 198.18.3.1:3260 ] dst0 198.18.2.2
 *                               storage site
 *
 * The guest network (nic = yes, lab/gnet.c): each site also has a bridge
 * mbbr0 with the same MAC and the same host address 198.18.4.1/24, and a
 * permanent neighbour entry for the guest's 198.18.4.2.  The guest's NIC is
 * a tap on the bridge of the site it runs on; after a migration the same
 * address answers it on the destination, as an anycast service address
 * would (the two bridges are not joined: the guest network is local to
 * each site and never crosses the wan link).
 *
 * Addresses are from 198.18.0.0/15, the range RFC 2544 sets aside for
 * benchmarking; nothing outside the lab's namespaces can reach them.
 * State lives in <lab.dir>/<lab.name>/ (state.json, site roots, the LUN).
 */
#ifndef MB_LAB_H
#define MB_LAB_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "core/err.h"
#include "link/link.h"
#include "storage/store.h"

#define LAB_SCHEMA_VERSION 1

/* The guest network (see above). */
#define LAB_GNET_BRIDGE "mbbr0"
#define LAB_GNET_BRIDGE_MAC "02:6d:62:04:00:01"
#define LAB_GNET_HOST_ADDR "198.18.4.1"
#define LAB_GNET_GUEST_ADDR "198.18.4.2"
#define LAB_GNET_PREFIX "24"
#define LAB_GNET_GUEST_MAC "52:54:00:6d:62:02"
#define LAB_GNET_SINK_PORT 5201  /* netstream's TCP sink on the host address */
#define LAB_GNET_ECHO_PORT 7     /* the guest's UDP echo responder */
#define LAB_GNET_PROBE_PORT 7007 /* the host side's echo probe port */
#define LAB_NLINKS 3

enum lab_role { LAB_SRC, LAB_DST };

struct lab_site {
	char role[4];             /* "src", "dst" */
	char hostname[32];        /* "<lab>-src" */
	char ns[64];              /* netns name "migbench-<lab>-src" */
	char netns[128];          /* /run/netns/<ns> */
	char root[PATH_MAX];      /* private /etc/libvirt, /run/libvirt, ... */
	char uri[PATH_MAX + 64];  /* qemu+unix:///system?socket=... (from the root ns) */
	char addr[16];            /* lab address on the wan link; libvirtd listens here */
	char uuid[40];            /* libvirtd host_uuid */
	pid_t pid;                /* libvirtd */
	char mntns[64];           /* /proc/<pid>/ns/mnt */
};

struct lab {
	char name[8];
	char dir[256];            /* <lab.dir>/<name> (lab.dir is at most 200 characters) */
	char lock[256 + 8];        /* <lab.dir>/<name>.lock (lab_lock) */
	char cache[256];          /* <lab.dir>/cache: QEMU capabilities, kept across labs */
	struct lab_site site[2];
	struct {
		char ns[64], netns[128];
		char root[PATH_MAX];
		char backing[PATH_MAX]; /* the LUN's file */
		uint64_t size;
		char portal[16];        /* 198.18.3.1 */
		struct store_target target;
		pid_t pid;              /* tgtd */
		char mntns[64];
	} sto;
	char link_backend[16];    /* ops name in use */
	char link_why[512];       /* why auto chose it */
	char ls_names[LAB_NLINKS][16];
	char ls_dirs[LAB_NLINKS][PATH_MAX];
	struct link_spec links[LAB_NLINKS]; /* wan, sto-src, sto-dst */
	char guest_kernel[PATH_MAX], guest_initrd[PATH_MAX]; /* copies both sites see */
	double created;
};

/* What the lab takes from a profile ([lab] keys; lab_params_from_config in
 * profile/params.h); strings point into the config it was built from. */
struct lab_params {
	const char *name;   /* lab.name, 1-6 letters/digits */
	const char *dir;    /* lab.dir: the parent of the lab's state directory */
	uint64_t lun_size;  /* bytes */
	bool fill;          /* fill the LUN with a pattern (real reads) */
	int link;           /* enum link_backend */
};

/* Names and paths of the lab p describes (no side effects). */
void lab_init(struct lab *lab, const struct lab_params *p);
/* Bring the lab up (or find it up and healthy: *existed = true).  A lab that
 * is partly there (a crash, kill -9) is torn down and rebuilt.  Holds the
 * lab's lock while it works (MB_EUNSUPP naming the holder when busy). */
int lab_up(struct lab *lab, const struct lab_params *p, bool *existed) MB_WUR;
/* The same, for a caller that holds the lab's lock already (a run). */
/* Whether a loaded lab is built as p asks (its LUN's size); says why not. */
bool lab_fits(const struct lab *lab, const struct lab_params *p);
int lab_up_locked(struct lab *lab, const struct lab_params *p, bool *existed) MB_WUR;
/* Remove every namespace, process, mount, link and file of the lab (under
 * the lab's lock: refused while a run or another up/down holds it). */
int lab_down(const struct lab_params *p, bool purge_cache) MB_WUR;
/* Read state.json of a lab that is up (MB_EUNSUPP "no lab" otherwise). */
int lab_load(struct lab *lab, const struct lab_params *p) MB_WUR;
/* Check every part for real; *healthy says whether all are fine.  Takes no
 * lock: it only reads (state.json is replaced atomically) and asks each
 * daemon, so it works while a run holds the lab; the lock's holder, if
 * any, is part of the answer ("lock"). */
int lab_status(const struct lab *lab, json_object **out, bool *healthy) MB_WUR;
/* Bring the lab's copy of the guest image up to date with the built one
 * (after a `make guest` while the lab was up). */
int lab_refresh_guest(struct lab *lab) MB_WUR;
/* The link spec by name ("wan", "sto-src", "sto-dst"), or NULL. */
const struct link_spec *lab_link(const struct lab *lab, const char *name);
/* The links an enum link_path covers (migration: "wan"; storage: "sto-src"
 * and "sto-dst"; both: all three) into out[LAB_NLINKS]; returns how many. */
int lab_links_for(const struct lab *lab, int link_path, const struct link_spec **out);
const struct link_ops *lab_link_ops(const struct lab *lab);
/* The sites as hosts that run commands (for storage attach). */
void lab_host_exec(const struct lab *lab, int role, struct host_exec *h);

/* The lab's one lock, <lab.dir>/<lab.name>.lock (beside the state
 * directory, which `down` removes): `lab up`, `lab down` and `run` hold it
 * exclusively while they work, with the holder's description (pid,
 * command) written in it.  MB_EUNSUPP naming the holder when it is taken.
 * The file is opened without following symlinks and must be a regular
 * file. */
int lab_lock(const struct lab_params *p, const char *holder, int *fd) MB_WUR;
/* The same lock discipline on any path (real hosts: one lock per pair). */
int lab_lock_file(const char *path, const char *holder, int *fd) MB_WUR;
void lab_unlock(int fd);
/* Who holds the lock at path: *holder is NULL when nobody does, else the
 * holder's description (free it).  Never blocks, never creates the file. */
int lab_lock_holder(const char *path, char **holder) MB_WUR;

#endif
