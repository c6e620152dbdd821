/*
** runtime/store_engine.h -- what the store_*.c files share (private to them).
**
** Owns: the Engine struct, the program cache and small SQL helpers.
*/
#ifndef CAMP_STORE_ENGINE_H
#define CAMP_STORE_ENGINE_H

#include <sqlite3.h>
#include "runtime/engine.h"
#include "runtime/program.h"
#include "runtime/vm.h"

#define MAX_FIELDS CAMP_MAX_FIELDS   /* the compiler and the loader refuse more */
#define LINKSETS_SEEN 8

/* A deployed campaign version in memory. */
typedef struct Loaded {
  int64_t campaign;         /* camp_campaign.id */
  int version;
  unsigned gen;             /* Engine.gen when the version was last confirmed */
  Program *p;
  uint32_t camp;            /* index in p->camps */
  int64_t *actId;           /* camp_activity.id per image activity index (p->nact entries) */
  int emailField, phoneField, nameField;   /* field indexes or -1 */
  int optOutField;          /* the model's declared opt-out field (a bool) or -1 */
  sqlite3_stmt *loadRecord; /* SELECT fields FROM model WHERE id = ? */
  char hash[65];            /* the image's SHA-256 in hex */
} Loaded;

struct Engine {
  sqlite3 *db;
  int simulated;
  int64_t clock;
  Vm *vm;
  Loaded cache[32];
  int ncache;
  /* the record being worked on, for VM hosts */
  Value fields[MAX_FIELDS];
  char *fieldText[MAX_FIELDS];
  int64_t recordId;
  const Loaded *cur;
  /* prepared statements by SQL text, kept for the engine's life */
  struct { const char *key; uint32_t hash; char *sql; sqlite3_stmt *st; } stmts[128];
  int nstmt;
  unsigned gen;             /* bumped per batch: cached versions are re-checked once per batch */
  long recordWrites;        /* records changed by actions in this process (set, tags, create) */
  uint32_t curActivity;     /* image index of the activity whose actions run, or CAMP_NONE */
  int64_t curTrace;         /* the trace whose actions run (webhook() queues under it) */
  int outboxed;             /* webhooks those actions queued in camp_outbox */
  /* lists of link targets looked up or added in this batch's transaction
  ** (camp_linkset), valid while gen is unchanged (store_run.c) */
  struct { unsigned gen; uint32_t hash; size_t len; char *links; int64_t id; } linksets[LINKSETS_SEEN];
  int nextLinkset;
  /* claims (store_runner.c) */
  int64_t runner;           /* this process's camp_runner id once it claimed work, else 0 */
  char command[16];         /* what the runner row calls this process ("run", "test") */
  int noWait;               /* the busy handler gives up at once (the recorder's tries) */
  Engine *recorder;         /* a second connection, for the send thread's results (store_run.c) */
  char secret[65];          /* the database's own secret, 64 hex digits (campEngineSecret) */
};

/* Run SQL without results; -1 with the message in err. */
int campStoreExec(Engine *e, const char *sql, char *err, size_t errSize);
sqlite3_stmt *campStorePrepare(Engine *e, const char *sql, char *err, size_t errSize);
/* A hash of n bytes, for the engine's small caches. */
uint32_t campStoreHash(const char *p, size_t n);
/* A cached prepared statement for sql, reset and unbound; do not finalize
** it.  NULL on a prepare error (with the message in err). */
sqlite3_stmt *campStoreStmt(Engine *e, const char *sql, char *err, size_t errSize);
/* Run a statement without results through the statement cache (savepoints
** and the like, run once per trace or event); err may be NULL. */
int campStoreStep(Engine *e, const char *sql, char *err, size_t errSize);
int campStoreSetClock(Engine *e, int64_t t);

/* The current version of a campaign (by id), loaded and cached. */
const Loaded *campStoreLoaded(Engine *e, int64_t campaign, char *err, size_t errSize);
void campStoreForget(Engine *e, int64_t campaign);

