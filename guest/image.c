/* image.c - find the guest image and describe it for results: the kernel
 * package from build/guest/manifest.json and the sha256 of both files
 * (computed now by coreutils' sha256sum, so the record shows what ran). */
#define _GNU_SOURCE
#include "guest/image.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/exec.h"
#include "core/util.h"

#ifndef MB_PREFIX
#define MB_PREFIX "/usr/local"
#endif

static int sha256(const char *path, char *out)
{
	const char *argv[] = { "sha256sum", path, NULL };
	struct mb_exec_opts o = { .timeout_ms = 30000, .quiet = true };
	struct mb_exec_result r = { 0 };
	int rc = mb_exec(argv, &o, &r);
	if (!rc && (r.status != 0 || r.outlen < 64))
		rc = mb_err(MB_EINTERNAL, "sha256sum %s failed: %s", path, r.out);
	if (!rc) {
		memcpy(out, r.out, 64);
		out[64] = '\0';
	}
	mb_exec_result_free(&r);
	return rc;
}

/* The directory the built image is in: $MIGBENCH_GUEST_DIR, build/guest next
 * to the migbench binary, or the installed share directory. */
static bool find_dir(char *dir, size_t len)
{
	const char *env = getenv("MIGBENCH_GUEST_DIR");
	char exe[4096];
	ssize_t n;
	if (env && *env) {
		snprintf(dir, len, "%s", env);
		return true;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *d;
		exe[n] = '\0';
		d = dirname(exe);
		for (int up = 0; up < 3; up++) {
			char *cand = mb_xasprintf("%s/build/guest/vmlinuz", d);
			bool ok = mb_path_exists(cand);
			free(cand);
			if (ok) {
				snprintf(dir, len, "%s/build/guest", d);
				return true;
			}
			d = dirname(d); /* build/asan/migbench -> the top */
		}
	}
	snprintf(dir, len, "%s/share/migbench/guest", MB_PREFIX);
	return mb_path_exists(dir);
}

static void manifest_version(const char *dir, char *out, size_t len)
{
	char *path = mb_xasprintf("%s/manifest.json", dir);
	json_object *m = json_object_from_file(path), *v;
	out[0] = '\0';
	if (m && json_object_object_get_ex(m, "kernel_version", &v)) {
		json_object *p;
		if (json_object_object_get_ex(m, "kernel_package", &p))
			snprintf(out, len, "%s %s", json_object_get_string(p), json_object_get_string(v));
		else
			snprintf(out, len, "%s", json_object_get_string(v));
	}
	json_object_put(m);
	free(path);
}

int guest_image_find(const char *kernel, const char *initrd, struct guest_image *out)
{
	bool given = kernel && kernel[0];
	char dir[3000];
	int rc;
	memset(out, 0, sizeof(*out));
	if (given) {
		char *d;
		if (!initrd || !initrd[0])
			return mb_err(MB_EINPUT, "kernel=%s is set, so initrd must be set too", kernel);
		if (strlen(kernel) >= sizeof(out->kernel) || strlen(initrd) >= sizeof(out->initrd))
			return mb_err(MB_EINPUT, "guest image path longer than %zu characters",
				      sizeof(out->kernel) - 1);
		snprintf(out->kernel, sizeof(out->kernel), "%s", kernel);
		snprintf(out->initrd, sizeof(out->initrd), "%s", initrd);
		snprintf(dir, sizeof(dir), "%s", kernel);
		d = dirname(dir); /* may point into dir: move, never copy onto itself */
		memmove(dir, d, strlen(d) + 1);
	} else {
		if (!find_dir(dir, sizeof(dir)))
			return mb_err(MB_EUNSUPP, "no guest image: run 'make guest' (or set kernel= and "
						  "initrd=, or MIGBENCH_GUEST_DIR)");
		snprintf(out->kernel, sizeof(out->kernel), "%s/vmlinuz", dir);
		snprintf(out->initrd, sizeof(out->initrd), "%s/initrd.img", dir);
	}
	for (int i = 0; i < 2; i++) {
		const char *f = i ? out->initrd : out->kernel;
		if (!mb_path_exists(f))
			return mb_err(given ? MB_EINPUT : MB_EUNSUPP, "guest image file %s does not exist%s",
				      f, given ? "" : " (run 'make guest')");
	}
	manifest_version(dir, out->kernel_version, sizeof(out->kernel_version));
	rc = sha256(out->kernel, out->kernel_sha256);
	if (!rc)
		rc = sha256(out->initrd, out->initrd_sha256);
	return rc;
}

json_object *guest_image_json(const struct guest_image *g)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "kernel", json_object_new_string(g->kernel));
	json_object_object_add(o, "initrd", json_object_new_string(g->initrd));
	json_object_object_add(o, "kernel_version", json_object_new_string(g->kernel_version));
	json_object_object_add(o, "kernel_sha256", json_object_new_string(g->kernel_sha256));
	json_object_object_add(o, "initrd_sha256", json_object_new_string(g->initrd_sha256));
	return o;
}
