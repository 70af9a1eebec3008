/* domain.h - the guest as a libvirt domain: XML from a scenario's settings,
 * start on a host, find it wherever it runs, destroy it. */
#ifndef MB_DOMAIN_H
#define MB_DOMAIN_H

#include <stdint.h>

#include <libvirt/libvirt.h>

#include "core/enum.h"
#include "core/err.h"

#define DOM_PREFIX "migbench-"

/* The virt_type key; the names are libvirt's domain types. */
enum virt_type { VIRT_QEMU, VIRT_KVM, VIRT_TYPE_LAST };
MB_ENUM_DECL(virt_type);

struct guest_spec {
	char name[64];        /* DOM_PREFIX + something */
	char uuid[40];
	uint64_t memory;      /* bytes */
	int vcpus;
	int virt_type;        /* enum virt_type */
	const char *kernel, *initrd;
	const char *cmdline;
	const char *disk_xml; /* from the storage attach mode; NULL = no disk */
	const char *cputune_xml; /* <cputune>...</cputune> (vCPU pinning); NULL = none */
	const char *nic_bridge; /* a virtio NIC on this bridge of the host; NULL = none */
	const char *nic_mac;    /* its MAC (the same on every host it migrates to) */
};

/* The domain XML (free it).  Text values are XML-escaped. */
char *dom_xml(const struct guest_spec *g);
/* Start a transient domain on c; MB_EFAILED with libvirt's reason. */
int dom_start(virConnectPtr c, const char *host, const char *xml, virDomainPtr *out) MB_WUR;
/* Destroy name on c if it exists (whatever its state). */
int dom_destroy_name(virConnectPtr c, const char *name) MB_WUR;
/* Destroy every domain whose name starts with DOM_PREFIX (what a killed run
 * left behind), except the guests of other runs still alive (dom_xml
 * records the controller's host name and pid); *n = how many. */
int dom_destroy_leftovers(virConnectPtr c, const char *host, int *n) MB_WUR;
/* "running", "paused", ... "absent", or "unreachable" (host not answering). */
const char *dom_state_name(virConnectPtr c, const unsigned char *uuid);
/* XML-escape s into a new string. */
char *dom_escape(const char *s);

#endif
