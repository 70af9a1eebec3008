/* image.h - finding the guest image (kernel + initramfs) and describing it
 * for results: kernel package version and sha256 of both files. */
#ifndef MB_GUEST_IMAGE_H
#define MB_GUEST_IMAGE_H

#include <limits.h>

#include <json-c/json.h>

#include "core/err.h"

struct guest_image {
	char kernel[PATH_MAX];
	char initrd[PATH_MAX];
	char kernel_version[128]; /* Debian package version, from the manifest */
	char kernel_sha256[65];
	char initrd_sha256[65];
};

/* kernel and initrd when kernel is set (the kernel and initrd keys; both or
 * neither), else the built image: $MIGBENCH_GUEST_DIR, then build/guest next
 * to the migbench binary, then PREFIX/share/migbench/guest.  NULL or "" =
 * not set.  MB_EUNSUPP with "run make guest" when there is none. */
int guest_image_find(const char *kernel, const char *initrd, struct guest_image *out) MB_WUR;
json_object *guest_image_json(const struct guest_image *g);

#endif
