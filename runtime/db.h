/*
** runtime/db.h -- a connection to the store's database, SQLite or
** PostgreSQL, and its prepared statements: the one API the store_*.c files
** speak SQL through (docs/SCALE.md, issue 15).
**
** Owns: opening (a file path: SQLite; a postgresql:// or postgres:// URL:
** PostgreSQL through libpq), statements with '?' and '?N' parameters (for
** PostgreSQL rewritten to $N outside quotes), stepping through rows,
** reading columns, transactions and the last error as one line that never
** shows a password; connecting again when PostgreSQL's connection is lost,
** bulk writes (COPY), and LISTEN/NOTIFY.  Does not own: what the SQL says
** (the store), the schema (store_engine.c) or running a transaction again
** (its caller, told by DB_BUSY and campDbRetryable).
**
** The calls mirror SQLite's C API, so that a store file moves to this one
** name for name: campDbStep returns DB_ROW, DB_DONE or DB_FAIL; a statement
** is reset before it runs again; column indexes start at 0, parameters at 1.
**
** Failures that a retry may cure.  campDbStep returns DB_BUSY (campDbExec,
** campDbFinish and campDbCopyEnd return -1 and campDbRetryable says 1) when
** the statement failed for a reason that running the whole transaction
** again may cure: on SQLite a database that is locked; on PostgreSQL a
** serialization failure (SQLSTATE 40001), a deadlock (40P01), a statement
** timeout or a cancel (57014), a lock not available (55P03), or a connection
** error (08xxx) -- the connection lost included.  The caller rolls back
** (campDbExec "ROLLBACK") and runs the transaction again from its BEGIN;
** any other failure is a real error.
**
** The connection lost (PostgreSQL: the server restarted, the network cut).
** The statement that finds it out fails with DB_BUSY and campDbError says
** "connection to PostgreSQL lost" on one line.  Whether a statement that was
** on its way when the connection dropped took effect is unknown (a COMMIT
** may have happened): transactions that are run again must be idempotent,
** as the store's are (claims are leases, results name their lease).  When
** the connection dropped inside a transaction, the transaction is gone (the
** server rolled it back): campDbInTransaction says 0, and every statement
** fails with DB_BUSY until the caller runs ROLLBACK (it answers 0 at once)
** or BEGIN, so that the rest of a lost transaction can never run on its
** own.  The next call that needs the server connects again with the same
** URL (kept in memory, never shown), waiting with a growing delay up to
** CAMP_PG_RECONNECT_SECONDS (60); statements prepared before are prepared
** again on their next run, channels listened to are listened to again.
** A call that finds the connection gone while idle (outside a transaction,
** nothing sent) reconnects and goes on without failing.  When the server
** is not back in time the call fails with DB_FAIL and one line, "connection
** to PostgreSQL lost; not back within 60 s: cannot connect to PostgreSQL at
** ...", and the next call tries again.
*/
#ifndef CAMP_DB_H
#define CAMP_DB_H

#include <stddef.h>
#include <stdint.h>

typedef struct Db Db;
typedef struct DbStmt DbStmt;

typedef enum { DB_SQLITE = 1, DB_POSTGRES = 2 } DbKind;
/* What campDbStep returns. */
enum { DB_ROW = 100, DB_DONE = 101, DB_FAIL = 1, DB_BUSY = 5 };
/* A column's type in the current row. */
typedef enum { DB_INTEGER = 1, DB_FLOAT = 2, DB_TEXT = 3, DB_BLOB = 4, DB_NULL = 5 } DbType;

/* Is target a PostgreSQL URL (postgresql:// or postgres://)? */
int campDbIsUrl(const char *target);

/* target as messages may show it: a URL without its password (malloc'd;
** NULL when out of memory). */
char *campDbUrlShown(const char *target);

/* Open target: a SQLite file (created when create, else it must exist) or
** a PostgreSQL URL (the database must exist).  NULL with one line in err:
** "cannot connect to PostgreSQL at 127.0.0.1:5433: connection refused",
** "PostgreSQL refused user 'camp': password authentication failed", ...
** A URL's password is never in a message. */
Db *campDbOpen(const char *target, int create, char *err, size_t errSize);
/* A Db over a SQLite connection opened elsewhere (the store's, while its
** files move to this API); campDbClose leaves that connection open.  NULL
** when out of memory. */
struct sqlite3;
Db *campDbWrapSqlite(struct sqlite3 *handle, const char *name);
void campDbClose(Db *db);
DbKind campDbKind(const Db *db);
/* The target as messages may show it: the path, or the URL without its password. */
const char *campDbName(const Db *db);
/* The last error on db, one line. */
const char *campDbError(Db *db);

