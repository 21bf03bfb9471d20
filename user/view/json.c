/* JSON views: the events as JSON lines (-o json) and the summary as one document (--summary-json). */
#include <inttypes.h>
#include <string.h>
#include "model/drops.h"
#include "sanitize.h"
#include "view/view.h"

void json__write_string(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', out);
	while (*s) {
		uint32_t cp;
		size_t n = sanitize__utf8_decode(s, &cp);

		if (!n) {
			fputs("\\ufffd", out); /* not UTF-8: JSON cannot carry the byte */
			s++;
		} else if (*s == '"' || *s == '\\') {
			fputc('\\', out);
			fputc(*s++, out);
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(out, "\\u%04x", *s++);
		} else {
			fwrite(s, 1, n, out);
			s += n;
		}
	}
	fputc('"', out);
}

/* ,"key":"s" or ,"key":null */
static void json_opt_string(FILE *o, const char *key, const char *s)
{
	fprintf(o, ",\"%s\":", key);
	if (s && s[0])
		json__write_string(o, s);
	else
		fputs("null", o);
}

static void json_record(struct tt_view *v, const struct tt_record *r)
{
	FILE *o = v->out;

	fprintf(o, "{\"ts_ns\":%" PRIu64 ",\"tgid\":%d,\"tid\":%d,\"name\":", r->ts_ns, (int)r->tgid, (int)r->tid);
	json__write_string(o, r->name);
	fprintf(o, ",\"event\":\"%s\",\"peer_tid\":", record__kind_name(r->kind));
	if (r->peer_tid)
		fprintf(o, "%d", (int)r->peer_tid);
	else
		fputs("null", o);
	fputs(",\"dur_ns\":", o);
	if (r->has_dur)
		fprintf(o, "%" PRIu64, r->dur_ns);
	else
		fputs("null", o);
	fputs(",\"detail\":", o);
	json__write_string(o, r->detail);
	if (r->addr)
		fprintf(o, ",\"addr\":\"0x%" PRIx64 "\"", r->addr);
	else
		fputs(",\"addr\":null", o);
	if (r->has_status)
		fprintf(o, ",\"exit_code\":%d,\"signal\":%d", r->exit_code, r->signal);
	else
		fputs(",\"exit_code\":null,\"signal\":null", o);
	if (r->blocked_by)
		fprintf(o, ",\"blocked_by\":%d", (int)r->blocked_by);
	else
		fputs(",\"blocked_by\":null", o);
	json_opt_string(o, "py_name", r->py_name);
	json_opt_string(o, "py_stack", r->py_stack);
	if (r->site)
		fprintf(o, ",\"site\":\"0x%" PRIx64 "\"", r->site);
	else
		fputs(",\"site\":null", o);
	fputs("}\n", o);
	if (r->kind == TT_REC_DEADLOCK || r->kind == TT_REC_ALIVE || r->kind == TT_REC_TRACE)
		fflush(o);
}

static void json_summary(struct tt_view *v, const struct tt_report *report)
{
	(void)report;
	fflush(v->out);
}

static const struct tt_view_ops json_ops = {
	.record = json_record,
	.summary = json_summary,
};

void view__json_init(struct tt_view *v, FILE *out)
{
	v->ops = &json_ops;
	v->out = out;
	v->live = false;
}

/* The deadlocks found: one object per thread of each, in cycle order. */
static void write_deadlocks(FILE *f, const struct tt_report *r)
{
	size_t n;
	const struct tt_deadlock_member *m = deadlocks__members(r->deadlocks, &n);

	fputs("\"deadlocks\":[", f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s\n{\"deadlock\":%u,\"tgid\":%d,\"tid\":%d,\"owner\":%d,\"addr\":\"0x%" PRIx64
			   "\",\"lock\":", i ? "," : "", m[i].cycle, (int)m[i].tgid, (int)m[i].tid, (int)m[i].owner,
			m[i].addr);
		json__write_string(f, m[i].lock);
		fprintf(f, ",\"found_ns\":%" PRIu64 ",\"blocked_ns\":%" PRIu64, m[i].found_ns, m[i].blocked_ns);
		json_opt_string(f, "stack", m[i].stack);
		json_opt_string(f, "py_stack", m[i].py_stack);
		fputc('}', f);
	}
	fputs("],\n", f);
}

