/*
** runtime/store_db_int.h -- what runtime/store_db.c and its two backends share
** (store_db_sqlite.c, store_db_pg.c): the connection and statement structs and each
** backend's functions.  Private to them.
*/
#ifndef CAMP_STORE_DB_INT_H
#define CAMP_STORE_DB_INT_H

#include <sqlite3.h>
#include "runtime/db.h"

struct PgConn;
struct PgStmt;

struct Db {
  DbKind kind;
  char *name;                   /* the path, or the URL without its password */
  char err[512];                /* the last error, one line */
  sqlite3 *lite;
  int wrapped;                  /* lite is not ours to close (campDbWrapSqlite) */
  int retryable;                /* the last failure was a DB_BUSY one (campDbRetryable) */
  struct PgConn *pg;
};

struct DbStmt {
  Db *db;
  sqlite3_stmt *lite;
  struct PgStmt *pg;
};

/* A copy (campDbCopyBegin): SQLite's INSERT, or PostgreSQL's COPY data
** waiting to be sent. */
struct DbCopy {
  Db *db;
  DbStmt *ins;                  /* SQLite */
  int ncol;
  long rows;
  int failed;                   /* the copy failed: db->err says why */
  char *buf;                    /* PostgreSQL: rows in COPY's text format not yet sent */
  size_t n, cap;
  DbValue *value;               /* a row of texts as values (SQLite) */
  const char **text;            /* a row of values as texts (PostgreSQL), numbers in num */
  char (*num)[32];
};

/* name as a quoted identifier, "its" quotes doubled (malloc'd; NULL when
** out of memory): a table's, column's or channel's name in SQL. */
char *campDbQuoteName(const char *name);

/* Each backend: 0 / a value, or -1 with db->err set. */
int campDbLiteOpen(Db *db, const char *path, int create);
void campDbLiteClose(Db *db);
int campDbLiteExec(Db *db, const char *sql);
DbStmt *campDbLitePrepare(Db *db, const char *sql);
int campDbLiteCopyBegin(DbCopy *c, const char *sql);
int campDbLiteCopyRow(DbCopy *c, const DbValue *values);
long campDbLiteCopyEnd(DbCopy *c);

int campDbPgOpen(Db *db, const char *url);
void campDbPgClose(Db *db);
int campDbPgExec(Db *db, const char *sql);
int campDbPgInTransaction(Db *db);
int64_t campDbPgChanges(Db *db);
DbStmt *campDbPgPrepare(Db *db, const char *sql);
void campDbPgFinalize(DbStmt *st);
void campDbPgReset(DbStmt *st);
void campDbPgClearBindings(DbStmt *st);
int campDbPgBind(DbStmt *st, int i, DbType type, const void *p, int len, int64_t iv, double dv);
int campDbPgStep(DbStmt *st);
int campDbPgColumnCount(DbStmt *st);
DbType campDbPgColumnType(DbStmt *st, int col);
const char *campDbPgColumnText(DbStmt *st, int col);
const void *campDbPgColumnBlob(DbStmt *st, int col);
int campDbPgColumnBytes(DbStmt *st, int col);
int campDbPgCopyBegin(DbCopy *c, const char *sql);
int campDbPgCopyRow(DbCopy *c, const char *const *values);
long campDbPgCopyEnd(DbCopy *c);
int campDbPgListen(Db *db, const char *channel);
int campDbPgNotify(Db *db, const char *channel, const char *payload);
int campDbPgWait(Db *db, int timeoutMs);

#endif
