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
  struct PgConn *pg;
};

struct DbStmt {
  Db *db;
  sqlite3_stmt *lite;
  struct PgStmt *pg;
};

/* Each backend: 0 / a value, or -1 with db->err set. */
int campDbLiteOpen(Db *db, const char *path, int create);
void campDbLiteClose(Db *db);
int campDbLiteExec(Db *db, const char *sql);
DbStmt *campDbLitePrepare(Db *db, const char *sql);

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

#endif
