/*
** runtime/db.h -- a connection to the store's database, SQLite or
** PostgreSQL, and its prepared statements: the one API the store_*.c files
** speak SQL through (docs/SCALE.md, issue 15).
**
** Owns: opening (a file path: SQLite; a postgresql:// or postgres:// URL:
** PostgreSQL through libpq), statements with '?' and '?N' parameters (for
** PostgreSQL rewritten to $N outside quotes), stepping through rows,
** reading columns, transactions and the last error as one line that never
** shows a password.  Does not own: what the SQL says (the store), the
** schema (store_engine.c) or retry policy above one statement.
**
** The calls mirror SQLite's C API, so that a store file moves to this one
** name for name: campDbStep returns DB_ROW, DB_DONE or DB_FAIL; a statement
** is reset before it runs again; column indexes start at 0, parameters at 1.
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
/* Inside a transaction (BEGIN not yet committed or rolled back)? */
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

#endif
