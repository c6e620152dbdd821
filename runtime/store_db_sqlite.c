/*
** runtime/store_db_sqlite.c -- the SQLite backend of runtime/db.h: a file opened
** read-write (created when asked), one connection per Db, used by one
** thread at a time (SQLITE_OPEN_NOMUTEX).
**
** Owns: opening, running statements without rows, preparing, copying
** rows (campDbCopy*).  The other calls are SQLite's own, made by
** runtime/store_db.c.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/store_db_int.h"

int campDbLiteOpen(Db *db, const char *path, int create) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path, &db->lite, flags, NULL) == SQLITE_OK) return 0;
  snprintf(db->err, sizeof db->err, "cannot %s database '%s': %s", create ? "create" : "open", path,
           db->lite ? sqlite3_errmsg(db->lite) : "out of memory");
  return -1;
}

void campDbLiteClose(Db *db) { if (!db->wrapped) sqlite3_close(db->lite); }

Db *campDbWrapSqlite(sqlite3 *handle, const char *name) {
  Db *db = calloc(1, sizeof *db);
  if (!db || !(db->name = strdup(name))) { free(db); return NULL; }
  db->kind = DB_SQLITE;
  db->lite = handle;
  db->wrapped = 1;
  return db;
}

int campDbLiteExec(Db *db, const char *sql) {
  if (sqlite3_exec(db->lite, sql, NULL, NULL, NULL) == SQLITE_OK) return 0;
  snprintf(db->err, sizeof db->err, "%s", sqlite3_errmsg(db->lite));
  return -1;
}

DbStmt *campDbLitePrepare(Db *db, const char *sql) {
  DbStmt *st = calloc(1, sizeof *st);
  if (!st) { snprintf(db->err, sizeof db->err, "out of memory"); return NULL; }
  st->db = db;
  if (sqlite3_prepare_v2(db->lite, sql, -1, &st->lite, NULL) == SQLITE_OK) return st;
  snprintf(db->err, sizeof db->err, "%s", sqlite3_errmsg(db->lite));
  free(st);
  return NULL;
}

/* A copy is its INSERT run once per row (values bound in place; a text's
** column affinity makes "42" an integer), under a savepoint, so that a
** failed copy leaves none of its rows, in a transaction or not. */
int campDbLiteCopyBegin(DbCopy *c, const char *sql) {
  if (campDbLiteExec(c->db, "SAVEPOINT camp_copy") < 0) return -1;
  if ((c->ins = campDbLitePrepare(c->db, sql))) return 0;
  sqlite3_exec(c->db->lite, "ROLLBACK TO camp_copy; RELEASE camp_copy", NULL, NULL, NULL);
  return -1;
}

int campDbLiteCopyRow(DbCopy *c, const DbValue *values) {
  sqlite3_stmt *st = c->ins->lite;
  for (int i = 0; i < c->ncol; i++) {
    const DbValue *v = &values[i];
    if (v->type == DB_INTEGER) sqlite3_bind_int64(st, i + 1, v->i);
    else if (v->type == DB_FLOAT) sqlite3_bind_double(st, i + 1, v->r);
    else if (v->type == DB_TEXT && v->s) sqlite3_bind_text(st, i + 1, v->s, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, i + 1);
  }
  int rc = sqlite3_step(st);
  if (rc != SQLITE_DONE) {
    snprintf(c->db->err, sizeof c->db->err, "%s (copy, row %ld)", sqlite3_errmsg(c->db->lite), c->rows + 1);
    c->db->retryable = rc == SQLITE_BUSY;
  }
  sqlite3_reset(st);
  if (rc != SQLITE_DONE) return -1;
  c->rows++;
  return 0;
}

long campDbLiteCopyEnd(DbCopy *c) {
  sqlite3_finalize(c->ins->lite);
  free(c->ins);
  if (!c->failed && campDbLiteExec(c->db, "RELEASE camp_copy") == 0) return c->rows;
  sqlite3_exec(c->db->lite, "ROLLBACK TO camp_copy; RELEASE camp_copy", NULL, NULL, NULL);
  return -1;
}