/* Load record id of the campaign's model into e->fields; 0 found, 1 gone, -1 error. */
int campStoreLoadRecord(Engine *e, const Loaded *l, int64_t id, char *err, size_t errSize);
/* Bind the columns of a row (model fields in image order starting at col)
** into e->fields. */
void campStoreRowToFields(Engine *e, const Loaded *l, sqlite3_stmt *st, int col);

/* Odoo's participant sync for one campaign, inside the caller's
** transaction: leave / unlink, then enrol new matches (store_run.c). */
int campStoreSync(Engine *e, int64_t campaign, RunStats *rs, char *err, size_t errSize);

/* A VmHost over e for the record in e->fields (store_record.c): actions
** compute their effect (actions.c) and the verbs below apply it. */
void campStoreHost(Engine *e, VmHost *h);

/* record writes: applied effects (store verbs) */
/* In store_record.c.  Each runs inside the caller's transaction (an
** activity's actions share a savepoint); identifiers are names from the
** image; 0, or -1 with a message in err.  campStoreRecordSet also writes add_tag/remove_tag's
** new tags text; opt_out() is campStoreSuppress. */
int campStoreRecordSet(Engine *e, const char *model, int64_t record, const char *field, const Value *value,
                       char *err, size_t errSize);
/* Make record of model a member of list (add) or not (!add); idempotent. */
int campStoreRecordList(Engine *e, const char *list, const char *model, int64_t record, int add,
                        char *err, size_t errSize);
int campStoreRecordNote(Engine *e, const char *model, int64_t record, const Value *text, int64_t at,
                        char *err, size_t errSize);
/* A new record of model with the n named fields set (n == 0: defaults). */
int campStoreRecordCreate(Engine *e, const char *model, int n, const char *const *fields, const Value *values,
                          char *err, size_t errSize);
/* Queue webhook idx of trace in camp_outbox: POSTed after the commit. */
int campStoreRecordWebhook(Engine *e, int64_t trace, int idx, const char *url, size_t urlLen, const char *body,
                           char *err, size_t errSize);
/* Replace the body of each webhook queued for trace, in idx order, with
** rewrite(ctx, body) (malloc'd, freed here; NULL: out of memory). */
typedef char *(*CampWebhookRewrite)(void *ctx, const char *body);
int campStoreRecordWebhookBodies(Engine *e, int64_t trace, CampWebhookRewrite rewrite, void *ctx,
                                 char *err, size_t errSize);
/* end of record writes */

/* Suppression (store_suppress.c).  sms: 0 for the 'email' channel, 1 for
** 'sms'.  campStoreAddress is the one normalisation of an address
** (malloc'd; NULL when out of memory); campStoreSuppress returns 1 added,
** 0 already there, -1 error; campStoreSuppressed 1 yes, 0 no, -1 error. */
const char *campStoreChannelName(int sms);
char *campStoreAddress(int sms, const char *s, size_t len);
int campStoreSuppress(Engine *e, int sms, const char *addr, size_t len, const char *reason, int64_t at,
                      char *err, size_t errSize);
int campStoreSuppressed(Engine *e, int sms, const char *addr, size_t len, char *err, size_t errSize);

/* Claims (store_runner.c).  The busy handler every connection waits with
** for the write lock; inside a write transaction, register this process as
** a runner (once) and beat its heart, forgetting dead runners; at the end
** of a clean run, delete the row (what it still holds becomes free). */
void campStoreBusyInit(Engine *e);
int campStoreRunnerBeat(Engine *e, char *err, size_t errSize);
void campStoreRunnerEnd(Engine *e);

/* Complete participant when it runs and has nothing pending (store_run.c);
** inside the caller's transaction.  1 when it completed it. */
int campStoreMaybeComplete(Engine *e, int64_t participant);
/* The same for every running participant of a campaign (after a deploy). */
int campStoreCompleteCampaign(Engine *e, int64_t campaign);

/* Fill in the bodies of the webhooks queued for trace by the actions of
** activity act, from the record in e->fields (store_record.c, with
** campActionWebhookBody). */
int campStoreOutboxBodies(Engine *e, const Loaded *l, uint32_t act, int64_t trace, char *err, size_t errSize);

/* The same, appended to b whatever its length (SQL built from input). */
void campStoreIdentPut(Buf *b, const char *name);

#endif
