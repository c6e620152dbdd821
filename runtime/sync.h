/*
** runtime/sync.h -- ESP syncs (docs/SYNC.md): a list mirrored to a
** Mailchimp audience's static segment or a Dotdigital address book, the
** provider's unsubscribes, campaigns and activity brought home, and
** mailings delivered through the provider.
**
** The engine (runtime/sync.c: a run, the export and the plan;
** runtime/sync_import.c: the import; runtime/sync_deliver.c: `via`)
** drives an EspDriver (runtime/esp.h) and keeps everything it learns in
** the store (store_sync*.c).  A run is resumable: each step commits with
** its cursor, and every step is idempotent, so a run killed anywhere and
** run again ends where one clean run would have.
*/
#ifndef CAMP_SYNC_H
#define CAMP_SYNC_H
#include <stdio.h>
#include "runtime/engine.h"

typedef struct SyncOptions {
  const char *const *names;   /* the syncs to run; nname == 0: every deployed sync */
  size_t nname;
  int dryRun;                 /* read both sides, print the plan, change nothing */
  int exportOnly, importOnly; /* one half only */
  int dueOnly;                /* service mode: only syncs with `every` whose period has passed since their last run */
  FILE *out;                  /* the plan (dry run) or the summary */
  FILE *log;                  /* progress and per-member failures, timestamped (NULL: none) */
  int color;
  volatile const int *stop;   /* set by SIGINT/SIGTERM: stop after the current step */
} SyncOptions;

typedef struct SyncStats {
  long add, update, unsubscribe, remove, failed;      /* the provider's side (changes made, or planned) */
  long unsubscribed, suppressed, mailings, activity;  /* camp's side: list unsubscribes, suppressions, mailings, activity rows */
  long requests, retries;                             /* HTTP requests made, and retries among them */
} SyncStats;

/* Run the syncs o names.  0 done (a dry run: nothing to change), 1 a dry
** run found changes, -1 with the message in err (the syncs before the
** failing one are done; a member the provider refuses is counted in
** failed and reported on o->log, not an error). */
int campSyncRun(Engine *e, const SyncOptions *o, SyncStats *st, char *err, size_t errSize);

/* A mailing declared `via mailchimp|dotdigital SYNC` that is due (camp send,
** or its `at` in camp run): create the provider's campaign for the sync's
** segment / address book, store its id, then send or schedule it -- once,
** even when killed and run again.  0, or -1 with the message in err. */
int campSyncDeliver(Engine *e, const char *mailing, FILE *log, char *err, size_t errSize);

#endif
