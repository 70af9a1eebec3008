/* console.c - streaming the guest console through libvirt into samples.
 *
 * The stream is non-blocking; libvirt's event loop thread calls us when
 * bytes are readable, we stamp them with CLOCK_MONOTONIC at once and feed
 * the sample parser.  Everything else reads the collected samples under the
 * mutex. */
#define _GNU_SOURCE
#include "migrate/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "migrate/virt.h"

void console_init(struct console *c, FILE *raw)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cond, NULL);
	sample_stream_init(&c->ss);
	c->raw = raw;
	c->site = -1;
}

struct feed_ctx {
	struct console *c;
	int64_t now;
};

/* "dev=vda read_bytes=N write_bytes=M" (workloads/PROTOCOL.md). */
static void blk_event(struct console *c, int64_t now, const char *text)
{
	unsigned long long rd, wr;
	char dev[16];
	if (sscanf(text, "dev=%15s read_bytes=%llu write_bytes=%llu", dev, &rd, &wr) != 3)
		return;
	snprintf(c->blkdev, sizeof(c->blkdev), "%s", dev);
	if (c->nblk == c->capblk) {
		c->capblk = c->capblk ? 2 * c->capblk : 64;
		c->blk = mb_xrealloc(c->blk, c->capblk * sizeof(*c->blk));
	}
	c->blk[c->nblk++] = (struct blk_obs){ now, rd, wr };
}

static void on_sample(void *ctx, const struct sample *s)
{
	struct feed_ctx *f = ctx;
	struct console *c = f->c;
	if (s->kind == SAMPLE_DATA) {
		struct obs o = { .host_ns = f->now, .seq = s->seq, .guest_ns = s->guest_ns,
				 .count = s->count, .site = c->site, .events = c->events_since };
		c->events_since = 0;
		obs_push(&c->log, &o);
		c->last_rx_ns = f->now;
		snprintf(c->wl, sizeof(c->wl), "%s", s->wl);
		snprintf(c->unit, sizeof(c->unit), "%s", s->unit);
	} else if (s->kind == SAMPLE_EVENT) {
		c->events_since++;
		if (!strcmp(s->event, "blk"))
			blk_event(c, f->now, s->text);
		else if (!strcmp(s->event, "error"))
			snprintf(c->error, sizeof(c->error), "%s", s->text);
		else if (!strcmp(s->event, "exit"))
			c->exited = true;
		else if (!strcmp(s->event, "resident"))
			snprintf(c->resident, sizeof(c->resident), "%s", s->text);
	}
}

/* Called with c->mu held. */
static void end_stream(struct console *c, virStreamPtr st)
{
	if (!st || c->st != st)
		return;
	virStreamEventRemoveCallback(st);
	virStreamAbort(st);
	virStreamFree(st);
	c->st = NULL;
	if (c->site >= 0 && c->site < 2)
		c->closed_ns[c->site] = mb_mono_ns();
	/* A line cut by the switchover must not be glued to the next host's. */
	if (c->ss.len) {
		c->ss.malformed++;
		c->ss.len = 0;
	}
}

static void on_readable(virStreamPtr st, int events, void *opaque)
{
	struct console *c = opaque;
	char buf[4096];
	pthread_mutex_lock(&c->mu);
	if (c->st != st) {
		pthread_mutex_unlock(&c->mu);
		return;
	}
	for (;;) {
		int n = virStreamRecv(st, buf, sizeof(buf));
		if (n > 0) {
			struct feed_ctx f = { c, mb_mono_ns() };
			c->bytes += (uint64_t)n;
			/* Kernel messages are not samples, but this one explains a silence. */
			if (memmem(buf, (size_t)n, "Kernel panic", 12))
				c->panicked = true;
			if (c->raw)
				fwrite(buf, 1, (size_t)n, c->raw);
			sample_stream_feed(&c->ss, buf, (size_t)n, on_sample, &f);
			pthread_cond_broadcast(&c->cond);
			continue;
		}
		if (n == -2)
			break; /* nothing more for now */
		/* 0: end of stream (the guest left this host); -1: error. */
		end_stream(c, st);
		pthread_cond_broadcast(&c->cond);
		break;
	}
	if (events & (VIR_STREAM_EVENT_HANGUP | VIR_STREAM_EVENT_ERROR)) {
		end_stream(c, st);
		pthread_cond_broadcast(&c->cond);
	}
	pthread_mutex_unlock(&c->mu);
}

int console_open(struct console *c, virConnectPtr conn, virDomainPtr dom, int site,
		 const char *host)
{
	virStreamPtr st;
	int rc = virt_init();
	if (rc)
		return rc;
	st = virStreamNew(conn, VIR_STREAM_NONBLOCK);
	if (!st)
		return virt_err(MB_EFAILED, host, "creating a console stream");
	if (virDomainOpenConsole(dom, NULL, st, VIR_DOMAIN_CONSOLE_FORCE) < 0) {
		rc = virt_err(MB_EFAILED, host, "opening the guest console");
		virStreamFree(st);
		return rc;
	}
	pthread_mutex_lock(&c->mu);
	end_stream(c, c->st);
	c->st = st;
	c->site = site;
	c->opens++;
	if (site >= 0 && site < 2)
		c->opened_ns[site] = mb_mono_ns();
	pthread_mutex_unlock(&c->mu);
	if (virStreamEventAddCallback(st, VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_HANGUP |
						  VIR_STREAM_EVENT_ERROR,
				      on_readable, c, NULL) < 0) {
		rc = virt_err(MB_EFAILED, host, "watching the guest console");
		pthread_mutex_lock(&c->mu);
		end_stream(c, st);
		pthread_mutex_unlock(&c->mu);
		return rc;
	}
	return MB_OK;
}

void console_close(struct console *c)
{
	pthread_mutex_lock(&c->mu);
	end_stream(c, c->st);
	pthread_mutex_unlock(&c->mu);
}

void console_free(struct console *c)
{
	console_close(c);
	obs_free(&c->log);
	free(c->blk);
	c->blk = NULL;
	c->nblk = c->capblk = 0;
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->mu);
}

int console_wait_samples(struct console *c, size_t n, int64_t timeout_ns)
{
	int64_t deadline = mb_mono_ns() + timeout_ns;
	int rc = MB_OK;
	pthread_mutex_lock(&c->mu);
	while (c->log.n < n && !c->error[0]) {
		struct timespec ts;
		int64_t left = deadline - mb_mono_ns();
		if (left <= 0) {
			rc = MB_EFAILED;
			break;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += (time_t)(left / MB_NSEC_PER_SEC);
		ts.tv_nsec += (long)(left % MB_NSEC_PER_SEC);
		if (ts.tv_nsec >= MB_NSEC_PER_SEC) {
			ts.tv_sec++;
			ts.tv_nsec -= MB_NSEC_PER_SEC;
		}
		pthread_cond_timedwait(&c->cond, &c->mu, &ts);
	}
	if (c->error[0])
		rc = MB_EFAILED;
	pthread_mutex_unlock(&c->mu);
	return rc;
}

size_t console_snapshot(struct console *c, struct obs **out)
{
	size_t n;
	pthread_mutex_lock(&c->mu);
	n = c->log.n;
	*out = mb_xmalloc((n ? n : 1) * sizeof(**out));
	memcpy(*out, c->log.v, n * sizeof(**out));
	pthread_mutex_unlock(&c->mu);
	return n;
}
