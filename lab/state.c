/* state.c - state.json, the record of a lab that is up: what `lab up`
 * made (pids, uuids, the link backend, the guest copy), read back by every
 * later command.  Also the JSON that state.json and `lab status` share. */
#define _GNU_SOURCE
#include "lab/lab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "lab/lab_int.h"

json_object *lab_jstr(const char *s)
{
	return json_object_new_string(s ? s : "");
}

json_object *lab_site_json(const struct lab_site *s)
{
	json_object *j = json_object_new_object();
	json_object_object_add(j, "role", lab_jstr(s->role));
	json_object_object_add(j, "hostname", lab_jstr(s->hostname));
	json_object_object_add(j, "netns", lab_jstr(s->netns));
	json_object_object_add(j, "uri", lab_jstr(s->uri));
	json_object_object_add(j, "addr", lab_jstr(s->addr));
	json_object_object_add(j, "libvirtd_pid", json_object_new_int(s->pid));
	return j;
}

json_object *lab_storage_json(const struct lab *lab)
{
	json_object *sto = json_object_new_object();
	json_object_object_add(sto, "netns", lab_jstr(lab->sto.netns));
	json_object_object_add(sto, "portal", lab_jstr(lab->sto.portal));
	json_object_object_add(sto, "port", json_object_new_int(lab->sto.target.port));
	json_object_object_add(sto, "iqn", lab_jstr(lab->sto.target.iqn));
	json_object_object_add(sto, "lun", json_object_new_int(lab->sto.target.lun));
	json_object_object_add(sto, "size_bytes", json_object_new_int64((int64_t)lab->sto.size));
	json_object_object_add(sto, "tgtd_pid", json_object_new_int(lab->sto.pid));
	return sto;
}

json_object *lab_guest_json(const struct lab *lab)
{
	json_object *g = json_object_new_object();
	json_object_object_add(g, "kernel", lab_jstr(lab->guest_kernel));
	json_object_object_add(g, "initrd", lab_jstr(lab->guest_initrd));
	return g;
}

int lab_state_save(const struct lab *lab)
{
	json_object *o = json_object_new_object(), *sites = json_object_new_array();
	json_object *sto = lab_storage_json(lab), *links = json_object_new_array();
	char *path = mb_xasprintf("%s/state.json", lab->dir);
	const char *txt;
	int rc;

	json_object_object_add(o, "schema_version", json_object_new_int(LAB_SCHEMA_VERSION));
	json_object_object_add(o, "name", lab_jstr(lab->name));
	json_object_object_add(o, "dir", lab_jstr(lab->dir));
	json_object_object_add(o, "created_epoch_s", json_object_new_double(lab->created));
	for (int i = 0; i < 2; i++) {
		json_object *j = lab_site_json(&lab->site[i]);
		json_object_object_add(j, "uuid", lab_jstr(lab->site[i].uuid));
		json_object_array_add(sites, j);
	}
	json_object_object_add(o, "sites", sites);
	json_object_object_add(sto, "backing", lab_jstr(lab->sto.backing));
	json_object_object_add(o, "storage", sto);
	json_object_object_add(o, "link_backend", lab_jstr(lab->link_backend));
	json_object_object_add(o, "link_why", lab_jstr(lab->link_why));
	for (int i = 0; i < LAB_NLINKS; i++)
		json_object_array_add(links, lab_jstr(lab->links[i].name));
	json_object_object_add(o, "links", links);
	json_object_object_add(o, "guest", lab_guest_json(lab));
	txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = mb_write_file_atomic(path, txt, strlen(txt));
	json_object_put(o);
	free(path);
	return rc;
}

/* Readers that tolerate a missing or mistyped key (state.json is ours, but
 * a crash or a hand edit must not crash the reader). */
static json_object *jget(json_object *o, const char *k, json_type t)
{
	json_object *v;
	if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, k, &v) ||
	    !json_object_is_type(v, t))
		return NULL;
	return v;
}

static void jget_str(json_object *o, const char *k, char *out, size_t len)
{
	json_object *v = jget(o, k, json_type_string);
	snprintf(out, len, "%s", v ? json_object_get_string(v) : "");
}

static int jget_int(json_object *o, const char *k)
{
	json_object *v = jget(o, k, json_type_int);
	return v ? json_object_get_int(v) : 0;
}

static void load_sites(struct lab *lab, json_object *o)
{
	json_object *sites = jget(o, "sites", json_type_array);
	for (size_t i = 0; sites && i < 2 && i < json_object_array_length(sites); i++) {
		json_object *s = json_object_array_get_idx(sites, i);
		struct lab_site *site = &lab->site[i];
		jget_str(s, "uuid", site->uuid, sizeof(site->uuid));
		site->pid = jget_int(s, "libvirtd_pid");
		snprintf(site->mntns, sizeof(site->mntns), "/proc/%d/ns/mnt", (int)site->pid);
	}
}

static void load_rest(struct lab *lab, json_object *o)
{
	json_object *sto = jget(o, "storage", json_type_object), *g = jget(o, "guest", json_type_object);
	json_object *v;
	if (sto) {
		lab->sto.pid = jget_int(sto, "tgtd_pid");
		snprintf(lab->sto.mntns, sizeof(lab->sto.mntns), "/proc/%d/ns/mnt", (int)lab->sto.pid);
		if ((v = jget(sto, "size_bytes", json_type_int)))
			lab->sto.size = (uint64_t)json_object_get_int64(v);
	}
	if (g) {
		jget_str(g, "kernel", lab->guest_kernel, sizeof(lab->guest_kernel));
		jget_str(g, "initrd", lab->guest_initrd, sizeof(lab->guest_initrd));
	}
	jget_str(o, "link_backend", lab->link_backend, sizeof(lab->link_backend));
	jget_str(o, "link_why", lab->link_why, sizeof(lab->link_why));
	if ((v = jget(o, "created_epoch_s", json_type_double)))
		lab->created = json_object_get_double(v);
}

int lab_load(struct lab *lab, const struct lab_params *p)
{
	char *path;
	json_object *o;
	lab_init(lab, p);
	path = mb_xasprintf("%s/state.json", lab->dir);
	if (!mb_path_exists(path)) {
		free(path);
		return mb_err(MB_EUNSUPP, "lab '%s' is not up (no %s/state.json): run 'migbench lab up'",
			      lab->name, lab->dir);
	}
	o = json_object_from_file(path);
	if (!json_object_is_type(o, json_type_object)) {
		int rc = mb_err(MB_EINTERNAL, "%s: cannot parse (%s); 'migbench lab down' clears it", path,
				o ? "not a JSON object" : json_util_get_last_err());
		json_object_put(o);
		free(path);
		return rc;
	}
	free(path);
	load_sites(lab, o);
	load_rest(lab, o);
	json_object_put(o);
	return MB_OK;
}
