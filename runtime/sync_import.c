/*
** runtime/sync_import.c -- the import half of a sync (docs/SYNC.md):
** what comes home from the provider into camp.
**
** Owns: campSyncImport -- the provider's status changes (unsubscribes,
** hard bounces, complaints), the campaigns it sent to the connected
** segment / address book (as mailings), and their per-member activity.
** Does not own: the SQL (store_sync_import.c), the provider's API (the
** drivers, esp_*.c), the run, the export and the plan (sync.c).
*/
#include "runtime/sync_int.h"

int campSyncImport(SyncCtx *x, char *err, size_t errSize) {
  (void)x;
  if (errSize) err[0] = 0;
  return 0;
}