/*
 * A lock's top call sites, as the text summary shows them (--stacks; CPython's Python frames):
 * "frames" innermost first, " < " between them, the same names; "site" the id of its native
 * stack (the `site` of `wait` events, sites.csv); null where unknown.
 */
static void write_sites(FILE *f, const struct tt_lock *k, const struct tt_pystacks *ps)
{
	bool first = true;

	fputs(",\"sites\":[", f);
	for (int s = 0; s < TT_TOP_SITES; s++) {
		const struct tt_site *site = &k->sites[s];
		const struct tt_pystack *py = pystacks__find(ps, site->py_stack);

		if (!site->count || (!site->frames && !py))
			continue;
		fprintf(f, "%s{\"waits\":%" PRIu64 ",\"total_wait_ns\":%" PRIu64 ",\"site\":", first ? "" : ",",
			site->count, site->total_ns);
		/* the id `wait` events carry: a native stack's (--stacks), not a Python stack's alone */
		site->stack_id >= 0 || site->scan[0] ? fprintf(f, "\"0x%" PRIx64 "\"", site->id) : fputs("null", f);
		fputs(",\"frames\":", f);
		site->frames ? json__write_string(f, site->frames) : fputs("null", f);
		fputs(",\"python\":", f);
		py ? json__write_string(f, py->text) : fputs("null", f);
		fputc('}', f);
		first = false;
	}
	fputc(']', f);
}

