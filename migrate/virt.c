/* virt.c - libvirt setup shared by the lab and the migration code. */
#include "migrate/virt.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "core/log.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_rc;

static void quiet_handler(void *opaque, virErrorPtr err)
{
	(void)opaque;
	if (err)
		mb_debug("libvirt: %s", err->message ? err->message : "?");
}

static void *event_loop(void *arg)
{
	(void)arg;
	for (;;)
		if (virEventRunDefaultImpl() < 0)
			mb_debug("libvirt event loop: %s", virt_errmsg());
	return NULL;
}

static void do_init(void)
{
	pthread_t t;
	pthread_attr_t a;
	virSetErrorFunc(NULL, quiet_handler);
	if (virInitialize() < 0 || virEventRegisterDefaultImpl() < 0) {
		init_rc = mb_err(MB_EINTERNAL, "cannot initialize libvirt: %s", virt_errmsg());
		return;
	}
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &a, event_loop, NULL) != 0)
		init_rc = mb_err(MB_EINTERNAL, "cannot start the libvirt event thread");
	pthread_attr_destroy(&a);
}

int virt_init(void)
{
	pthread_once(&once, do_init);
	return init_rc;
}

const char *virt_errmsg(void)
{
	const char *m = virGetLastErrorMessage();
	return m ? m : "unknown libvirt error";
}

int virt_err(int rc, const char *host, const char *what)
{
	return mb_err(rc, "%s on %s: %s", what, host, virt_errmsg());
}

int virt_open(const char *uri, virConnectPtr *out)
{
	virConnectPtr c;
	int rc = virt_init();
	if (rc)
		return rc;
	c = virConnectOpen(uri);
	if (!c)
		return mb_err(MB_EUNSUPP, "cannot connect to libvirt at %s: %s", uri, virt_errmsg());
	/* Notice a dead peer within ~15 s instead of hanging on it. */
	if (virConnectSetKeepAlive(c, 5, 3) < 0)
		mb_debug("no keepalive on %s: %s", uri, virt_errmsg());
	*out = c;
	return MB_OK;
}

static void fmt_ver(unsigned long v, char *buf, size_t len)
{
	snprintf(buf, len, "%lu.%lu.%lu", v / 1000000, v / 1000 % 1000, v % 1000);
}

void virt_versions(virConnectPtr c, char *hv, size_t hvlen, char *lib, size_t liblen)
{
	unsigned long v = 0;
	const char *type = virConnectGetType(c);
	hv[0] = lib[0] = '\0';
	if (virConnectGetVersion(c, &v) == 0) {
		char b[32];
		fmt_ver(v, b, sizeof(b));
		snprintf(hv, hvlen, "%s %s", type ? type : "?", b);
	}
	if (virConnectGetLibVersion(c, &v) == 0)
		fmt_ver(v, lib, liblen);
}
