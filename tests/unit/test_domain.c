/* test_domain.c - the guest's domain XML (migrate/domain.c): every setting
 * lands where libvirt reads it, text values are escaped, and libvirt's own
 * parser (the in-process test:///default driver, no daemon) reads back
 * exactly the values that went in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "core/util.h"
#include "migrate/domain.h"

#define UUID "6f1c3a1e-5b2d-4c8e-9a01-23456789abcd"
#define DISK "<disk type='file' device='disk'><source file='/var/lib/mb/disk.img'/>" \
	     "<target dev='vda' bus='virtio'/></disk>"

static struct guest_spec spec(void)
{
	struct guest_spec g;
	memset(&g, 0, sizeof(g));
	snprintf(g.name, sizeof(g.name), DOM_PREFIX "4242-1");
	snprintf(g.uuid, sizeof(g.uuid), UUID);
	g.memory = 256ULL << 20;
	g.vcpus = 2;
	g.virt_type = VIRT_QEMU;
	g.kernel = "/usr/share/migbench/guest/vmlinuz";
	g.initrd = "/usr/share/migbench/guest/initrd.img";
	g.cmdline = "console=ttyS0 migbench.wl=cpuadd migbench.interval=100ms";
	g.disk_xml = DISK;
	return g;
}

static void has(const char *xml, const char *want)
{
	if (!strstr(xml, want))
		fail_msg("domain XML lacks \"%s\":\n%s", want, xml);
}

/* The text of the first <tag>...</tag> in xml, un-escaped (the five
 * predefined entities), or NULL.  Free it. */
