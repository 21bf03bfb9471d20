/* Parallelism: the time-weighted distribution of threads running at once. */
#include <string.h>
#include "model/sched.h"

void parallelism__from_kernel(struct tt_parallelism *p, const struct tt_par *k, uint64_t now_ns)
{
	memcpy(p->ns, k->ns, sizeof(p->ns));
	if (k->last_ns && now_ns > k->last_ns && k->running < TT_PAR_SLOTS)
		p->ns[k->running] += now_ns - k->last_ns;
}

uint64_t parallelism__total_ns(const struct tt_parallelism *p)
{
	uint64_t t = 0;

	for (int i = 0; i < TT_PAR_SLOTS; i++)
		t += p->ns[i];
	return t;
}

double parallelism__mean(const struct tt_parallelism *p)
{
	double sum = 0;
	uint64_t t = parallelism__total_ns(p);

	for (int i = 0; i < TT_PAR_SLOTS; i++)
		sum += (double)i * (double)p->ns[i];
	return t ? sum / (double)t : 0;
}

unsigned parallelism__max(const struct tt_parallelism *p)
{
	unsigned m = 0;

	for (unsigned i = 0; i < TT_PAR_SLOTS; i++)
		if (p->ns[i])
			m = i;
	return m;
}
