/*
** runtime/store_import.c -- CSV records into a model table.
**
** Owns: reading CSV (RFC 4180, strictly: see csvRead), checking each value
** against its field's type (UTF-8 text without NUL, int, real, bool, ISO
** 8601 datetimes through runtime/clock.c, one plain addr-spec per email,
** E.164 phone numbers), and writing the records in one transaction: all or
** nothing, every bad value listed as FILE:LINE: error: column 'NAME': ...
** New records go through campDbCopy* (COPY on PostgreSQL, a prepared
** INSERT on SQLite), values checked here first; with --key each record is
** looked up and updated or inserted by prepared statements.
** Does not own: the model tables' shape (store_deploy.c) or the command's
** options (cli/db.c).
**
** Nothing here has a size fixed in advance: records, fields and the SQL
** (identifiers included, always quoted) grow with the input; a record is
** limited to CSV_MAX_RECORD bytes, and that limit is an error that says so.
*/
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "runtime/clock.h"
#include "runtime/store_engine.h"

#define CSV_MAX_RECORD (64 << 20)   /* bytes in one record, quotes and delimiters excluded */

/* -- reading CSV ------------------------------------------------------------ */

typedef struct Csv {
  FILE *f;
  int delim;
  long line;                 /* the line being read, from 1 */
  long recordLine;           /* where the last record started */
  Buf rec;                   /* the record's fields, each NUL-terminated */
  size_t *off;               /* where each field starts in rec */
  char **field;              /* the fields, valid until the next csvRead */
  int n, cap;
  Buf err;                   /* a syntax error: its message ... */
  int errField;              /* ... and the field it is in (0-based) */
  long errLine;
  unsigned char buf[16384];  /* read-ahead; nothing is kept here across calls */
  size_t pos, len;
} Csv;

static int csvByte(Csv *c) {
  if (c->pos == c->len) {
    c->len = fread(c->buf, 1, sizeof c->buf, c->f);
    c->pos = 0;
    if (!c->len) return EOF;
  }
  return c->buf[c->pos++];
}

/* Open path for reading, skipping a UTF-8 byte order mark.  -1 on error
** (errno set). */
static int csvOpen(Csv *c, const char *path, int delim) {
  memset(c, 0, sizeof *c);
  c->delim = delim;
  c->line = 1;
  c->f = fopen(path, "rb");
  if (!c->f) return -1;
  c->len = fread(c->buf, 1, sizeof c->buf, c->f);
  if (c->len >= 3 && !memcmp(c->buf, "\xEF\xBB\xBF", 3)) c->pos = 3;
  return 0;
}

static void csvClose(Csv *c) {
  if (c->f) fclose(c->f);
  campBufFree(&c->rec);
  campBufFree(&c->err);
  free(c->off);
  free(c->field);
}