static char *element_text(const char *xml, const char *tag)
{
	char *open = mb_xasprintf("<%s>", tag), *close = mb_xasprintf("</%s>", tag);
	const char *s = strstr(xml, open), *e;
	char *out = NULL, *p;
	if (s && (e = strstr(s += strlen(open), close))) {
		out = p = mb_xmalloc((size_t)(e - s) + 1);
		while (s < e) {
			static const struct { const char *ent; char c; } ents[] = {
				{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
				{ "&apos;", '\'' }, { "&quot;", '"' },
			};
			size_t k;
			for (k = 0; k < MB_ARRAY_SIZE(ents); k++)
				if (!strncmp(s, ents[k].ent, strlen(ents[k].ent)))
					break;
			if (k < MB_ARRAY_SIZE(ents)) {
				*p++ = ents[k].c;
				s += strlen(ents[k].ent);
			} else {
				*p++ = *s++;
			}
		}
		*p = '\0';
	}
	free(open);
	free(close);
	return out;
}

/* The un-escaped text of <tag> in xml is exactly want. */
static void text_is(const char *xml, const char *tag, const char *want)
{
	char *t = element_text(xml, tag);
	if (!t)
		fail_msg("no <%s> in:\n%s", tag, xml);
	assert_string_equal(t, want);
	free(t);
}

/* Every text value of g reads back from xml as it went in. */
static void texts_are(const char *xml, const struct guest_spec *g)
{
	text_is(xml, "name", g->name);
	text_is(xml, "uuid", g->uuid);
	text_is(xml, "kernel", g->kernel);
	text_is(xml, "initrd", g->initrd);
	text_is(xml, "cmdline", g->cmdline);
}

static void test_escape(void **state)
{
	static const char *const cases[][2] = {
		{ "a&b<c>d'e\"f", "a&amp;b&lt;c&gt;d&apos;e&quot;f" },
		{ "plain text, nothing to do", "plain text, nothing to do" },
		{ "", "" },
		{ "&&&&&", "&amp;&amp;&amp;&amp;&amp;" },
		{ "&amp;", "&amp;amp;" },
	};
	(void)state;
	for (size_t i = 0; i < MB_ARRAY_SIZE(cases); i++) {
		char *s = dom_escape(cases[i][0]);
		assert_string_equal(s, cases[i][1]);
		free(s);
	}
}

static void test_xml_fields(void **state)
{
	struct guest_spec g = spec();
	char *xml;
	(void)state;

	xml = dom_xml(&g);
	has(xml, "<domain type='qemu'>");
	has(xml, "<name>migbench-4242-1</name>");
	has(xml, "<uuid>" UUID "</uuid>");
	/* Who started it: leftovers of another live run are never removed. */
	has(xml, "<metadata><mb:owner xmlns:mb='https://migbench.invalid/owner/1' controller='");
	has(xml, "' pid='");
	has(xml, "<memory unit='KiB'>262144</memory>");
	has(xml, "<vcpu>2</vcpu>");
	has(xml, "<type arch='x86_64' machine='pc'>hvm</type>");
	has(xml, "<kernel>/usr/share/migbench/guest/vmlinuz</kernel>");
	has(xml, "<initrd>/usr/share/migbench/guest/initrd.img</initrd>");
	has(xml, "<cmdline>console=ttyS0 migbench.wl=cpuadd migbench.interval=100ms</cmdline>");
	/* TCG: a fixed CPU model, not the host's. */
	has(xml, "<model fallback='forbid'>kvm64</model>");
	assert_null(strstr(xml, "host-model"));
	/* The storage mode's disk goes in as it is, inside <devices>. */
	has(xml, DISK);
	assert_true(strstr(xml, "<devices>") < strstr(xml, DISK));
	assert_true(strstr(xml, DISK) < strstr(xml, "</devices>"));
	/* A guest that ends is destroyed, never restarted in place. */
	has(xml, "<on_reboot>destroy</on_reboot>");
	free(xml);

	g.virt_type = VIRT_KVM;
	g.vcpus = 4;
	g.memory = 1ULL << 30;
	g.disk_xml = NULL;
	xml = dom_xml(&g);
	has(xml, "<domain type='kvm'>");
	has(xml, "<cpu mode='host-model'/>");
	assert_null(strstr(xml, "kvm64"));
	has(xml, "<memory unit='KiB'>1048576</memory>");
	has(xml, "<vcpu>4</vcpu>");
	assert_null(strstr(xml, "<disk"));
	/* No NIC unless asked for. */
	assert_null(strstr(xml, "<interface"));
	free(xml);
}

/* nic = yes: a virtio NIC with a fixed MAC on the named bridge, inside
 * <devices>. */
static void test_xml_nic(void **state)
{
	struct guest_spec g = spec();
	char *xml, *nic;
	(void)state;
	g.nic_bridge = "mbbr0";
	g.nic_mac = "52:54:00:6d:62:02";
	xml = dom_xml(&g);
	nic = strstr(xml, "<interface type='bridge'>");
	assert_non_null(nic);
	has(nic, "<mac address='52:54:00:6d:62:02'/><source bridge='mbbr0'/><model type='virtio'/></interface>");
	assert_true(strstr(xml, "<devices>") < nic && nic < strstr(xml, "</devices>"));
	assert_null(strstr(nic + 1, "<interface"));
	free(xml);
	/* Escaped like every other text. */
	g.nic_bridge = "br'0";
	g.nic_mac = NULL;
	xml = dom_xml(&g);
	has(xml, "<source bridge='br&apos;0'/>");
	assert_null(strstr(xml, "<mac "));
	free(xml);
}

/* Values with XML's special characters: escaped in every text field, so
 * none of them can end an element or open a new one. */
static void test_xml_escapes(void **state)
{
	static const char *const evil = "a&b<c>d'e\"f";
	struct guest_spec g = spec();
	char *xml;
	(void)state;

	snprintf(g.name, sizeof(g.name), DOM_PREFIX "</name><x a='1'/>&");
	snprintf(g.uuid, sizeof(g.uuid), "</uuid><x/>&'\"");
	g.kernel = "/k</kernel><x/>&";
	g.initrd = "/i'\"<>&";
	g.cmdline = "console=ttyS0 x=\"1 2\" y='3' a<b c>d &amp;";
	xml = dom_xml(&g);
	assert_null(strstr(xml, "<x"));
	has(xml, "<name>migbench-&lt;/name&gt;&lt;x a=&apos;1&apos;/&gt;&amp;</name>");
	has(xml, "<uuid>&lt;/uuid&gt;&lt;x/&gt;&amp;&apos;&quot;</uuid>");
	has(xml, "<kernel>/k&lt;/kernel&gt;&lt;x/&gt;&amp;</kernel>");
	has(xml, "<initrd>/i&apos;&quot;&lt;&gt;&amp;</initrd>");
	/* Round trip: un-escaping gives back exactly what went in (an entity
	 * in the value is text too: "&amp;" stays "&amp;"). */
	texts_are(xml, &g);
	free(xml);

	/* And nothing else is touched. */
	g = spec();
	g.cmdline = evil;
	xml = dom_xml(&g);
	has(xml, "<cmdline>a&amp;b&lt;c&gt;d&apos;e&quot;f</cmdline>");
	free(xml);
}

static void quiet_libvirt(void *opaque, virErrorPtr e)
{
	(void)opaque;
	(void)e;
}

/* libvirt's parser reads back what dom_xml meant. */
static void test_xml_libvirt(void **state)
{
	struct guest_spec g = spec();
	virConnectPtr c;
	virDomainPtr d;
	char *xml, *back, uuid[VIR_UUID_STRING_BUFLEN];
	(void)state;

	virSetErrorFunc(NULL, quiet_libvirt);
	c = virConnectOpen("test:///default");
	if (!c) {
		virErrorPtr e = virGetLastError();
		printf("# skip test_xml_libvirt: libvirt's test driver: %s\n", e ? e->message : "?");
		skip();
	}
	/* Special characters where libvirt allows them: name and command line. */
	snprintf(g.name, sizeof(g.name), DOM_PREFIX "a&b<c>'q\"");
	g.cmdline = "console=ttyS0 x=\"1 2\" y='3' a<b &amp; c>d";
	g.virt_type = VIRT_KVM;
	g.nic_bridge = "mbbr0";
	g.nic_mac = "52:54:00:6d:62:02";
	xml = dom_xml(&g);
	d = virDomainDefineXML(c, xml);
	if (!d) {
		virErrorPtr e = virGetLastError();
		fail_msg("libvirt rejected the domain XML: %s\n%s", e ? e->message : "?", xml);
	}
	assert_string_equal(virDomainGetName(d), g.name);
	assert_int_equal(virDomainGetUUIDString(d, uuid), 0);
	assert_string_equal(uuid, UUID);
	assert_int_equal(virDomainGetMaxMemory(d), 262144);
	assert_int_equal(virDomainGetVcpusFlags(d, VIR_DOMAIN_AFFECT_CONFIG | VIR_DOMAIN_VCPU_MAXIMUM), 2);
	back = virDomainGetXMLDesc(d, 0);
	assert_non_null(back);
	has(back, "<domain type='kvm'");
	has(back, "<target dev='vda' bus='virtio'/>");
	has(back, "<source file='/var/lib/mb/disk.img'/>");
	has(back, "<mac address='52:54:00:6d:62:02'/>");
	has(back, "<source bridge='mbbr0'/>");
	has(back, "<model type='virtio'/>");
	texts_are(back, &g);
	free(back);
	assert_int_equal(virDomainUndefine(d), 0);
	virDomainFree(d);
	free(xml);
	virConnectClose(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_xml_fields),
		cmocka_unit_test(test_xml_nic),
		cmocka_unit_test(test_xml_escapes),
		cmocka_unit_test(test_xml_libvirt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
