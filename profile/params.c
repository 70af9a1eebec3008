/* params.c - the effective config into each subsystem's parameter struct. */
#include "profile/params.h"

#include <string.h>

#include "profile/values.h"

#define STR_(x) #x
#define STR(x) STR_(x)

void lab_params_from_config(struct lab_params *p, const struct mb_config *c)
{
	memset(p, 0, sizeof(*p));
	p->name = c->lab_name;
	p->dir = c->lab_dir;
	p->lun_size = c->lab_lun_size;
	p->fill = c->lab_fill;
	p->link = c->lab_link;
}

void link_params_from_config(const struct mb_config *c, struct link_params *p)
{
	memset(p, 0, sizeof(*p));
	p->delay_ns = c->delay_ns;
	p->jitter_ns = c->jitter_ns;
	p->jitter_dist = c->jitter_dist;
	p->loss = c->loss;
	/* source->destination is a->b on every lab link (and the one end a
	 * real host shapes); rate_up/rate_down override rate per direction. */
	p->rate = c->rate_up > 0 ? c->rate_up : c->rate;
	p->rate_ba = c->rate_down > 0 ? c->rate_down : c->rate;
	p->queue = c->queue;
}

void mig_params_from_config(const struct mb_config *c, struct mig_params *p)
{
	memset(p, 0, sizeof(*p));
	p->max_downtime_ns = c->max_downtime_ns;
	p->bandwidth = c->bandwidth;
	p->auto_converge = c->auto_converge;
	p->auto_converge_initial = c->auto_converge_initial;
	p->auto_converge_increment = c->auto_converge_increment;
	p->xbzrle = c->xbzrle;
	p->xbzrle_cache = c->xbzrle_cache;
	p->compression = c->compression;
	p->multifd = c->multifd;
	p->postcopy_after = c->postcopy_after;
	p->timeout_ns = c->timeout_ns;
}

void wl_params_from_config(const struct mb_config *c, struct wl_params *p)
{
	memset(p, 0, sizeof(*p));
	p->kind = c->workload;
	p->interval_ns = c->interval_ns;
	p->cpuadd_round = c->cpuadd_round;
	p->seqread_block = c->seqread_block;
	p->seqread_size = c->seqread_size;
	p->seqread_offset = c->seqread_offset;
	p->seqread_direct = c->seqread_direct;
	p->memdirty_size = c->memdirty_size;
	p->memdirty_rate = c->memdirty_rate;
	p->resident = wl_resident_bytes(c->resident, c->memory);
	p->resident_pattern = c->resident_pattern;
	p->guest_args = c->guest_args;
	if (c->nic) {
		p->net_addr = LAB_GNET_GUEST_ADDR "/" LAB_GNET_PREFIX;
		p->net_sink = LAB_GNET_HOST_ADDR ":" STR(LAB_GNET_SINK_PORT);
		p->echo_port = c->echo_probe ? LAB_GNET_ECHO_PORT : 0;
	}
}

int wl_guest_cmdline(const struct mb_config *c, char *buf, size_t len)
{
	struct wl_params p;
	wl_params_from_config(c, &p);
	return wl_cmdline(&p, buf, len);
}

int tcp_buffers_from_config(const struct mb_config *c, int *mode, uint64_t *bytes)
{
	return value_tcp_buffers(c->tcp_buffers, mode, bytes);
}
