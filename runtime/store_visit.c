/*
** runtime/store_visit.c -- visits: hits grouped per visitor, contact and
** website with a 30-minute inactivity cut.
**
** Owns: grouping (campStoreVisitsGroup).  STUB of the issue-12 foundation:
** the visits helper replaces it.
*/
#include "runtime/store_engine.h"

long campStoreVisitsGroup(Engine *e, char *err, size_t errSize) {
  (void)e; (void)err; (void)errSize;
  return 0;
}