static void write_summary(FILE *f, const struct tt_report *r)
{
	const struct tt_verdict *vd = r->verdict;

	fprintf(f, "{\"wall_ns\":%" PRIu64 ",\"cpus\":%u,\n\"threads\":[", (uint64_t)(r->wall_s * 1e9), r->ncpu);
	for (size_t i = 0; i < r->threads->n; i++) {
		const struct tt_thread *th = &r->threads->v[i];

		fprintf(f, "%s\n{\"tgid\":%d,\"tid\":%d,\"name\":", i ? "," : "", (int)th->tgid, (int)th->tid);
		json__write_string(f, th->name);
		fprintf(f, ",\"creator\":");
		th->creator ? fprintf(f, "%d", (int)th->creator) : fputs("null", f);
		fputs(",\"start_ns\":", f);
		th->start_known ? fprintf(f, "%" PRIu64, th->start_ns) : fputs("null", f);
		fputs(",\"end_ns\":", f);
		th->ended ? fprintf(f, "%" PRIu64, th->end_ns) : fputs("null", f);
		fprintf(f, ",\"exit\":\"%s\",\"joined_by\":", th->ended ? thread__end_name(th->how) : "alive");
		th->joined ? fprintf(f, "%d", (int)th->joined_by) : fputs("null", f);
		fprintf(f, ",\"join\":\"%s\"", thread__join_seen_name(threads__join_seen(r->threads, th)));
		fputs(",\"join_wait_ns\":", f);
		th->joined ? fprintf(f, "%" PRIu64, th->join_wait_ns) : fputs("null", f);
		fprintf(f, ",\"oncpu_ns\":%" PRIu64 ",\"runq_ns\":%" PRIu64 ",\"lock_ns\":%" PRIu64
			   ",\"sleep_ns\":%" PRIu64 ",\"spin_ns\":%" PRIu64 ",\"futex_waits\":%" PRIu64
			   ",\"futex_wait_ns\":%" PRIu64,
			th->oncpu_ns, th->runq_ns, th->lock_ns, th->sleep_ns, th->spin_ns, th->waits, th->wait_ns);
		json_opt_string(f, "py_name", th->py_name);
		json_opt_string(f, "py_stack", th->py_stack);
		fputc('}', f);
	}
	fputs("],\n\"locks\":[", f);
	for (size_t i = 0, shown = 0; i < r->locks->n; i++) {
		const struct tt_lock *k = &r->locks->v[i];

		if (!lock__seen(k))
			continue;
		fprintf(f, "%s\n{\"tgid\":%d,\"addr\":\"0x%" PRIx64 "\",\"symbol\":", shown++ ? "," : "", (int)k->tgid,
			k->addr);
		json__write_string(f, k->name);
		fprintf(f, ",\"kind\":\"%s\",\"role\":\"%s\",\"waits\":%" PRIu64 ",\"timeouts\":%" PRIu64
			   ",\"interrupted\":%" PRIu64 ",\"total_wait_ns\":%" PRIu64
			   ",\"max_wait_ns\":%" PRIu64 ",\"threads\":%u,\"handoffs\":%" PRIu64 ",\"holds\":%" PRIu64
			   ",\"hold_p50_ns\":%" PRIu64 ",\"hold_p90_ns\":%" PRIu64 ",\"hold_p99_ns\":%" PRIu64
			   ",\"hold_max_ns\":%" PRIu64 ",\"hold_oncpu_ns\":%" PRIu64 ",\"holds_bounded\":%" PRIu64
			   ",\"spin_acquires\":%" PRIu64 ",\"spun_only\":%" PRIu64 ",\"spin_ns\":%" PRIu64
			   ",\"slow_ns\":%" PRIu64 ",\"gil_like\":%s",
			lock__kind_name(k), lock__role(k) == TT_ROLE_CONTENTION ? "contention" : "idle", k->waits,
			k->timeouts, k->interrupted, k->total_ns, k->max_ns, k->threads, k->handoffs,
			(uint64_t)k->hold.count, hold__percentile(&k->hold, 50), hold__percentile(&k->hold, 90),
			hold__percentile(&k->hold, 99), (uint64_t)k->hold.max_ns, (uint64_t)k->hold.oncpu_ns,
			(uint64_t)k->hold.bounded, k->spin_acquires, k->spun_only, k->spin_ns, k->slow_ns, vd->gil_like && k->tgid == vd->lock_tgid && (k->addr == vd->lock_addr || (k->is_gil && vd->is_gil))
				? "true" : "false");
		write_sites(f, k, r->pystacks);
		fputc('}', f);
	}
	fputs("],\n\"parallelism\":[", f);
	for (unsigned i = 0; i <= parallelism__max(r->par); i++)
		fprintf(f, "%s{\"running\":%u,\"time_ns\":%" PRIu64 "}", i ? "," : "", i, r->par->ns[i]);
	fprintf(f, "],\n\"parallelism_mean\":%.4f,\n", parallelism__mean(r->par));
	write_deadlocks(f, r);
	fprintf(f, "\"verdict\":{\"deadlock\":%s,\"deadlocks\":%u,\"held_blocking\":%s,\"hold_oncpu\":%.4f,"
		   "\"deadlock_reason\":",
		vd->deadlocks ? "true" : "false", vd->deadlocks, vd->held_blocking ? "true" : "false", vd->hold_oncpu);
	if (vd->deadlocks)
		json__write_string(f, vd->deadlock_reason);
	else
		fputs("null", f);
	fprintf(f, ",\"gil_like\":%s,\"lock\":", vd->gil_like ? "true" : "false");
	if (vd->has_candidate)
		json__write_string(f, vd->lock_name);
	else
		fputs("null", f);
	fprintf(f, ",\"share\":%.4f,\"handoffs_per_s\":%.2f,\"threads\":%u,\"parallelism\":%.4f,"
		   "\"parallelism_without\":%.4f,\"confidence\":\"%s\",\"reason\":",
		vd->share, vd->handoffs_per_s, vd->threads, vd->par_mean, vd->par_without, vd->confidence);
	json__write_string(f, vd->reason);
	fputs("},\n\"lost\":{", f);
	for (int k = 0; k < TT_DROP_MAX; k++)
		fprintf(f, "%s\"%s\":%" PRIu64, k ? "," : "", drops__info(k)->key, r->lost[k]);
	fputs("}}\n", f);
}

void summary_json__write(FILE *f, const struct tt_report *r)
{
	write_summary(f, r);
}