/* Record a syntax error in field c->n - 1; returns -1. */
__attribute__((format(printf, 2, 3)))
static int csvError(Csv *c, const char *fmt, ...) {
  char small[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  campBufPuts(&c->err, small);
  c->errField = c->n - 1;
  c->errLine = c->line;
  return -1;
}

static int csvPut(Csv *c, int ch) {
  if (c->rec.n + 1 < c->rec.cap) { c->rec.p[c->rec.n++] = (char)ch; c->rec.p[c->rec.n] = 0; }
  else { char b = (char)ch; campBufPut(&c->rec, &b, 1); }
  if (c->rec.oom) return csvError(c, "out of memory");
  if (c->rec.n > CSV_MAX_RECORD) return csvError(c, "record longer than %d MiB", CSV_MAX_RECORD >> 20);
  return 0;
}

static int csvNewField(Csv *c) {
  if (c->n == c->cap) {
    int cap = c->cap ? c->cap * 2 : 32;
    size_t *off = realloc(c->off, (size_t)cap * sizeof *off);
    if (off) c->off = off;
    char **field = realloc(c->field, (size_t)cap * sizeof *field);
    if (field) c->field = field;
    if (!off || !field) return csvError(c, "out of memory");
    c->cap = cap;
  }
  c->off[c->n++] = c->rec.n;
  return 0;
}

/* A quoted field, from after its opening quote; returns the byte after the
** closing quote, or -2 on error. */
static int csvQuoted(Csv *c) {
  long opened = c->line;
  for (;;) {
    int ch = csvByte(c);
    if (ch == EOF) { c->line = opened; csvError(c, "a quoted field is not closed (its '\"' opens at line %ld)", opened); return -2; }
    if (ch == '"') {
      ch = csvByte(c);
      if (ch != '"') return ch;
    } else if (ch == 0) { csvError(c, "a NUL byte"); return -2; }
    else if (ch == '\n') c->line++;
    if (csvPut(c, ch) < 0) return -2;
  }
}

/* The next record into c->field[0 .. c->n - 1].  RFC 4180, strictly: a
** field is either quoted from its first byte to a closing quote that the
** delimiter or the end of the line follows (a quote inside is doubled; it
** may hold delimiters and line breaks), or holds no quote at all.  Lines
** end in LF or CRLF; a lone CR, a NUL byte anywhere or an unclosed quote is
** an error.  Returns 1, 0 at the end of the file, -1 on a syntax error
** (c->err, c->errLine, c->errField). */
static int csvRead(Csv *c) {
  c->rec.n = 0;
  c->n = 0;
  int ch = csvByte(c);
  if (ch == EOF) return ferror(c->f) ? csvError(c, "read error: %s", strerror(errno)) : 0;
  c->recordLine = c->line;
  for (;;) {
    if (csvNewField(c) < 0) return -1;
    if (ch == '"') {
      ch = csvQuoted(c);
      if (ch == -2) return -1;
      if (ch != c->delim && ch != '\n' && ch != '\r' && ch != EOF)
        return csvError(c, "'%c' after the closing quote of a quoted field (a quote inside one is written \"\")", ch);
    } else {
      for (; ch != c->delim && ch != '\n' && ch != '\r' && ch != EOF; ch = csvByte(c)) {
        if (ch == '"') return csvError(c, "'\"' inside an unquoted field (quote the whole field and double the quote)");
        if (ch == 0) return csvError(c, "a NUL byte");
        if (csvPut(c, ch) < 0) return -1;
      }
    }
    if (csvPut(c, 0) < 0) return -1;
    if (ch == c->delim) { ch = csvByte(c); continue; }
    if (ch == '\r' && (ch = csvByte(c)) != '\n') return csvError(c, "a carriage return that no line feed follows");
    if (ch == '\n') c->line++;
    break;
  }
  for (int i = 0; i < c->n; i++) c->field[i] = c->rec.p + c->off[i];
  return 1;
}

/* -- checking values -------------------------------------------------------- */

long campStoreUtf8Bad(const char *str) {
  const unsigned char *s = (const unsigned char *)str;
  for (long i = 0; s[i];) {
    unsigned c = s[i];
    int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
    if (n < 0 || c == 0xC0 || c == 0xC1 || c > 0xF4) return i;
    unsigned cp = n ? c & (0x3F >> n) : c;
    for (int k = 1; k <= n; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = cp << 6 | (s[i + k] & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += n + 1;
  }
  return -1;
}

/* One addr-spec, local@domain, in the plain form every channel can carry:
** the local part a dot-atom of letters, digits and !#$%&'*+-/=?^_`{|}~
** (at most 64 bytes), the domain dot-separated labels of letters, digits
** and inner hyphens (at least two labels, at most 253 bytes).  No quoted
** local parts, no comments, no spaces, no display names, no non-ASCII. */
static int isEmail(const char *s) {
  const char *at = strchr(s, '@');
  if (!at || at == s || at - s > 64 || strlen(at + 1) > 253) return 0;
  for (const char *p = s; p < at; p++) {
    if (*p == '.') { if (p == s || p + 1 == at || p[1] == '.') return 0; continue; }
    if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') && !(*p >= '0' && *p <= '9') && !strchr("!#$%&'*+-/=?^_`{|}~", *p))
      return 0;
  }
  int labels = 0;
  for (const char *p = at + 1;; p++) {
    const char *start = p;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-') p++;
    if (p == start || p - start > 63 || *start == '-' || p[-1] == '-') return 0;
    labels++;
    if (!*p) return labels >= 2;
    if (*p != '.') return 0;
  }
}

/* An international number, E.164: '+', then 3 to 15 digits, the first not
** 0.  Single spaces, '-' or '.' between digits are allowed for reading and
** removed: s is rewritten in place to the plain form.  1 or 0. */
static int isPhone(char *s) {
  if (*s != '+') return 0;
  char *w = s + 1;
  int digits = 0;
  for (const char *p = s + 1; *p; p++) {
    if (*p >= '0' && *p <= '9') { *w++ = *p; digits++; continue; }
    if (!strchr(" -.", *p) || !digits || !(p[1] >= '0' && p[1] <= '9')) return 0;
  }
  *w = 0;
  return digits >= 3 && digits <= 15 && s[1] != '0';
}


/* Check and convert s (valid UTF-8; a phone number is normalised in
** place) to its field's type into *out; NULL when fine, else why not. */
static const char *convert(int type, char *s, DbValue *out) {
  char *end;
  out->type = DB_TEXT;
  out->s = s;
  if (!*s) { out->type = DB_NULL; return NULL; }
  switch (type) {
  case TYPE_INT:
    errno = 0;
    out->i = strtoll(s, &end, 10);
    if (!(*s == '-' || *s == '+' || (*s >= '0' && *s <= '9')) || *end) return "is not an int";
    if (errno == ERANGE) return "is out of range for an int (64 bits)";
    out->type = DB_INTEGER;
    return NULL;
  case TYPE_REAL:
    out->r = strtod(s, &end);
    if (!(*s == '-' || *s == '+' || *s == '.' || (*s >= '0' && *s <= '9')) || *end || !isfinite(out->r)) return "is not a number";
    out->type = DB_FLOAT;
    return NULL;
  case TYPE_BOOL:
    out->type = DB_INTEGER;
    if (!strcasecmp(s, "true") || !strcmp(s, "1") || !strcasecmp(s, "yes")) out->i = 1;
    else if (!strcasecmp(s, "false") || !strcmp(s, "0") || !strcasecmp(s, "no")) out->i = 0;
    else return "is not a bool (true/false, yes/no, 1/0)";
    return NULL;
  case TYPE_DATETIME:
    if (campClockParseIso(s, &out->i) < 0)
      return "is not an ISO 8601 date or datetime that exists (2026-01-05, 2026-01-05T09:00:00Z, 2026-01-05T11:00:00+02:00)";
    out->type = DB_INTEGER;
    return NULL;
  case TYPE_EMAIL:
    return isEmail(s) ? NULL : "is not one plain email address (local@domain.example: no spaces, names, brackets or control characters)";
  case TYPE_PHONE:
    return isPhone(s) ? NULL : "is not an international phone number (E.164: '+', country code and number, e.g. +33612345678)";
  default:
    return NULL;
  }
}

static void bindCell(DbStmt *st, int col, const DbValue *v) {
  switch (v->type) {
  case DB_NULL: campDbBindNull(st, col); break;
  case DB_INTEGER: campDbBindInt64(st, col, v->i); break;
  case DB_FLOAT: campDbBindDouble(st, col, v->r); break;
  default: campDbBindText(st, col, v->s, -1); break;
  }
}

/* -- the import ------------------------------------------------------------- */

#define ID_BLOCK 4096              /* ids taken from a PostgreSQL sequence at once */

typedef struct Import {
  Engine *e;
  const char *path, *model, *key;
  FILE *errs;
  Csv csv;
  char **head;               /* the header's column names (copies) */
  int *types;                /* each column's field type */
  int nh, keyCol;
  DbValue *cells;
  DbStmt *ins, *upd, *find;  /* with a key */
  DbCopy *copy;              /* without: new records (columns: cols) */
  const char **cols;         /* the copy's columns */
  DbValue *vals;             /* a row's values for the copy */
  int ncol;
  int merge;                 /* PostgreSQL with a key: records copied into camp_import, then merged */
  long copied;               /* ... so many */
  int64_t ids[ID_BLOCK];     /* camp test: the ids the next records take (ids[nextId .. nid - 1]) */
  int nextId, nid;
  long bad;
  int nameCol;               /* camp test: the column `record` naming the rows (-1: none) */
  StoreImportNameFn named;   /* told each row's name and id; NULL: a plain import */
  void *namedCtx;
} Import;

/* A value as it appears in a message: at most 64 bytes of it, with control
** bytes as '?' (so that an error cannot itself break a terminal line). */
static const char *shown(const char *s, char out[80]) {
  size_t i = 0;
  for (; s[i] && i < 64; i++) out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
  snprintf(out + i, 80 - i, "%s", s[i] ? "..." : "");
  return out;
}

/* Print an error about column col (or -1) of the line; counts it. */
__attribute__((format(printf, 4, 5)))
static void problem(Import *im, long line, int col, const char *fmt, ...) {
  va_list ap;
  fprintf(im->errs, "%s:%ld: error: ", im->path, line);
  char name[80];
  if (col >= 0 && col < im->nh) fprintf(im->errs, "column '%s': ", shown(im->head[col], name));
  else if (col >= 0) fprintf(im->errs, "column %d: ", col + 1);
  va_start(ap, fmt);
  vfprintf(im->errs, fmt, ap);
  va_end(ap);
  fputc('\n', im->errs);
  im->bad++;
}

/* Read the header: every column a field of the model, none twice.  Problems
** are printed and counted; -1 only when the import cannot go on at all. */
static int readHeader(Import *im, char *err, size_t errSize) {
  int rc = csvRead(&im->csv);
  if (rc < 0) { snprintf(err, errSize, "%s:%ld: error: %s", im->path, im->csv.errLine, im->csv.err.p); return -1; }
  if (rc == 0) { snprintf(err, errSize, "%s:1: error: no header row naming the fields", im->path); return -1; }
  im->nh = im->csv.n;
  im->head = calloc((size_t)im->nh, sizeof *im->head);
  im->types = calloc((size_t)im->nh, sizeof *im->types);
  im->cells = calloc((size_t)im->nh, sizeof *im->cells);
  if (!im->head || !im->types || !im->cells) { snprintf(err, errSize, "out of memory"); return -1; }
  for (int i = 0; i < im->nh; i++)
    if (!(im->head[i] = strdup(im->csv.field[i]))) { snprintf(err, errSize, "out of memory"); return -1; }
  DbStmt *ft = campDbPrepare(im->e->conn, "SELECT type FROM camp_model WHERE model = ? AND field = ?", err, errSize);
  if (!ft) return -1;
  int step = DB_ROW;
  campDbBindText(ft, 1, im->model, -1);
  campDbBindText(ft, 2, "id", -1);
  if ((step = campDbStep(ft)) != DB_ROW) {
    if (step == DB_DONE) snprintf(err, errSize, "no model '%s' in the database (camp deploy a campaign file that declares it)", im->model);
    else snprintf(err, errSize, "database: %s", campDbError(im->e->conn));
    campDbFinalize(ft);
    return -1;
  }
  im->keyCol = -1;
  char v[80];
  for (int i = 0; i < im->nh; i++) {
    const char *h = im->head[i];
    campDbReset(ft);
    campDbBindText(ft, 2, h, -1);
    step = campDbStep(ft);
    if (step != DB_ROW && step != DB_DONE) break;
    im->types[i] = step == DB_ROW ? (int)campDbColumnInt64(ft, 0) : 0;
    if (im->named && !strcmp(h, "record")) { im->nameCol = i; im->types[i] = -1; continue; }
    if (!*h) problem(im, 1, -1, "column %d has no name", i + 1);
    else if (!im->types[i]) problem(im, 1, -1, "model '%s' has no field '%s'", im->model, shown(h, v));
    for (int k = 0; k < i; k++)
      if (*h && !strcmp(im->head[k], h)) { problem(im, 1, i, "named twice (columns %d and %d)", k + 1, i + 1); break; }
    if (im->key && !strcmp(h, im->key)) im->keyCol = i;
  }
  campDbFinalize(ft);
  if (step != DB_ROW && step != DB_DONE) { snprintf(err, errSize, "database: %s", campDbError(im->e->conn)); return -1; }
  if (im->key && im->keyCol < 0) { snprintf(err, errSize, "--key: the CSV has no column '%s'", shown(im->key, v)); return -1; }
  return 0;
}

#define LINE_COL "camp import line"   /* camp_import's column of each record's line (no field's name) */

/* The columns a copy writes: the record's line first when merging, the
** header's (not camp test's `record`), and the id when the records' ids
** are told (camp test). */
static int copyColumns(Import *im, char *err, size_t errSize) {
  im->cols = calloc((size_t)im->nh + 1, sizeof *im->cols);
  im->vals = calloc((size_t)im->nh + 1, sizeof *im->vals);
  if (!im->cols || !im->vals) { snprintf(err, errSize, "out of memory"); return -1; }
  if (im->merge) im->cols[im->ncol++] = LINE_COL;
  for (int i = 0; i < im->nh; i++) if (i != im->nameCol) im->cols[im->ncol++] = im->head[i];
  if (im->named) im->cols[im->ncol++] = "id";
  return 0;
}

/* The ids of the next named records (camp test hands each record's id to
** its caller): on SQLite one more than the largest id, and on from there
** (the write transaction keeps other writers out, so these are the ids
** SQLite would give); on PostgreSQL ID_BLOCK values of the id column's
** sequence, which nobody else can take, the copy ended and begun again
** around the query (the connection carries one thing at a time).  0, or
** -1 with the message in err. */
static int reserveIds(Import *im, char *err, size_t errSize) {
  Db *db = im->e->conn;
  int pg = campDbKind(db) == DB_POSTGRES, n = 0;
  int64_t next = im->nid ? im->ids[im->nid - 1] + 1 : 0;
  if (pg || !im->nid) {
    if (pg) {
      long rows = campDbCopyEnd(im->copy, err, errSize);
      im->copy = NULL;
      if (rows < 0) return -1;
    }
    Buf b = { 0 }, table = { 0 };
    campStoreIdentPut(&table, im->model);
    if (pg) campBufPrintf(&b, "SELECT nextval(pg_get_serial_sequence(?, 'id')) FROM generate_series(1, %d)", ID_BLOCK);
    else campBufPrintf(&b, "SELECT coalesce(max(id), 0) + 1 FROM %s", table.p);
    DbStmt *st = b.oom || table.oom ? NULL : campDbPrepare(db, b.p, err, errSize);
    int rc = DB_FAIL;
    if (st && pg) campDbBindText(st, 1, table.p, -1);
    while (st && (rc = campDbStep(st)) == DB_ROW && n < ID_BLOCK && campDbColumnType(st, 0) != DB_NULL)
      im->ids[n++] = campDbColumnInt64(st, 0);
    if (b.oom || table.oom) snprintf(err, errSize, "out of memory");
    else if (rc == DB_ROW) snprintf(err, errSize, "model '%s': its id column takes no values of its own (no sequence)", im->model);
    else if (st && rc != DB_DONE) snprintf(err, errSize, "database: %s", campDbError(db));
    campDbFinalize(st);
    campBufFree(&b);
    campBufFree(&table);
    if (rc != DB_DONE || n != (pg ? ID_BLOCK : 1)) return -1;
    next = im->ids[0];
  }
  if (!pg) for (n = 0; n < ID_BLOCK; n++) im->ids[n] = next + n;
  im->nextId = 0;
  im->nid = n;
  if (pg) im->copy = campDbCopyBegin(db, im->model, im->cols, im->ncol, err, errSize);
  return im->copy ? 0 : -1;
}

/* ", " between the header's columns, each as itself or as prefix.column
** (prefix NULL: bare; setFrom: column = prefix.column). */
static void columnList(Buf *b, const Import *im, const char *prefix, int setFrom) {
  for (int i = 0; i < im->nh; i++) {
    if (i) campBufPuts(b, ", ");
    if (setFrom) { campStoreIdentPut(b, im->head[i]); campBufPuts(b, " = "); }
    if (prefix) campBufPrintf(b, "%s.", prefix);
    campStoreIdentPut(b, im->head[i]);
  }
}

/* PostgreSQL with a key: the records go by COPY into a temporary table
** shaped as the model's, and from there into the model in two statements
** (mergeRecords), not two round trips per record.  0, or -1 with the
** message in err. */
static int prepareMerge(Import *im, char *err, size_t errSize) {
  Buf b = { 0 };
  campBufPuts(&b, "CREATE TEMP TABLE camp_import ON COMMIT DROP AS SELECT CAST(0 AS BIGINT) AS ");
  campStoreIdentPut(&b, LINE_COL);
  campBufPuts(&b, ", ");
  columnList(&b, im, NULL, 0);
  campBufPuts(&b, " FROM ");
  campStoreIdentPut(&b, im->model);
  campBufPuts(&b, " LIMIT 0");
  int rc = b.oom ? (snprintf(err, errSize, "out of memory"), -1) : campDbExec(im->e->conn, b.p, err, errSize);
  campBufFree(&b);
  if (rc < 0 || copyColumns(im, err, errSize) < 0) return -1;
  im->copy = campDbCopyBegin(im->e->conn, "camp_import", im->cols, im->ncol, err, errSize);
  return im->copy ? 0 : -1;
}

/* The copied records into the model, as the SQLite path does one by one:
** a record whose key the model has updates it (the file's last such
** record wins); the others are inserted, one per key (with its last
** record's values) in the order of the key's first line, every record
** without a key value on its own.  *added and *updated from rows copied.
** 0, or -1 with the message in err. */
static int mergeRecords(Import *im, long rows, long *added, long *updated, char *err, size_t errSize) {
  Buf b = { 0 }, k = { 0 }, line = { 0 }, model = { 0 };
  campStoreIdentPut(&k, im->key);
  campStoreIdentPut(&line, LINE_COL);
  campStoreIdentPut(&model, im->model);
  campBufPrintf(&b, "UPDATE %s AS m SET ", model.p);
  columnList(&b, im, "i", 1);
  campBufPrintf(&b, " FROM (SELECT DISTINCT ON (%s) * FROM camp_import WHERE %s IS NOT NULL ORDER BY %s, %s DESC) AS i"
                " WHERE m.%s = i.%s", k.p, k.p, k.p, line.p, k.p, k.p);
  int rc = b.oom || k.oom || line.oom || model.oom ? -2 : campDbExec(im->e->conn, b.p, err, errSize);
  b.n = 0;
  campBufPrintf(&b, "INSERT INTO %s(", model.p);
  columnList(&b, im, NULL, 0);
  campBufPuts(&b, ") SELECT ");
  columnList(&b, im, NULL, 0);
  campBufPrintf(&b, " FROM (SELECT *, min(%s) OVER (PARTITION BY %s) AS \"camp first\","
                " row_number() OVER (PARTITION BY %s ORDER BY %s DESC) AS \"camp last\" FROM camp_import AS i"
                " WHERE %s IS NULL OR NOT EXISTS (SELECT 1 FROM %s AS m WHERE m.%s = i.%s)) AS d"
                " WHERE %s IS NULL OR \"camp last\" = 1 ORDER BY CASE WHEN %s IS NULL THEN %s ELSE \"camp first\" END, %s",
                line.p, k.p, k.p, line.p, k.p, model.p, k.p, k.p, k.p, k.p, line.p, line.p);
  if (rc == 0) rc = b.oom ? -2 : campDbExec(im->e->conn, b.p, err, errSize);
  if (rc == -2) snprintf(err, errSize, "out of memory");
  if (rc == 0) { *added = (long)campDbChanges(im->e->conn); *updated = rows - *added; }
  campBufFree(&b);
  campBufFree(&k);
  campBufFree(&line);
  campBufFree(&model);
  return rc < 0 ? -1 : 0;
}

/* The statements: without a key, the copy; with one, on PostgreSQL the
** merge's copy, on SQLite the INSERT of every column, the UPDATE of every
** column by id and the lookup of the key.  Identifiers are quoted, values
** bound. */
static int prepareStatements(Import *im, char *err, size_t errSize) {
  if (im->key && campDbKind(im->e->conn) == DB_POSTGRES) {
    im->merge = 1;
    return prepareMerge(im, err, errSize);
  }
  if (!im->key) {
    if (copyColumns(im, err, errSize) < 0) return -1;
    im->copy = campDbCopyBegin(im->e->conn, im->model, im->cols, im->ncol, err, errSize);
    return im->copy ? 0 : -1;
  }
  Buf b = { 0 };
  campBufPuts(&b, "INSERT INTO ");
  campStoreIdentPut(&b, im->model);
  campBufPuts(&b, "(");
  for (int i = 0, k = 0; i < im->nh; i++)
    if (i != im->nameCol) { if (k++) campBufPuts(&b, ", "); campStoreIdentPut(&b, im->head[i]); }
  campBufPuts(&b, ") VALUES(");
  for (int i = 0, k = 0; i < im->nh; i++)
    if (i != im->nameCol) campBufPrintf(&b, "%s?%d", k++ ? ", " : "", i + 1);
  campBufPuts(&b, ")");
  if (!b.oom) im->ins = campDbPrepare(im->e->conn, b.p, err, errSize);
  if (im->ins) {
    b.n = 0;
    campBufPuts(&b, "UPDATE ");
    campStoreIdentPut(&b, im->model);
    campBufPuts(&b, " SET ");
    for (int i = 0; i < im->nh; i++) {   /* the key too, to the value it was found by: PostgreSQL types every parameter by its use */
      if (i) campBufPuts(&b, ", ");
      campStoreIdentPut(&b, im->head[i]);
      campBufPrintf(&b, " = ?%d", i + 1);
    }
    campBufPrintf(&b, " WHERE id = ?%d", im->nh + 1);
    if (!b.oom) im->upd = campDbPrepare(im->e->conn, b.p, err, errSize);
    b.n = 0;
    campBufPuts(&b, "SELECT id FROM ");
    campStoreIdentPut(&b, im->model);
    campBufPuts(&b, " WHERE ");
    campStoreIdentPut(&b, im->key);
    campBufPuts(&b, " = ? LIMIT 1");
    if (!b.oom && im->upd) im->find = campDbPrepare(im->e->conn, b.p, err, errSize);
  }
  int oom = b.oom;
  campBufFree(&b);
  if (oom) { snprintf(err, errSize, "out of memory"); return -1; }
  return im->ins && im->upd && im->find ? 0 : -1;
}

/* Copy one checked record (new: there is no key).  0 (a failed insert
** on SQLite is a problem of the record's line), or -1 with the message in
** err when the database failed (the connection lost). */
static int copyRecord(Import *im, long *added, char *err, size_t errSize) {
  int k = 0;
  if (im->merge) im->vals[k++] = (DbValue){ .type = DB_INTEGER, .i = im->csv.recordLine };
  for (int i = 0; i < im->nh; i++) if (i != im->nameCol) im->vals[k++] = im->cells[i];
  if (im->named) {
    if (im->nextId == im->nid && reserveIds(im, err, errSize) < 0) return -1;
    im->vals[k++] = (DbValue){ .type = DB_INTEGER, .i = im->ids[im->nextId] };
  }
  if (campDbCopyValues(im->copy, im->vals) < 0) {
    if (campDbRetryable(im->e->conn)) { snprintf(err, errSize, "database: %s", campDbError(im->e->conn)); return -1; }
    problem(im, im->csv.recordLine, -1, "%s", campDbError(im->e->conn));   /* SQLite: this record's insert */
  } else if (im->merge) im->copied++;
  else (*added)++;
  if (im->bad) return 0;
  if (im->named) im->named(im->namedCtx, im->nameCol >= 0 ? im->csv.field[im->nameCol] : "", im->ids[im->nextId++]);
  return 0;
}

/* Check one record and, while nothing is wrong, write it.  -1 on a database
** error (the import stops), else 0 (problems counted in im->bad). */
static int importRecord(Import *im, long *added, long *updated, char *err, size_t errSize) {
  Csv *c = &im->csv;
  if (c->n != im->nh) { problem(im, c->recordLine, -1, "%d fields, the header has %d", c->n, im->nh); return 0; }
  char v[80];
  for (int i = 0; i < im->nh; i++) {
    long at = campStoreUtf8Bad(c->field[i]);
    if (at >= 0) {
      problem(im, c->recordLine, i, "not valid UTF-8 (byte 0x%02x at offset %ld)", (unsigned char)c->field[i][at], at);
      continue;
    }
    if (i == im->nameCol) { im->cells[i] = (DbValue){ .type = DB_NULL }; continue; }
    const char *why = convert(im->types[i], c->field[i], &im->cells[i]);
    if (why) problem(im, c->recordLine, i, "'%s' %s", shown(c->field[i], v), why);
  }
  if (im->bad) return 0;               /* all or nothing: only checking from here on */
  if (im->copy) return copyRecord(im, added, err, errSize);
  int64_t existing = 0;
  if (im->find) {
    bindCell(im->find, 1, &im->cells[im->keyCol]);
    int rc = campDbStep(im->find);
    if (rc == DB_ROW) existing = campDbColumnInt64(im->find, 0);
    campDbReset(im->find);
    if (rc != DB_ROW && rc != DB_DONE) { snprintf(err, errSize, "database: %s", campDbError(im->e->conn)); return -1; }
  }
  DbStmt *st = existing ? im->upd : im->ins;
  for (int i = 0; i < im->nh; i++) bindCell(st, i + 1, &im->cells[i]);
  if (existing) campDbBindInt64(st, im->nh + 1, existing);
  int rc = campDbStep(st);
  if (rc != DB_DONE) problem(im, c->recordLine, -1, "%s", campDbError(im->e->conn));
  else if (existing) (*updated)++;
  else (*added)++;
  campDbReset(st);
  campDbClearBindings(st);
  return 0;
}

static void progress(Import *im, long done, long total) {
  long at = ftell(im->csv.f);
  int bar = total > 0 ? (int)(40 * at / total) : 0;
  fprintf(stderr, "\rimporting [%-40.*s] %3d%% %ld records", bar, "########################################",
          total > 0 ? (int)(100 * at / total) : 0, done);
}

static int importFile(Import im, int delimiter, long *added, long *updated, char *err, size_t errSize);

int campStoreImport(Engine *e, const char *model, const char *key, const char *path, int delimiter, FILE *errs,
                     long *added, long *updated, char *err, size_t errSize) {
  Import im = { .e = e, .path = path, .model = model, .key = key, .errs = errs, .keyCol = -1, .nameCol = -1 };
  return importFile(im, delimiter, added, updated, err, errSize);
}

int campStoreImportNamed(Engine *e, const char *model, const char *path, FILE *errs, StoreImportNameFn fn, void *ctx,
                         long *added, char *err, size_t errSize) {
  Import im = { .e = e, .path = path, .model = model, .errs = errs, .keyCol = -1, .nameCol = -1, .named = fn, .namedCtx = ctx };
  long updated;
  return importFile(im, ',', added, &updated, err, errSize);
}

static int importFile(Import im, int delimiter, long *added, long *updated, char *err, size_t errSize) {
  Engine *e = im.e;
  const char *path = im.path;
  *added = *updated = 0;
  if (csvOpen(&im.csv, path, delimiter ? delimiter : ',') < 0) { snprintf(err, errSize, "cannot read '%s': %s", path, strerror(errno)); return -1; }
  int rc = readHeader(&im, err, errSize);
  int began = 0;
  if (rc == 0 && !im.bad) { rc = campDbBegin(e->conn, err, errSize); began = rc == 0; }
  if (rc == 0 && !im.bad) rc = prepareStatements(&im, err, errSize);
  int tty = isatty(2);
  struct stat fst;
  long total = fstat(fileno(im.csv.f), &fst) == 0 && S_ISREG(fst.st_mode) ? (long)fst.st_size : 0;
  while (rc >= 0 && !im.bad && began) {  /* records; after a problem only checked (below) */
    int r = csvRead(&im.csv);
    if (r == 0) break;
    if (r < 0) { problem(&im, im.csv.errLine, im.csv.errField, "%s", im.csv.err.p); break; }
    if (im.csv.n == 1 && !im.csv.field[0][0]) continue;     /* blank line */
    rc = importRecord(&im, added, updated, err, errSize);
    if (tty && (*added + *updated) % 10000 == 0) progress(&im, *added + *updated, total);
  }
  while (rc >= 0 && im.bad && im.nh) {   /* a problem: list the others, write nothing */
    int r = csvRead(&im.csv);
    if (r == 0) break;
    if (r < 0) { problem(&im, im.csv.errLine, im.csv.errField, "%s", im.csv.err.p); break; }
    if (im.csv.n == 1 && !im.csv.field[0][0]) continue;
    rc = importRecord(&im, added, updated, err, errSize);
  }
  if (tty) fputs("\r\033[K", stderr);
  if (im.copy && campDbCopyEnd(im.copy, rc < 0 || im.bad ? NULL : err, errSize) < 0 && rc >= 0 && !im.bad) rc = -1;
  if (im.merge && rc >= 0 && !im.bad) rc = mergeRecords(&im, im.copied, added, updated, err, errSize);
  campDbFinalize(im.ins);
  campDbFinalize(im.upd);
  campDbFinalize(im.find);
  if (rc >= 0 && im.bad) {
    snprintf(err, errSize, "%ld problem%s; nothing imported", im.bad, im.bad == 1 ? "" : "s");
    rc = -1;
  }
  if (rc < 0) {
    if (began) campDbExec(e->conn, "ROLLBACK", NULL, 0);
    *added = *updated = 0;
  } else if (campDbExec(e->conn, "COMMIT", err, errSize) < 0) {
    campDbExec(e->conn, "ROLLBACK", NULL, 0);
    *added = *updated = 0;
    rc = -1;
  }
  for (int i = 0; i < im.nh && im.head; i++) free(im.head[i]);
  free(im.head);
  free(im.types);
  free(im.cells);
  free(im.cols);
  free(im.vals);
  csvClose(&im.csv);
  return rc < 0 ? -1 : 0;
}
