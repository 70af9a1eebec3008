/* config.c - a site's private libvirt configuration: the directories that
 * are bind-mounted over /etc/libvirt, /run/libvirt, ... inside the site's
 * mount namespace, and the libvirtd.conf and qemu.conf written there (the
 * lines LAB-FACTS found necessary, each explained below). */
#define _GNU_SOURCE
#include "lab/lab.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "lab/lab_int.h"

/* Write text (and free it) as <root>/etc/<name>. */
static int write_conf(const struct lab_site *s, const char *name, char *text)
{
	char *p = mb_xasprintf("%s/etc/%s", s->root, name);
	int rc = mb_write_file_atomic(p, text, strlen(text));
	free(p);
	free(text);
	return rc;
}

/* A random (version 4) UUID: libvirt refuses to migrate between hosts that
 * report the same host_uuid. */
static void make_uuid(char *out, size_t len)
{
	unsigned char b[16];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, b, sizeof(b)) != (ssize_t)sizeof(b)) {
		uint64_t x = (uint64_t)mb_mono_ns() ^ (uint64_t)getpid();
		for (int i = 0; i < 16; i++)
			b[i] = (unsigned char)(x >> (i % 8 * 8)) ^ (unsigned char)i;
	}
	if (fd >= 0)
		close(fd);
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, len,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
		 b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
		 b[15]);
}

static int site_dirs(const struct lab_site *s, const char *cache)
{
	static const char *const sub[] = { "etc", "run", "lib", "log", NULL };
	int rc = MB_OK;
	for (int i = 0; sub[i] && !rc; i++) {
		char *p = mb_xasprintf("%s/%s", s->root, sub[i]);
		rc = mb_mkdir_p(p, 0700);
		free(p);
	}
	return rc ? rc : mb_mkdir_p(cache, 0700);
}

int lab_site_config(struct lab_site *s, const char *cache)
{
	char *text;
	int rc = site_dirs(s, cache);
	if (rc)
		return rc;
	make_uuid(s->uuid, sizeof(s->uuid));
	/* TCP only on the site's lab address, no auth (nothing else can reach
	 * it); unix sockets for root only. */
	text = mb_xasprintf("# written by migbench lab up\n"
			    "listen_tls = 0\nlisten_tcp = 1\nlisten_addr = \"%s\"\n"
			    "auth_tcp = \"none\"\n"
			    "unix_sock_group = \"root\"\nunix_sock_ro_perms = \"0700\"\n"
			    "unix_sock_rw_perms = \"0700\"\nunix_sock_admin_perms = \"0700\"\n"
			    "host_uuid = \"%s\"\n"
			    "log_outputs = \"3:file:/var/log/libvirt/libvirtd.log\"\n",
			    s->addr, s->uuid);
	rc = write_conf(s, "libvirtd.conf", text);
	if (rc)
		return rc;
	/* No cgroups (this machine's layout breaks domain start), no security
	 * driver, QEMU as root, stdio to a file (no virtlogd), migration on the
	 * lab address. */
	text = mb_xasprintf("# written by migbench lab up\n"
			    "user = \"root\"\ngroup = \"root\"\ndynamic_ownership = 0\n"
			    "remember_owner = 0\nsecurity_driver = \"none\"\n"
			    "cgroup_controllers = [ ]\nstdio_handler = \"file\"\n"
			    "migration_address = \"%s\"\nmigration_host = \"%s\"\n",
			    s->addr, s->addr);
	return write_conf(s, "qemu.conf", text);
}