/* Run sql (one or more statements separated by ';', no parameters, no
** rows wanted).  0, or -1 with "database: " and the error in err. */
int campDbExec(Db *db, const char *sql, char *err, size_t errSize);
/* Start a transaction that writes: BEGIN IMMEDIATE on SQLite (the write
** lock now, not at the first write), BEGIN on PostgreSQL.  As campDbExec. */
int campDbBegin(Db *db, char *err, size_t errSize);
/* Did the last failure on db come from a cause that running the whole
** transaction again may cure (DB_BUSY: see above)?  1 or 0. */
int campDbRetryable(Db *db);
/* Inside a transaction (BEGIN not yet committed or rolled back)?  0 once
** the connection it ran on is lost. */
int campDbInTransaction(Db *db);
/* Rows the last INSERT, UPDATE or DELETE changed. */
int64_t campDbChanges(Db *db);

DbStmt *campDbPrepare(Db *db, const char *sql, char *err, size_t errSize);
void campDbFinalize(DbStmt *st);
/* Ready to run again; bindings are kept until campDbClearBindings. */
void campDbReset(DbStmt *st);
void campDbClearBindings(DbStmt *st);
/* Bind parameter i (from 1).  text: len -1 for a C string; the value is
** copied.  0, or -1 when i is out of range. */
int campDbBindInt64(DbStmt *st, int i, int64_t v);
int campDbBindDouble(DbStmt *st, int i, double v);
int campDbBindText(DbStmt *st, int i, const char *s, int len);
int campDbBindBlob(DbStmt *st, int i, const void *p, int len);
int campDbBindNull(DbStmt *st, int i);
/* Run (the first call) or move to the next row. */
int campDbStep(DbStmt *st);
int campDbColumnCount(DbStmt *st);
DbType campDbColumnType(DbStmt *st, int col);
int64_t campDbColumnInt64(DbStmt *st, int col);
double campDbColumnDouble(DbStmt *st, int col);
/* NUL-terminated; valid until the next step, reset or finalize ("" for null). */
const char *campDbColumnText(DbStmt *st, int col);
const void *campDbColumnBlob(DbStmt *st, int col);
int campDbColumnBytes(DbStmt *st, int col);
/* After a loop of campDbStep: finalize st; 0 when the last step was DB_DONE,
** else -1 with "database: " and the error in err. */
int campDbFinish(DbStmt *st, int rc, char *err, size_t errSize);

/* -- bulk writes ------------------------------------------------------------
** Rows into one table, as fast as the database takes them: on PostgreSQL
** COPY table(columns) FROM STDIN in the text format, sent in 64 KiB
** chunks; on SQLite one prepared INSERT run per row (SQLite's fastest
** path), under a savepoint.  Values are text (NULL for a null) that the
** column's type reads: an int as "-12", a real as "%.17g" prints it.
** Either way a failed copy leaves none of its rows: PostgreSQL's COPY is
** one statement; SQLite's savepoint is rolled back.  Inside a transaction,
** PostgreSQL has then aborted it: roll it back.  While a copy is open no
** other statement runs on db. */
typedef struct DbCopy DbCopy;
/* Start copying into table's columns (names, quoted here).  NULL with
** "database: ..." in err. */
DbCopy *campDbCopyBegin(Db *db, const char *table, const char *const *columns, int ncolumns, char *err, size_t errSize);
/* One row: ncolumns values, each a C string or NULL for a null.  0, or -1
** once the copy has failed (a failure may also show only at campDbCopyEnd). */
int campDbCopyRow(DbCopy *c, const char *const *values);
/* A typed value for campDbCopyValues: DB_NULL, DB_INTEGER (i), DB_FLOAT
** (r) or DB_TEXT (s, a C string). */
typedef struct DbValue { DbType type; int64_t i; double r; const char *s; } DbValue;
/* campDbCopyRow with typed values: SQLite binds them as they are (no
** number printed and read again: an import's speed), PostgreSQL sends
** their text. */
int campDbCopyValues(DbCopy *c, const DbValue *values);
/* Finish and free c: the number of rows copied, or -1 with one line in err
** ("database: invalid input syntax for type bigint: \"x\" (COPY t, line 3,
** column n: \"x\")"); campDbRetryable tells a lost connection. */
long campDbCopyEnd(DbCopy *c, char *err, size_t errSize);

/* -- waking up on news -------------------------------------------------------
** PostgreSQL's LISTEN/NOTIFY: a process waits on a channel instead of
** polling, and a writer says "there is news" there; a notification sent
** inside a transaction is delivered when it commits, never if it rolls
** back.  On SQLite, which has no server to tell, Listen and Notify do
** nothing and Wait sleeps its timeout (callers poll as before). */
/* Listen to channel (a name; case kept) on db, now and after every
** reconnect.  0, or -1 with "database: ..." in err. */
int campDbListen(Db *db, const char *channel, char *err, size_t errSize);
/* Notify channel's listeners with payload (NULL: none).  0, or -1. */
int campDbNotify(Db *db, const char *channel, const char *payload, char *err, size_t errSize);
/* Wait up to timeoutMs for a notification on a channel db listens to; 1
** when one or more arrived (all pending ones are taken) or when the
** connection was made again (notifications may have been missed: look for
** work), 0 when the time ran out, -1 on an error (campDbError).  Only
** outside a transaction. */
int campDbWait(Db *db, int timeoutMs);

#endif
