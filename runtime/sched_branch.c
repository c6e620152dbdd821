/*
** runtime/sched_branch.c -- split and if nodes, A/B winners
** (runtime/sched_timing.h).
*/
#include "runtime/sched_send.h"
#include "runtime/sched_timing.h"

int campSchedBranch(Engine *e, DueTrace *w, const Loaded *l, int64_t now, RunStats *rs) {
  rs->errors++;
  return campStoreSetTrace(e, w->trace, TRACE_ERROR, "split and if are not implemented yet", now) < 0 ? -1 : 0;
  (void)l;
}

int campSchedWinner(Engine *e, const Loaded *l, uint32_t act, int64_t trace) {
  (void)e; (void)l; (void)trace;
  return (int)act;
}
