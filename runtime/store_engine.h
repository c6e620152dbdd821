/*
** runtime/store_engine.h -- what the store_*.c files share (private to them).
**
** Owns: the Engine struct, the program cache and small SQL helpers.
*/
#ifndef CAMP_STORE_ENGINE_H
#define CAMP_STORE_ENGINE_H

#include <sqlite3.h>
#include "runtime/db.h"
#include "runtime/engine.h"
#include "runtime/store.h"
#include "runtime/program.h"
#include "runtime/buf.h"
#include "runtime/clock.h"
#include "runtime/hash.h"
#include "runtime/vm.h"

#define MAX_FIELDS CAMP_MAX_FIELDS   /* the compiler and the loader refuse more */
#define LINKSETS_SEEN 8

/* Trace states and event bits as SQL text: the one spelling of each stored
** number in the statements. */
#define Q_SCHEDULED "0"
#define Q_WAITING "1"
#define Q_PROCESSED "2"
#define Q_REJECTED "3"
#define Q_CANCELED "4"
#define Q_ERROR "5"
#define Q_SENDING "6"
#define Q_EV_OPEN "1"
#define Q_EV_CLICK "2"
#define Q_EV_REPLY "4"
#define Q_EV_BOUNCE "8"
_Static_assert(TRACE_SCHEDULED == 0 && TRACE_WAITING == 1 && TRACE_PROCESSED == 2 && TRACE_REJECTED == 3 &&
               TRACE_CANCELED == 4 && TRACE_ERROR == 5 && TRACE_SENDING == 6, "Q_* spell the TRACE_* numbers");
_Static_assert(EV_OPEN == 1 && EV_CLICK == 2 && EV_REPLY == 4 && EV_BOUNCE == 8, "Q_EV_* spell the EV_* bits");
/* The message of a positive branch canceled because its window passed. */
#define Q_WINDOW_PASSED "'the event did not happen within the window'"
/* Pending (scheduled, waiting, sending): the partial (state, due) index's
** own WHERE, for a table alias t ("t." or ""); _PLUS: the same with the
** index disabled on state (+), where another index is the better path. */
#define Q_PENDING_AS(t) "(" t "state <= " Q_WAITING " OR " t "state = " Q_SENDING ")"
#define Q_PENDING_PLUS(t) "(+" t "state <= " Q_WAITING " OR +" t "state = " Q_SENDING ")"
/* How many rows of a group cond holds for, on SQLite and PostgreSQL alike
** (PostgreSQL has no sum(boolean)): 0, not null, for a group of none. */
#define Q_COUNT(cond) "sum(CASE WHEN " cond " THEN 1 ELSE 0 END)"


struct Engine {
  sqlite3 *db;              /* on SQLite: the handle under conn (its busy handler, snapshots); NULL on PostgreSQL */
  Db *conn;                 /* the connection every statement goes through (runtime/db.h) */
  char *target;             /* what was opened: a path or a URL (with its password: never shown) */
  int simulated;
  int64_t clock;
  Vm *vm;
  Loaded cache[32];
  DbStmt *loadRecord[32];   /* SELECT fields FROM model WHERE id = ?, per cache slot */
  int ncache;
  /* the record being worked on, for VM hosts */
  Value fields[MAX_FIELDS];
  char *fieldText[MAX_FIELDS];
  int64_t recordId;
  /* prepared statements by SQL text (campStoreDbStmt), finalized before conn closes */
  struct { const char *key; uint32_t hash; char *sql; DbStmt *st; } dbstmts[128];
  int ndbstmt;
  unsigned gen;             /* bumped per batch: cached versions are re-checked once per batch */
  int inBatch;              /* between campStoreBegin and its commit or rollback */
  EngineWinner winner;      /* campEngineWinner */
  /* camp_meta texts read in this batch's transaction (campStoreMetaText:
  ** the zone, windows and caps every decided message asks for), valid
  ** while gen is unchanged and inBatch (store_meta.c) */
  struct { unsigned gen; int found; char key[16]; char value[96]; } meta[8];
  int nextMeta;
  long recordWrites;        /* records changed by actions in this process (set, tags, create) */
  /* lists of link targets looked up or added in this batch's transaction
  ** (camp_linkset), valid while gen is unchanged (store_trace.c) */
  struct { unsigned gen; uint32_t hash; size_t len; char *links; int64_t id; } linksets[LINKSETS_SEEN];
  int nextLinkset;
  /* claims (store_runner.c) */
  int64_t runner;           /* this process's camp_runner id once it claimed work, else 0 */
  char command[16];         /* what the runner row calls this process ("run", "test") */
  int noWait;               /* the busy handler gives up at once (the recorder's tries) */
  int listening;            /* PostgreSQL: LISTEN camp done (campStoreWaitWork) */
  Engine *recorder;         /* a second connection, for the send thread's results (campStoreRecorder) */
  char secret[65];          /* the database's own secret, 64 hex digits (campEngineSecret) */
};

