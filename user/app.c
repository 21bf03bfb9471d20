/* Small pieces every part of a run uses. */
#include <stdio.h>
#include "app.h"
#include "model/history.h"

uint64_t app__now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void app__emit(const struct tt_record *rec, void *ctx)
{
	struct app *a = ctx;

	a->view.ops->record(&a->view, rec);
	/* the text report beside CSV or JSON: shows a deadlock as it forms */
	if (a->report_view.ops)
		a->report_view.ops->record(&a->report_view, rec);
	if (a->history && history__record(a->history, rec))
		fprintf(stderr, "threadtrace: out of memory for the timeline\n");
}
