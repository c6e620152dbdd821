/*
** runtime/sched_timing.c -- zones, calendar delays and send windows
** (runtime/sched_timing.h).
*/
#include "runtime/sched_timing.h"

/* Stub of the foundation: the delay in seconds as before (a calendar day
** 86400 s, a month 30 days), no time of day. */
int64_t campSchedDue(Engine *e, const Loaded *l, uint32_t act, int64_t base, int64_t record) {
  (void)e; (void)record;
  const ProgActivity *a = &l->p->acts[act];
  return base + a->delay + (int64_t)a->delayDays * 86400 + (int64_t)a->delayMonths * 30 * 86400;
}

int campSchedGate(Engine *e, DueTrace *w, const Loaded *l, const char *to, int64_t now, RunStats *rs) {
  return campSchedCapClaim(e, w, l, to, now, rs);
}