/* -1, with "database: " and the last error on e->conn in err. */
int campStoreConnError(Engine *e, char *err, size_t errSize);
/* The program of the deployed image sql (one bound name, one image
** column) finds for name, e.g. a list's or a sync's (store_list.c); NULL
** with the message in err ("no <what> 'name' is deployed (<shows> shows
** those that are)" when there is none). */
Program *campStoreImageProgram(Engine *e, const char *sql, const char *name, const char *what, const char *shows,
                               char *err, size_t errSize);
/* Keep a deployed image once, by its hash, in camp_image (store_list.c). */
int campStoreImageKeep(Engine *e, const DeployImage *im, const char *hash, char *err, size_t errSize);
/* The first column of every row of sql, as texts (*names malloc'd, each
** string too; store_list.c); -1 with the message in err. */
int campStoreColumnTexts(Engine *e, const char *sql, char ***names, size_t *n, char *err, size_t errSize);
/* Run SQL without results; -1 with the message in err. */
int campStoreExec(Engine *e, const char *sql, char *err, size_t errSize);
/* A cached prepared statement for sql, reset and unbound; do not finalize
** it.  NULL on a prepare error (with the message in err). */
DbStmt *campStoreDbStmt(Engine *e, const char *sql, char *err, size_t errSize);
/* One statement without results through the statement cache, its values
** bound from the arguments by kinds: 'i' an int64_t, 't' a text (NULL
** binds null).  0 done, -1 error (the message: campDbError(e->conn)). */
int campStoreDbRun(Engine *e, const char *sql, const char *kinds, ...);
/* An INSERT ... RETURNING id through campStoreDbRun's cache and binding:
** the new row's id, or -1 (the error: campDbError(e->conn)). */
int64_t campStoreDbInsertId(Engine *e, const char *sql, const char *kinds, ...);
/* A text column as sqlite3_column_text gives it: NULL for a null value
** (campDbColumnText gives ""). */
const char *campStoreDbTextOrNull(DbStmt *st, int col);
/* A column as JSON for the reports (camp report, timeline, status): a time
** as its whole ISO 8601 UTC second, or null; text as itself, or null, and
** text that is not UTF-8 (a server's words in a trace message can be
** anything) keeps its ASCII and shows '?' for every other byte. */
struct json_t;
struct json_t *campStoreDbColumnTime(DbStmt *st, int col);
struct json_t *campStoreDbColumnText(DbStmt *st, int col);


/* Bind the columns of a row of model of p (its fields in image order
** starting at col) into e->fields. */
void campStoreDbRowToModel(Engine *e, const Program *p, uint32_t model, DbStmt *st, int col);


/* Suppression (store_suppress.c).  sms: 0 for the 'email' channel, 1 for
** 'sms'.  campStoreAddress is the one normalisation of an address
** (malloc'd; NULL when out of memory); campStoreSuppress returns 1 added,
** 0 already there, -1 error (campStoreSuppress, campStoreSuppressed: store.h). */
const char *campStoreChannelName(int sms);
char *campStoreAddress(int sms, const char *s, size_t len);

/* The busy handler every connection waits with for the write lock
** (store_runner.c; the runner verbs are in store.h). */
void campStoreBusyInit(Engine *e);



