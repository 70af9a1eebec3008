/* test_store.c - storage attach modes: target validation (values that reach
 * XML and remote command lines), the iscsiadm argv vectors, by-path names,
 * the disk XML of both modes, and auto's choice with its reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/util.h"
#include "profile/options.h"
#include "storage/store.h"

static struct store_target target(void)
{
	struct store_target t;
	assert_int_equal(store_target_parse("198.18.3.1:3260", "iqn.2026-11.org.migbench:mb", 1, &t),
			 MB_OK);
	return t;
}

static void test_target_parse(void **state)
{
	struct store_target t;
	(void)state;
	t = target();
	assert_string_equal(t.host, "198.18.3.1");
	assert_int_equal(t.port, 3260);
	assert_int_equal(t.lun, 1);
	assert_int_equal(store_target_parse("storage.example.org", "iqn.2001-04.com.example:disk", 0, &t),
			 MB_OK);
	assert_int_equal(t.port, 3260); /* the default */
	assert_int_equal(store_target_parse("[fd00::9]:3261", "iqn.2001-04.com.example:d", 2, &t), MB_OK);
	assert_string_equal(t.host, "[fd00::9]");
	assert_int_equal(t.port, 3261);
	/* Refused: what could change a command line or the domain XML. */
	assert_int_equal(store_target_parse("host;reboot", "iqn.2001-04.com.example:d", 1, &t), MB_EINPUT);
	assert_int_equal(store_target_parse("host:99999", "iqn.2001-04.com.example:d", 1, &t), MB_EINPUT);
	assert_int_equal(store_target_parse("host", "iqn.2001-04.com.example:d' x='", 1, &t), MB_EINPUT);
	assert_int_equal(store_target_parse("host", "iqn.2001-04.com.example:$(id)", 1, &t), MB_EINPUT);
	assert_int_equal(store_target_parse("host", "IQN.2001-04.com.example:d", 1, &t), MB_EINPUT);
	assert_int_equal(store_target_parse("host", "disk", 1, &t), MB_EINPUT);
	assert_non_null(strstr(mb_errmsg(), "iqn.YYYY-MM"));
	assert_int_equal(store_target_parse("host", "iqn.2001-04.com.example:d", 20000, &t), MB_EINPUT);
	assert_int_equal(store_target_parse("", "iqn.2001-04.com.example:d", 1, &t), MB_EINPUT);
}

static char *join(const char **argv)
{
	static char buf[1024];
	buf[0] = '\0';
	for (int i = 0; argv[i]; i++) {
		strcat(buf, i ? " " : "");
		strcat(buf, argv[i]);
	}
	return buf;
}

static void test_iscsiadm_argv(void **state)
{
	struct store_target t = target();
	struct host_exec local = { .name = "mb-src" }, remote = { .name = "hostB", .ssh = "root@hostB" };
	const char *argv[24];
	char buf[320];
	int n;
	(void)state;
	n = store_iscsiadm_argv(ISCSIADM_DISCOVERY, &t, &local, argv, 24, buf, sizeof(buf));
	assert_int_equal(n, 9);
	assert_null(argv[n]);
	assert_string_equal(join(argv), "iscsiadm -m discovery -t sendtargets -p 198.18.3.1:3260 -o nonpersistent");
	/* The node ops: the one record attach makes, logs in with, out, deletes. */
	{
		static const struct { enum iscsiadm_op op; const char *tail; } node[] = {
			{ ISCSIADM_NODE_NEW, "-o new" }, { ISCSIADM_LOGIN, "--login" },
			{ ISCSIADM_LOGOUT, "--logout" }, { ISCSIADM_NODE_DELETE, "-o delete" },
		};
		for (size_t i = 0; i < sizeof(node) / sizeof(node[0]); i++) {
			char want[160];
			snprintf(want, sizeof(want), "iscsiadm -m node -T iqn.2026-11.org.migbench:mb -p "
						     "198.18.3.1:3260 %s", node[i].tail);
			store_iscsiadm_argv(node[i].op, &t, &local, argv, 24, buf, sizeof(buf));
			assert_string_equal(join(argv), want);
		}
	}
	store_iscsiadm_argv(ISCSIADM_SESSION, &t, &local, argv, 24, buf, sizeof(buf));
	assert_string_equal(join(argv), "iscsiadm -m session");
	/* A qemu+ssh host: the same command behind ssh, batch mode, "--". */
	n = store_iscsiadm_argv(ISCSIADM_LOGIN, &t, &remote, argv, 24, buf, sizeof(buf));
	assert_string_equal(join(argv), "ssh -o BatchMode=yes root@hostB -- iscsiadm -m node -T "
					"iqn.2026-11.org.migbench:mb -p 198.18.3.1:3260 --login");
	assert_int_equal(n, 13);
	/* The ssh options of the host's URI: its key, known_hosts, no_verify. */
	{
		struct host_exec opt = remote;
		opt.ssh_key = "/k/id";
		opt.ssh_known_hosts_opt = "UserKnownHostsFile=/k/kh";
		opt.ssh_no_verify = true;
		n = store_iscsiadm_argv(ISCSIADM_LOGOUT, &t, &opt, argv, 24, buf, sizeof(buf));
		assert_string_equal(join(argv), "ssh -o BatchMode=yes -i /k/id -o UserKnownHostsFile=/k/kh "
						"-o StrictHostKeyChecking=no root@hostB -- iscsiadm -m node -T "
						"iqn.2026-11.org.migbench:mb -p 198.18.3.1:3260 --logout");
		assert_true(store_ssh_argv(&opt, argv) <= STORE_SSH_ARGS);
	}
	/* Too small a vector: truncated, still NULL-terminated, never overrun. */
	n = store_iscsiadm_argv(ISCSIADM_LOGIN, &t, &remote, argv, 4, buf, sizeof(buf));
	assert_true(n <= 3);
	assert_null(argv[n]);
}

