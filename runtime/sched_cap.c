/*
** runtime/sched_cap.c -- frequency caps (runtime/sched_timing.h).
*/
#include "runtime/sched_timing.h"

int campSchedCapClaim(Engine *e, DueTrace *w, const Loaded *l, const char *to, int64_t now, RunStats *rs) {
  (void)e; (void)w; (void)l; (void)to; (void)now; (void)rs;
  return 0;
}

void campSchedOrder(Engine *e, DueTrace *work, int n) { (void)e; (void)work; (void)n; }
