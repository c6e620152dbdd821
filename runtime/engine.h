/*
** runtime/engine.h -- the runtime's front door: a campaign database.
**
** Owns: the operations the commands perform on a database: open/init with
** an optional simulated clock, deploy (and plan) images, start/stop, run
** due work up to a time, record events, report.  The SQL lives in
** runtime/store_*.c (the only files that include sqlite3.h); the VM runs
** filters, templates and actions; channels carry messages.
*/
#ifndef CAMP_ENGINE_H
#define CAMP_ENGINE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "runtime/message.h"

typedef struct Engine Engine;

/* Trace states as stored. */
enum {
  TRACE_SCHEDULED = 0,  /* has a due time */
  TRACE_WAITING,        /* armed: waits for an event on its parent (no due time) */
  TRACE_PROCESSED,
  TRACE_REJECTED,
  TRACE_CANCELED,
  TRACE_ERROR,
  TRACE_SENDING         /* claimed with its Message-ID; being sent */
};

/* Event bits on a trace (a parent's engagement). */
enum { EV_OPEN = 1, EV_CLICK = 2, EV_REPLY = 4, EV_BOUNCE = 8 };

/* Open (create == 0) or create (create == 1) a database.  clock: simulated
** start time for a new database, or INT64_MIN for the real clock.  NULL
** with a message in err. */
Engine *campEngineOpen(const char *path, int create, int64_t clock, char *err, size_t errSize);
void campEngineClose(Engine *e);
/* The A/B test winner the scheduler chose on this engine
** (runtime/sched_branch.c): a test has one winner, kept with the engine so
** that each database -- each of camp test's too -- chooses its own. */
typedef struct EngineWinner {
  int set;
  int64_t campaign;
  int version;
  uint32_t act, variant;
  char note[512];
} EngineWinner;
EngineWinner *campEngineWinner(Engine *e);

/* camp test: the whole database of e as bytes (sqlite3_malloc'd; free
** with campStoreSnapshotFree), and a new engine on a private in-memory copy
** of such bytes -- each test starts from one deployed database without
** building it again.  NULL on out of memory (the open: with err). */
unsigned char *campStoreSnapshot(Engine *e, size_t *len);
void campStoreSnapshotFree(unsigned char *db);
Engine *campEngineOpenSnapshot(const unsigned char *db, size_t len, char *err, size_t errSize);

/* The database's own secret: 64 hex digits from OpenSSL's RAND_bytes, made
** by camp init (or on the first open of an older database) and kept in the
** database.  It keys the Message-IDs, and the tracking tokens unless
** $CAMP_SECRET overrides it.  Owned by e. */
const char *campEngineSecret(Engine *e);
/* What e was opened as, fit to show: its path, or its URL without a password. */
const char *campEngineName(Engine *e);

/* The database's previous secrets, comma-separated (*out malloc'd; "" when
** none): tokens they signed still verify.  -1 with a message in err. */
int campEngineSecretsPrevious(Engine *e, char **out, char *err, size_t errSize);

/* Rotate: a new random secret replaces the database's, which joins the
** previous ones (retire == 0); or forget the previous ones (retire == 1).
** A running camp serve keeps the keys it started with. */
int campEngineSecretRotate(Engine *e, int retire, char *err, size_t errSize);

/* The database's clock: simulated when it has one, else the wall clock. */
int64_t campEngineNow(Engine *e);
int campEngineIsSimulated(Engine *e);
/* Read a simulated clock afresh (another process may have moved it since
** this connection last did: campEngineBegin does it for every batch; a
** reader outside any transaction, such as a server's request thread, asks). */
void campEngineRefreshClock(Engine *e);

/* One property of a campaign's source as `camp fmt` prints it (what
** compiler/source.h hands out): activity "" for the campaign's own. */
typedef struct DeployText { char *campaign, *activity, *field, *text; size_t len; } DeployText;
typedef struct DeploySource { DeployText *v; size_t n, cap; } DeploySource;

/* What deploys and plans changed, added up over the images of a command. */
typedef struct DeployStats {
  long add, change, remove;   /* models, campaigns and activities */
  long enrolled, left;        /* plan: what the next sync would do */
} DeployStats;

typedef struct DeployOptions {
  int start;                  /* set the campaigns running */
  int dryRun;                 /* plan: print what would change, change nothing */
  int color;                  /* colour the marks: + green, - red, ~ yellow */
  FILE *out;                  /* the plan, or deploy's lines as it applies them; NULL: silent */
  DeployStats *stats;         /* added to; may be NULL */
} DeployOptions;

/* One compiled file to deploy: its image, and its source (stored with each
** version and compared with the deployed one; NULL: none, nothing to
** compare). */
typedef struct DeployImage { const uint8_t *img; size_t len; const DeploySource *source; } DeployImage;

/* Deploy images, in order and in one transaction (all or nothing): create
** or extend model tables, store a new version of each campaign they hold
** (with its source), apply the sync rules to participants in flight,
** printing per campaign and activity what changes (docs/RUNTIME.md,
** "Plan").  With o->dryRun print the plan, with what the next sync would
** do, and change nothing.  Returns 1 when something changes (or would), 0
** when nothing does, -1 on error with a message in err. */
int campEngineDeploy(Engine *e, const DeployImage *images, size_t n, const DeployOptions *o, char *err, size_t errSize);

/* The closing line of a plan or a deploy (runtime/plan.h). */
void campEngineDeploySummary(const DeployStats *s, const DeployOptions *o);


/* Group many events in one transaction (campSchedEvent joins an open
** one instead of committing each event by itself). */
int campEngineBegin(Engine *e, char *err, size_t errSize);
int campEngineCommit(Engine *e, char *err, size_t errSize);

#endif