/* The store's tables on PostgreSQL at the current schema version
** (store_schema_pg.c); campStorePgCreate makes them in db's current
** schema, with camp_meta 'schema', in one transaction -- its own, or the
** one db is in (camp migrate's) -- (-1 and err). */
#define STORE_SCHEMA_VERSION 9
/* PostgreSQL advisory lock classes (the first key of pg_advisory_xact_lock):
** a campaign's enrolment, a contact's frequency caps. */
#define STORE_LOCK_CAMPAIGN "1667329392"
#define STORE_LOCK_CAP "1667329393"
extern const char *const campStorePgSchema;
int campStorePgCreate(Db *db, char *err, size_t errSize);

/* The same, appended to b whatever its length (SQL built from input). */
void campStoreIdentPut(Buf *b, const char *name);

/* The offset of the first byte of the C string str that is not
** well-formed UTF-8 (overlong forms, surrogates and code points past
** U+10FFFF included), or -1 when all of it is (store_import.c: an imported
** value; store_move.c: a text PostgreSQL would refuse). */
long campStoreUtf8Bad(const char *str);

/* A model table's column as CREATE TABLE and ADD COLUMN spell it on a
** database of kind (store_deploy.c): field (quoted) and the column type of
** its TYPE_* type (value.h; out of range: text), or, field NULL, the id
** key (INTEGER PRIMARY KEY; on PostgreSQL a BIGINT identity).  Deploy and
** camp migrate (store_move.c) make model tables with it. */
void campStoreModelColumnPut(Buf *sql, DbKind kind, const char *field, int type);

/* The initiative named key, or having or having had key as its code (a
** name first: a code may be spelled as another initiative's name), for
** camp report --initiative and camp visits --initiative (store_initiative.c).
** *name malloc'd; 0 found, 1 none (message in err), -1 error. */
int campStoreInitiativeResolve(Engine *e, const char *key, char **name, char *err, size_t errSize);

/* The site_id of the website named key, else having key as its site_id,
** for camp visits --website and camp report --website (store_visit.c).
** *site malloc'd; 0 found, 1 none (message in err), -1 error. */
int campStoreVisitsSite(Engine *e, const char *key, char **site, char *err, size_t errSize);

/* The report as one JSON document (store_report.c; the caller owns it):
** every campaign and mailing, or the one named campaign, or (initiative
** not NULL) the members of that initiative.  NULL with the message in err. */
struct json_t *campStoreReportDocument(Engine *e, const char *campaign, const char *initiative, char *err, size_t errSize);
/* Write a report document as JSON or (fmt REPORT_HTML) as the HTML page;
** 0, or -1 with the message in err. */
int campStoreReportWrite(const struct json_t *root, ReportFormat fmt, FILE *out, char *err, size_t errSize);

/* The buckets of a report scale (SCALE_HOUR, SCALE_DAY, SCALE_MONTH;
** store_initiative.c): the start of the one holding t; the index of t's
** counted from origin (a bucket start); the start of bucket i after origin;
** a bucket's label as oro.md says (hour "2026-03-20 09:00", day
** "2026-03-20", month "2026-03-01"). */
int64_t campStoreBucketStart(int scale, int64_t t);
int64_t campStoreBucketIndex(int scale, int64_t origin, int64_t t);
int64_t campStoreBucketAt(int scale, int64_t origin, int64_t i);
void campStoreBucketLabel(int scale, int64_t start, char out[CAMP_CLOCK_ISO_SIZE]);

/* The web numbers (store_webreport.c; docs/report.md, "Websites") of a
** website (initiative 0, key its site_id) or an initiative (key its name)
** as a JSON object the caller owns: visits, bot_visits, unique_visitors,
** page_views, events, conversions, revenue, by_name, for an initiative
** cost_per_visit, cost_per_conversion and return beside budget (a real,
** else null), and the series in scale's buckets from start to end
** (INT64_MIN, INT64_MAX: the first and last hit's).  NULL with the message
** in err.  campStoreWebReportPrint: the same as table lines on out. */
struct json_t *campStoreWebReport(Engine *e, int initiative, const char *key, int scale, int64_t start, int64_t end,
                                  const struct json_t *budget, char *err, size_t errSize);
void campStoreWebReportPrint(const struct json_t *web, const char *indent, FILE *out);

#endif
