/* phases.c - window rates from cumulative counters (see phases.h). */
#include "samples/phases.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

void obs_push(struct obs_log *l, const struct obs *o)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->v = mb_xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = *o;
}

void obs_free(struct obs_log *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

double phases_count_at(const struct obs *v, size_t n, int64_t t)
{
	size_t lo = 0, hi;
	if (n == 0 || t < v[0].host_ns || t > v[n - 1].host_ns)
		return NAN;
	/* The last sample at or before t (binary search: receipt times rise). */
	hi = n - 1;
	while (lo < hi) {
		size_t mid = (lo + hi + 1) / 2;
		if (v[mid].host_ns <= t)
			lo = mid;
		else
			hi = mid - 1;
	}
	if (lo == n - 1 || v[lo].host_ns == t)
		return (double)v[lo].count;
	{
		const struct obs *a = &v[lo], *b = &v[lo + 1];
		double f = (double)(t - a->host_ns) / (double)(b->host_ns - a->host_ns);
		return (double)a->count + f * ((double)b->count - (double)a->count);
	}
}

static void window(const struct obs *v, size_t n, int64_t t_ref, int64_t a, int64_t b,
		   struct phase_stats *ps)
{
	double ca, cb, sum = 0, sum2 = 0;
	int k = 0;

	ps->start_s = (double)(a - t_ref) / 1e9;
	ps->end_s = (double)(b - t_ref) / 1e9;
	ps->n = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i].host_ns >= a && v[i].host_ns < b) {
			ps->n++;
			if (i > 0 && v[i - 1].host_ns >= a && v[i].host_ns > v[i - 1].host_ns) {
				double r = ((double)v[i].count - (double)v[i - 1].count) /
					   ((double)(v[i].host_ns - v[i - 1].host_ns) / 1e9);
				sum += r;
				sum2 += r * r;
				k++;
			}
		}
	}
	ca = phases_count_at(v, n, a);
	cb = phases_count_at(v, n, b);
	ps->rate = (b > a && !isnan(ca) && !isnan(cb)) ? (cb - ca) / ((double)(b - a) / 1e9) : NAN;
	if (k >= 2) {
		double mean = sum / k, var = sum2 / k - mean * mean;
		ps->stddev = sqrt(var > 0 ? var * k / (k - 1) : 0);
	} else {
		ps->stddev = NAN;
	}
}

void phases_compute(const struct obs *v, size_t n, int64_t t_ref, int64_t t_before,
		    int64_t t_start, int64_t t_resume, int64_t t_after, struct phases *out)
{
	const struct obs *prev = NULL;
	uint64_t seq_first = 0, seq_last = 0, events = 0;

	memset(out, 0, sizeof(*out));
	window(v, n, t_ref, t_before, t_start, &out->before);
	window(v, n, t_ref, t_start, t_resume, &out->during);
	window(v, n, t_ref, t_resume, t_after, &out->after);
	out->ratio_during = out->before.rate > 0 ? out->during.rate / out->before.rate : NAN;
	out->ratio_after = out->before.rate > 0 ? out->after.rate / out->before.rate : NAN;

	for (size_t i = 0; i < n; i++) {
		const struct obs *o = &v[i];
		if (o->host_ns < t_before || o->host_ns > t_after)
			continue;
		if (prev && o->count < prev->count) {
			out->out_of_order++;
			continue;
		}
		if (!out->received)
			seq_first = o->seq;
		else
			events += o->events;
		seq_last = o->seq;
		out->received++;
		if (prev) {
			double g = (double)(o->host_ns - prev->host_ns) / 1e9;
			if (g > out->gap_s) {
				out->gap_s = g;
				out->gap_start_s = (double)(prev->host_ns - t_ref) / 1e9;
				out->guest_gap_s = ((double)o->guest_ns - (double)prev->guest_ns) / 1e9;
			}
		}
		prev = o;
	}
	/* Events between the samples took sequence numbers too. */
	if (out->received && seq_last >= seq_first && seq_last - seq_first + 1 > out->received + events)
		out->lost = seq_last - seq_first + 1 - out->received - events;
}

void phases_running(const struct obs *v, size_t n, int64_t t_ref, int64_t t_start, int64_t t_pause,
		    struct phases *out)
{
	int64_t last = 0;
	for (size_t i = 0; t_pause > t_start && i < n && v[i].host_ns < t_pause; i++)
		last = v[i].host_ns;
	memset(&out->running, 0, sizeof(out->running));
	out->running.rate = out->running.stddev = NAN;
	out->ratio_running = NAN;
	if (last <= t_start) {
		out->running.start_s = (double)(t_start - t_ref) / 1e9;
		out->running.end_s = NAN;
		return;
	}
	/* Up to and including the last sample: window() takes [a, b). */
	window(v, n, t_ref, t_start, last + 1, &out->running);
	out->ratio_running = out->before.rate > 0 ? out->running.rate / out->before.rate : NAN;
}
