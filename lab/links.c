/* links.c - the lab's three links (wan, sto-src, sto-dst): the backend
 * chosen for them, their specs on disk for `migbench link`, creation,
 * removal, and what `lab status` reports of each. */
#define _GNU_SOURCE
#include "lab/lab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "lab/lab_int.h"

int lab_links_up(struct lab *lab, int backend)
{
	const struct link_ops *ops;
	int rc = link_choose(backend, &ops, lab->link_why, sizeof(lab->link_why));
	if (rc)
		return rc;
	snprintf(lab->link_backend, sizeof(lab->link_backend), "%s", ops->name);
	mb_info("link: %s", lab->link_why);
	for (int i = 0; i < LAB_NLINKS && !rc; i++) {
		char *spec = mb_xasprintf("%s/spec.json", lab->links[i].statedir);
		/* The spec first: the delay line process reads it when it starts. */
		rc = mb_mkdir_p(lab->links[i].statedir, 0700);
		if (!rc)
			rc = link_spec_save(spec, &lab->links[i], ops->name);
		if (!rc)
			rc = ops->create(&lab->links[i]);
		free(spec);
	}
	return rc;
}

void lab_links_down(const struct lab *lab)
{
	const struct link_ops *ops = lab_link_ops(lab);
	for (int i = 0; ops && i < LAB_NLINKS; i++)
		if (ops->destroy(&lab->links[i]) != MB_OK)
			mb_warn("removing link %s: %s", lab->links[i].name, mb_errmsg());
}

json_object *lab_links_status(const struct lab *lab, bool *ok)
{
	const struct link_ops *ops = lab_link_ops(lab);
	json_object *links = json_object_new_array();
	if (!ops)
		*ok = false;
	for (int i = 0; ops && i < LAB_NLINKS; i++) {
		struct link_state st;
		json_object *l;
		memset(&st, 0, sizeof(st));
		if (ops->show(&lab->links[i], &st) == MB_OK) {
			l = link_state_json(&st);
		} else {
			*ok = false;
			l = json_object_new_object();
			json_object_object_add(l, "error", lab_jstr(mb_errmsg()));
		}
		json_object_object_add(l, "name", lab_jstr(lab->links[i].name));
		json_object_object_add(l, "a", lab_jstr(lab->links[i].a.addr));
		json_object_object_add(l, "b", lab_jstr(lab->links[i].b.addr));
		json_object_array_add(links, l);
	}
	return links;
}
