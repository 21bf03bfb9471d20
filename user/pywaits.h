/*
 * CPython targets: Python frames at each blocking wait. Tells the kernel side
 * where the interpreter keeps its threads and frames (bpf/pywait.bpf.c reads
 * them at each wait), and turns each Python stack it sends into
 * file:function:line frames and a kind (model/pystacks.h), while the target
 * still runs: a code object is read from the target's memory, which is gone
 * once it exits.
 */
#ifndef TT_PYWAITS_H
#define TT_PYWAITS_H

struct app;
struct pyproc;
struct tt_event;

/* The interpreter p was opened: the kernel side starts reading frames at waits. */
void pywaits__start(struct app *a, struct pyproc *p);
/* Each read of its names: what could not be found at the start (`_thread` not imported yet). */
void pywaits__refresh(struct app *a, struct pyproc *p);
/* It is gone (an exec): the kernel side stops. */
void pywaits__stop(struct app *a);
/* events.c's sink: a TT_EV_PYSTACK, resolved into a->pystacks (ctx: the app). */
void pywaits__on_pystack(const struct tt_event *e, void *ctx);

#endif
