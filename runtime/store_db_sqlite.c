/*
** runtime/store_db_sqlite.c -- the SQLite backend of runtime/db.h: a file opened
** read-write (created when asked), one connection per Db, used by one
** thread at a time (SQLITE_OPEN_NOMUTEX).
**
** Owns: opening, running statements without rows, preparing.  The other
** calls are SQLite's own, made by runtime/store_db.c.
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
