/* guest.c - the lab's copy of the guest image (kernel, initramfs and
 * manifest in <lab>/guest/), which both sites see at the same path; copied
 * at `lab up` and refreshed when `make guest` built a new one. */
#define _GNU_SOURCE
#include "lab/lab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "guest/image.h"
#include "lab/lab_int.h"

void lab_guest_paths(struct lab *lab)
{
	snprintf(lab->guest_kernel, sizeof(lab->guest_kernel), "%s/guest/vmlinuz", lab->dir);
	snprintf(lab->guest_initrd, sizeof(lab->guest_initrd), "%s/guest/initrd.img", lab->dir);
}

static int copy_file(const char *from, const char *to)
{
	char *buf;
	size_t len;
	int rc = mb_read_file(from, &buf, &len);
	if (rc)
		return rc;
	rc = mb_write_file_atomic(to, buf, len);
	free(buf);
	return rc;
}

/* The manifest beside the built kernel, if there is one. */
static int copy_manifest(const char *kernel, const char *dir)
{
	char *src = mb_xstrdup(kernel), *slash = strrchr(src, '/');
	int rc = MB_OK;
	if (slash) {
		char *ms, *m = mb_xasprintf("%s/manifest.json", dir);
		*slash = '\0';
		ms = mb_xasprintf("%s/manifest.json", src);
		if (mb_path_exists(ms))
			rc = copy_file(ms, m);
		free(ms);
		free(m);
	}
	free(src);
	return rc;
}

int lab_guest_copy(struct lab *lab)
{
	struct guest_image g;
	char *dir = mb_xasprintf("%s/guest", lab->dir);
	int rc = guest_image_find(NULL, NULL, &g); /* the built image */
	if (rc) {
		mb_warn("no guest image in the lab (%s); scenarios will need one", mb_errmsg());
		lab->guest_kernel[0] = lab->guest_initrd[0] = '\0';
		free(dir);
		return MB_OK;
	}
	rc = mb_mkdir_p(dir, 0755);
	if (!rc)
		rc = copy_file(g.kernel, lab->guest_kernel);
	if (!rc)
		rc = copy_file(g.initrd, lab->guest_initrd);
	if (!rc)
		rc = copy_manifest(g.kernel, dir);
	free(dir);
	return rc;
}

int lab_refresh_guest(struct lab *lab)
{
	struct guest_image built, copy;
	int rc;
	if (guest_image_find(NULL, NULL, &built) != MB_OK)
		return MB_OK; /* nothing built: the lab's copy (if any) is all there is */
	if (lab->guest_kernel[0] && guest_image_find(lab->guest_kernel, lab->guest_initrd, &copy) == MB_OK &&
	    !strcmp(built.kernel_sha256, copy.kernel_sha256) &&
	    !strcmp(built.initrd_sha256, copy.initrd_sha256))
		return MB_OK;
	mb_info("the guest image changed since lab '%s' came up: refreshing the lab's copy", lab->name);
	lab_guest_paths(lab);
	rc = lab_guest_copy(lab);
	return rc ? rc : lab_state_save(lab);
}