static void test_bypath_and_xml(void **state)
{
	struct store_target t = target();
	char dev[600], xml[2048];
	(void)state;
	store_bypath(&t, dev, sizeof(dev));
	assert_string_equal(dev, "/dev/disk/by-path/ip-198.18.3.1:3260-iscsi-iqn.2026-11.org.migbench:mb-lun-1");
	assert_int_equal(store_libiscsi_ops.disk_xml(&t, xml, sizeof(xml)), MB_OK);
	assert_non_null(strstr(xml, "<source protocol='iscsi' name='iqn.2026-11.org.migbench:mb/1'>"));
	assert_non_null(strstr(xml, "<host name='198.18.3.1' port='3260'/>"));
	assert_non_null(strstr(xml, "cache='none'"));
	assert_non_null(strstr(xml, "<target dev='vda' bus='virtio'/>"));
	assert_int_equal(store_openiscsi_ops.disk_xml(&t, xml, sizeof(xml)), MB_OK);
	assert_non_null(strstr(xml, "<disk type='block' device='disk'>"));
	assert_non_null(strstr(xml, dev));
	assert_int_equal(store_libiscsi_ops.disk_xml(&t, xml, 20), MB_EINTERNAL);
}

/* auto on this machine: where the kernel has no iSCSI initiator, open-iscsi
 * is passed over with that reason and libiscsi is used. */
static void test_choose(void **state)
{
	struct store_target t = target();
	struct host_exec h[2] = { { .name = "a" }, { .name = "b" } };
	const struct store_ops *ops = NULL;
	char why[1024];
	(void)state;
	if (mb_path_exists("/sys/class/iscsi_transport/tcp")) {
		skip(); /* a kernel with iscsi_tcp: the answer depends on the target */
		return;
	}
	assert_int_equal(store_choose(STORE_AUTO, &t, h, 2, &ops, why, sizeof(why)), MB_OK);
	assert_ptr_equal(ops, &store_libiscsi_ops);
	assert_non_null(strstr(why, "open-iscsi: the kernel has no iSCSI initiator"));
	assert_non_null(strstr(why, "using libiscsi"));
	/* Asked for by name, open-iscsi is refused with the reason. */
	assert_int_equal(store_choose(STORE_OPENISCSI, &t, h, 2, &ops, why, sizeof(why)), MB_EUNSUPP);
	assert_non_null(strstr(mb_errmsg(), "storage=open-iscsi cannot be used"));
	assert_int_equal(store_choose(STORE_LIBISCSI, &t, h, 2, &ops, why, sizeof(why)), MB_OK);
	assert_string_equal(why, "libiscsi requested");
}

/* A remote host without a shell (qemu+tcp): open-iscsi is refused with that
 * reason (never run on this machine instead), and no command runs there. */
static void test_noexec(void **state)
{
	struct store_target t = target();
	struct host_exec h[2] = { { .name = "a", .noexec = "no shell (qemu+tcp)" },
				  { .name = "b", .noexec = "no shell (qemu+tcp)" } };
	const struct store_ops *ops = NULL;
	const char *argv[] = { "true", NULL };
	char why[1024];
	int st = 0;
	(void)state;
	assert_int_equal(store_choose(STORE_AUTO, &t, h, 2, &ops, why, sizeof(why)), MB_OK);
	assert_ptr_equal(ops, &store_libiscsi_ops);
	assert_non_null(strstr(why, "open-iscsi runs iscsiadm on every host, but on a no shell"));
	assert_int_equal(store_host_exec(&h[0], argv, NULL, &st), MB_EUNSUPP);
	assert_non_null(strstr(mb_errmsg(), "cannot run true on a"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_target_parse),
		cmocka_unit_test(test_iscsiadm_argv),
		cmocka_unit_test(test_bypath_and_xml),
		cmocka_unit_test(test_choose),
		cmocka_unit_test(test_noexec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
