/*
** runtime/sched_visit.c -- what a contact's website hit does to the
** workflows it is in: `on visit` and `on no visit` (docs/RUNTIME.md).
**
** STUB of the issue-12 foundation: the triggers helper replaces it.
*/
#include "runtime/sched.h"
#include "runtime/store.h"

int campSchedVisit(Engine *e, const WebHit *h, int *fired, char *err, size_t errSize) {
  (void)e; (void)h; (void)err; (void)errSize;
  if (fired) *fired = 0;
  return 0;
}
