/* layout.c - what a lab is called and where its parts are: the names,
 * paths and addresses of its sites, storage and links, derived from the
 * lab's parameters alone (no side effects; see lab.h for the picture). */
#define _GNU_SOURCE
#include "lab/lab.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "lab/lab_int.h"
#include "lab/ns.h"

static const char *const link_names[LAB_NLINKS] = { "wan", "sto-src", "sto-dst" };

static void init_site(struct lab *lab, int i)
{
	static const char *const roles[2] = { "src", "dst" };
	static const char *const addrs[2] = { "198.18.0.1", "198.18.0.2" };
	struct lab_site *s = &lab->site[i];
	snprintf(s->role, sizeof(s->role), "%s", roles[i]);
	snprintf(s->hostname, sizeof(s->hostname), "%s-%s", lab->name, roles[i]);
	snprintf(s->ns, sizeof(s->ns), "migbench-%s-%s", lab->name, roles[i]);
	ns_path(s->ns, s->netns, sizeof(s->netns));
	snprintf(s->root, sizeof(s->root), "%s/%s", lab->dir, roles[i]);
	snprintf(s->uri, sizeof(s->uri), "qemu+unix:///system?socket=%s/run/libvirt-sock", s->root);
	snprintf(s->addr, sizeof(s->addr), "%s", addrs[i]);
}

static void init_storage(struct lab *lab, uint64_t size)
{
	char iqn[64];
	snprintf(lab->sto.ns, sizeof(lab->sto.ns), "migbench-%s-sto", lab->name);
	ns_path(lab->sto.ns, lab->sto.netns, sizeof(lab->sto.netns));
	snprintf(lab->sto.root, sizeof(lab->sto.root), "%s/sto", lab->dir);
	snprintf(lab->sto.backing, sizeof(lab->sto.backing), "%s/sto/lun1.img", lab->dir);
	lab->sto.size = size;
	snprintf(lab->sto.portal, sizeof(lab->sto.portal), "%s", LAB_PORTAL_ADDR);
	snprintf(iqn, sizeof(iqn), "iqn.2026-11.org.migbench:%s", lab->name);
	for (char *c = iqn; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	snprintf(lab->sto.target.host, sizeof(lab->sto.target.host), "%s", LAB_PORTAL_ADDR);
	lab->sto.target.port = LAB_ISCSI_PORT;
	snprintf(lab->sto.target.iqn, sizeof(lab->sto.target.iqn), "%s", iqn);
	lab->sto.target.lun = 1;
}

static void init_links(struct lab *lab)
{
	for (int i = 0; i < LAB_NLINKS; i++) {
		struct link_spec *l = &lab->links[i];
		snprintf(lab->ls_names[i], sizeof(lab->ls_names[i]), "%s", link_names[i]);
		snprintf(lab->ls_dirs[i], sizeof(lab->ls_dirs[i]), "%s/links/%s", lab->dir, link_names[i]);
		l->name = lab->ls_names[i];
		l->statedir = lab->ls_dirs[i];
	}
	lab->links[0].a = (struct link_end){ lab->site[0].netns, "wan0", "198.18.0.1" };
	lab->links[0].b = (struct link_end){ lab->site[1].netns, "wan0", "198.18.0.2" };
	lab->links[1].a = (struct link_end){ lab->site[0].netns, "sto0", "198.18.1.1" };
	lab->links[1].b = (struct link_end){ lab->sto.netns, "src0", "198.18.1.2" };
	lab->links[2].a = (struct link_end){ lab->site[1].netns, "sto0", "198.18.2.1" };
	lab->links[2].b = (struct link_end){ lab->sto.netns, "dst0", "198.18.2.2" };
}

void lab_init(struct lab *lab, const struct lab_params *p)
{
	memset(lab, 0, sizeof(*lab));
	snprintf(lab->name, sizeof(lab->name), "%s", p->name);
	snprintf(lab->dir, sizeof(lab->dir), "%s/%s", p->dir, lab->name);
	snprintf(lab->lock, sizeof(lab->lock), "%s.lock", lab->dir);
	snprintf(lab->cache, sizeof(lab->cache), "%s/cache", p->dir);
	for (int i = 0; i < 2; i++)
		init_site(lab, i);
	init_storage(lab, p->lun_size);
	init_links(lab);
	lab_guest_paths(lab);
}

const struct link_spec *lab_link(const struct lab *lab, const char *name)
{
	for (int i = 0; i < LAB_NLINKS; i++)
		if (!strcmp(lab->links[i].name, name))
			return &lab->links[i];
	return NULL;
}

int lab_links_for(const struct lab *lab, int link_path, const struct link_spec **out)
{
	int n = 0;
	if (link_path == PATH_MIGRATION || link_path == PATH_BOTH)
		out[n++] = lab_link(lab, "wan");
	if (link_path == PATH_STORAGE || link_path == PATH_BOTH) {
		out[n++] = lab_link(lab, "sto-src");
		out[n++] = lab_link(lab, "sto-dst");
	}
	return n;
}

const struct link_ops *lab_link_ops(const struct lab *lab)
{
	for (const struct link_ops *const *o = link_backends; *o; o++)
		if (!strcmp((*o)->name, lab->link_backend))
			return *o;
	return NULL;
}

void lab_host_exec(const struct lab *lab, int role, struct host_exec *h)
{
	const struct lab_site *s = &lab->site[role];
	h->name = s->hostname;
	h->netns = s->netns;
	h->mntns = s->mntns;
	h->ssh = NULL;
}
