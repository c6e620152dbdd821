/*
** runtime/sync_int.h -- inside the sync engine: what sync.c (a run, the
** export, the plan), sync_import.c (the import) and sync_deliver.c (`via`)
** share.  Nothing outside runtime/sync*.c includes it.
*/
#ifndef CAMP_SYNC_INT_H
#define CAMP_SYNC_INT_H
#include <glib.h>
#include "runtime/esp.h"
#include "runtime/store.h"
#include "runtime/sync.h"

/* One sync being run. */
typedef struct SyncCtx {
  Engine *e;
  const SyncOptions *o;
  SyncStats *st;
  Program *p;                 /* the sync's deployed image (campStoreSyncProgram) */
  const ProgSync *y;          /* p->syncs[si] */
  const char *name;           /* the sync's name */
  const char *list, *model;   /* its list and the list's model */
  uint32_t email;             /* the model's email field (the first TYPE_EMAIL) */
  const EspDriver *d;
  EspConn c;                  /* open (campSyncOpen) */
  GHashTable *gone;           /* lower-cased addresses this run's import unsubscribed, or (dry run) would: the export
                                 must not subscribe them again (char * keys owned by the table) */
  int changes;                /* a dry run: something would change */
  struct SyncPlan *plan;      /* sync.c's: the plan lines kept per side until the sync's end */
} SyncCtx;

/* sync.c: load deployed sync name, fill x, open the driver (x->c.remoteId
** from the store; stored back when the driver found or created it). */
int campSyncOpen(SyncCtx *x, Engine *e, const SyncOptions *o, SyncStats *st, const char *name, char *err, size_t errSize);
void campSyncClose(SyncCtx *x);
/* sync.c: one line of the plan (dry run) or of the summary, Terraform-
** style: side 'e' (the provider's) or 'c' (camp's), mark '+', '-', '~',
** '!' (unsubscribe), or 0; sets x->changes when mark != 0. */
void campSyncPlanLine(SyncCtx *x, char side, char mark, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* sync_members.c: the sync's list by lower-cased address (several records
** with one address: one member, the send set first, then the lowest id):
** WANT_SEND a member of the send set, its nfield values rendered (a model
** field as camp prints it, null ""; a template plain); WANT_UNSUB a
** member unsubscribed from the list; WANT_REMOVED removed from it.  A
** GHashTable of char * -> SyncWant * (g_hash_table_destroy frees all), or
** NULL with the message in err. */
enum { WANT_SEND = 1, WANT_UNSUB, WANT_REMOVED };
typedef struct SyncWant { char *email; int state; int64_t id; char **values; size_t nfield; } SyncWant;
GHashTable *campSyncMembersDesired(SyncCtx *x, char *err, size_t errSize);
/* sync_import.c: statuses, then campaigns, then each campaign's activity,
** each step one transaction committed with its cursor (a dry run: read
** only, plan lines and counts).  0 or -1. */
int campSyncImport(SyncCtx *x, char *err, size_t errSize);

#endif
