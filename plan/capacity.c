/* capacity.c - a scenario's guests against this machine's memory (see capacity.h). */
#include "plan/capacity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"

void capacity_of(const struct mb_config *c, struct capacity *out)
{
	int nb = (int)c->neighbours;
	memset(out, 0, sizeof(*out));
	out->on_source = (int)c->migrate_vms + (c->neighbour_site != NB_DESTINATION ? nb : 0);
	out->on_destination = c->neighbour_site != NB_SOURCE ? nb : 0;
	out->incoming = c->migrate ? (int)c->migrate_vms : 0;
	out->per_guest = c->memory + CAP_QEMU_OVERHEAD;
	out->peak = out->per_guest * (uint64_t)(out->on_source + out->on_destination + out->incoming);
}

static uint64_t meminfo(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	unsigned long long kib;
	if (!p || sscanf(p + strlen(key), " %llu kB", &kib) != 1)
		return 0;
	return (uint64_t)kib * 1024;
}

uint64_t capacity_host(uint64_t *avail, uint64_t *margin)
{
	const char *env = getenv("MIGBENCH_MEM_AVAILABLE");
	char buf[4096];
	size_t n;
	uint64_t total;
	FILE *f;

	*avail = *margin = 0;
	if (env && *env) {
		long long v;
		if (mb_parse_ll(env, 0, (long long)1 << 50, &v) == MB_OK)
			*avail = (uint64_t)v;
		return *avail;
	}
	f = fopen("/proc/meminfo", "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	*avail = meminfo(buf, "MemAvailable:");
	total = meminfo(buf, "MemTotal:");
	*margin = total / 10 > CAP_MARGIN_MIN ? total / 10 : CAP_MARGIN_MIN;
	return *avail > *margin ? *avail - *margin : 1;
}

int capacity_check(const struct mb_config *c, uint64_t can, uint64_t avail, uint64_t margin)
{
	struct capacity k;
	char arriving[64] = "";
	if (!can)
		return MB_OK;
	capacity_of(c, &k);
	if (k.peak <= can)
		return MB_OK;
	if (k.incoming)
		snprintf(arriving, sizeof(arriving), " + %d arriving during the migration", k.incoming);
	return mb_err(MB_EINPUT,
		      "the guests need %llu MiB of this machine's memory at their peak (%d on the "
		      "source, %d on the destination%s, %llu MiB each with QEMU's own), more than "
		      "it can give: %llu MiB (MemAvailable %llu MiB minus a %llu MiB safety margin); "
		      "use fewer or smaller guests",
		      (unsigned long long)(k.peak >> 20), k.on_source, k.on_destination,
		      arriving,
		      (unsigned long long)(k.per_guest >> 20), (unsigned long long)(can >> 20),
		      (unsigned long long)(avail >> 20), (unsigned long long)(margin >> 20));
}
