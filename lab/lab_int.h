/* lab_int.h - what the lab's files share (not for the rest of migbench):
 * one function per part of `lab up`, and the JSON state.json and status
 * have in common. */
#ifndef MB_LAB_INT_H
#define MB_LAB_INT_H

#include "lab/lab.h"

#define LAB_PORTAL_ADDR "198.18.3.1"
#define LAB_ISCSI_PORT 3260

/* state.c */
json_object *lab_jstr(const char *s); /* a JSON string, "" for NULL */
/* What state.json and status both say of a site, the storage, the guest. */
json_object *lab_site_json(const struct lab_site *s);
json_object *lab_storage_json(const struct lab *lab);
json_object *lab_guest_json(const struct lab *lab);
int lab_state_save(const struct lab *lab) MB_WUR;

/* config.c: a site's private directories, libvirtd.conf and qemu.conf
 * (and its host_uuid). */
int lab_site_config(struct lab_site *s, const char *cache) MB_WUR;
/* sites.c: configure and start both libvirtds, wait until both answer. */
int lab_sites_up(struct lab *lab) MB_WUR;
/* storage.c: the LUN, tgtd and its target; tgtd's shutdown. */
int lab_storage_up(struct lab *lab, bool fill) MB_WUR;
void lab_storage_stop(const struct lab *lab);
/* links.c: choose the backend (enum link_backend), create the links;
 * remove them; their status (clears *ok on a failure). */
int lab_links_up(struct lab *lab, int backend) MB_WUR;
void lab_links_down(const struct lab *lab);
json_object *lab_links_status(const struct lab *lab, bool *ok);
/* gnet.c: the guest network's bridge in each site; its status (clears
 * *ok when a site lacks it). */
int lab_gnet_up(const struct lab *lab) MB_WUR;
json_object *lab_gnet_status(const struct lab *lab, bool *ok);
/* guest.c: the paths of the lab's guest copy; the copy itself. */
void lab_guest_paths(struct lab *lab);
int lab_guest_copy(struct lab *lab) MB_WUR;

#endif
