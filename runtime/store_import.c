/*
** runtime/store_import.c -- CSV records into a model table.
**
** Owns: reading CSV (RFC 4180), checking each value against its field's
** type, and writing the records in one transaction: all or nothing, every
** bad row listed.  Does not own: the model tables' shape (store_deploy.c)
** or the command's options (cli/db.c).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#include "runtime/store_engine.h"

typedef struct Csv { FILE *f; long line; } Csv;

/* One RFC 4180 record into fields (malloc'd strings); returns the count,
** 0 at end, -1 on a malformed record. */
static int csvRecord(Csv *c, char ***fields, int *cap) {
  int n = 0, ch;
  size_t len = 0, bufCap = 256;
  char *buf = malloc(bufCap);
  int quoted = 0, any = 0;
  c->line++;
  for (;;) {
    ch = fgetc(c->f);
    if (ch == EOF && !any) { free(buf); return 0; }
    any = 1;
    if (quoted) {
      if (ch == EOF) { free(buf); return -1; }
      if (ch == '"') {
        int next = fgetc(c->f);
        if (next == '"') ch = '"';
        else { quoted = 0; ungetc(next, c->f); continue; }
      } else if (ch == '\n') c->line++;
    } else if (ch == '"' && len == 0) { quoted = 1; continue; }
    else if (ch == ',' || ch == '\n' || ch == EOF) {
      if (len && buf[len - 1] == '\r' && ch != ',') len--;
      buf[len] = 0;
      if (n == *cap) { *cap = *cap ? *cap * 2 : 16; *fields = realloc(*fields, (size_t)*cap * sizeof **fields); }
      (*fields)[n++] = strdup(buf);
      len = 0;
      if (ch != ',') { free(buf); return n; }
      continue;
    }
    if (len + 2 > bufCap) { bufCap *= 2; buf = realloc(buf, bufCap); }
    buf[len++] = (char)ch;
  }
}

/* Check and convert one value to its field's type; NULL when fine. */
static const char *convert(int type, const char *s, sqlite3_stmt *st, int col) {
  if (!*s) { sqlite3_bind_null(st, col); return NULL; }
  char *end;
  switch (type) {
  case TYPE_INT: {
    long long v = strtoll(s, &end, 10);
    if (*end) return "is not an int";
    sqlite3_bind_int64(st, col, v);
    return NULL;
  }
  case TYPE_REAL: {
    double v = strtod(s, &end);
    if (*end) return "is not a number";
    sqlite3_bind_double(st, col, v);
    return NULL;
  }
  case TYPE_BOOL:
    if (!strcasecmp(s, "true") || !strcmp(s, "1") || !strcasecmp(s, "yes")) sqlite3_bind_int(st, col, 1);
    else if (!strcasecmp(s, "false") || !strcmp(s, "0") || !strcasecmp(s, "no")) sqlite3_bind_int(st, col, 0);
    else return "is not a bool (true/false, yes/no, 1/0)";
    return NULL;
  case TYPE_DATETIME: {
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *r = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!r) { memset(&tm, 0, sizeof tm); r = strptime(s, "%Y-%m-%d", &tm); }
    if (!r || (*r && strcmp(r, "Z"))) return "is not an ISO 8601 datetime";
    sqlite3_bind_int64(st, col, (int64_t)timegm(&tm));
    return NULL;
  }
  case TYPE_EMAIL: {
    const char *at = strchr(s, '@');
    if (!at || at == s || !strchr(at, '.') || strpbrk(s, " ,;<>\"") || strchr(at + 1, '@')) return "is not an email address";
    break;
  }
  case TYPE_PHONE:
    for (const char *p = s; *p; p++) if (!strchr("+0123456789 -().", *p)) return "is not a phone number";
    break;
  default: break;
  }
  sqlite3_bind_text(st, col, s, -1, SQLITE_TRANSIENT);
  return NULL;
}

int campEngineImport(Engine *e, const char *model, const char *key, const char *path, FILE *errs,
                     long *added, long *updated, char *err, size_t errSize) {
  char **head = NULL, **row = NULL, sql[8192], id[256], col[256];
  int headCap = 0, rowCap = 0, types[256], bad = 0, rc = 0;
  Csv c = { fopen(path, "r"), 0 };
  *added = *updated = 0;
  if (!c.f) { snprintf(err, errSize, "cannot read '%s'", path); return -1; }
  int nh = csvRecord(&c, &head, &headCap);
  if (nh <= 0 || nh > 256) { snprintf(err, errSize, "%s:1: error: no header row naming the fields", path); fclose(c.f); return -1; }
  sqlite3_stmt *ft = campStorePrepare(e, "SELECT type FROM camp_model WHERE model = ? AND field = ?", err, errSize);
  int keyCol = -1, known = 0;
  for (int i = 0; i < nh && ft; i++) {
    sqlite3_bind_text(ft, 1, model, -1, SQLITE_STATIC);
    sqlite3_bind_text(ft, 2, head[i], -1, SQLITE_STATIC);
    types[i] = sqlite3_step(ft) == SQLITE_ROW ? sqlite3_column_int(ft, 0) : 0;
    sqlite3_reset(ft);
    if (!types[i]) { fprintf(errs, "%s:1: error: model '%s' has no field '%s'\n", path, model, head[i]); bad++; }
    if (key && !strcmp(head[i], key)) keyCol = i;
    known++;
  }
  sqlite3_bind_text(ft, 1, model, -1, SQLITE_STATIC);
  sqlite3_bind_text(ft, 2, "id", -1, SQLITE_STATIC);
  int modelExists = ft && sqlite3_step(ft) == SQLITE_ROW;
  sqlite3_finalize(ft);
  if (!modelExists) { snprintf(err, errSize, "no model '%s' in the database (camp deploy a campaign file that declares it)", model); rc = -1; goto done; }
  if (key && keyCol < 0) { snprintf(err, errSize, "--key %s: the CSV has no column '%s'", key, key); rc = -1; goto done; }
  size_t n = (size_t)snprintf(sql, sizeof sql, "INSERT INTO %s(", campStoreIdent(model, id, sizeof id));
  for (int i = 0; i < nh; i++) n += (size_t)snprintf(sql + n, sizeof sql - n, "%s%s", i ? ", " : "", campStoreIdent(head[i], col, sizeof col));
  n += (size_t)snprintf(sql + n, sizeof sql - n, ") VALUES(");
  for (int i = 0; i < nh; i++) n += (size_t)snprintf(sql + n, sizeof sql - n, "%s?", i ? ", " : "");
  snprintf(sql + n, sizeof sql - n, ")");
  if (bad) { rc = -1; snprintf(err, errSize, "%d problem%s; nothing imported", bad, bad == 1 ? "" : "s"); goto done; }
  if (campStoreExec(e, "BEGIN IMMEDIATE", err, errSize) < 0) { rc = -1; goto done; }
  sqlite3_stmt *ins = campStorePrepare(e, sql, err, errSize), *upd = NULL, *find = NULL;
  if (key) {
    n = (size_t)snprintf(sql, sizeof sql, "UPDATE %s SET ", id);
    for (int i = 0, k = 0; i < nh; i++) if (i != keyCol) n += (size_t)snprintf(sql + n, sizeof sql - n, "%s%s = ?%d", k++ ? ", " : "", campStoreIdent(head[i], col, sizeof col), i + 1);
    snprintf(sql + n, sizeof sql - n, " WHERE id = ?%d", nh + 1);
    upd = campStorePrepare(e, sql, err, errSize);
    snprintf(sql, sizeof sql, "SELECT id FROM %s WHERE %s = ? LIMIT 1", id, campStoreIdent(key, col, sizeof col));
    find = campStorePrepare(e, sql, err, errSize);
  }
  int tty = isatty(2);
  struct stat fst;
  long total = fstat(fileno(c.f), &fst) == 0 && S_ISREG(fst.st_mode) ? (long)fst.st_size : 0;
  for (;;) {
    long line = c.line + 1;
    int nr = csvRecord(&c, &row, &rowCap);
    if (nr == 0) break;
    if (nr < 0) { fprintf(errs, "%s:%ld: error: unterminated quoted field\n", path, line); bad++; break; }
    if (nr == 1 && !row[0][0]) { free(row[0]); continue; }     /* blank line */
    if (nr != nh) { fprintf(errs, "%s:%ld: error: %d fields, the header has %d\n", path, line, nr, nh); bad++; }
    int64_t existing = 0;
    if (nr == nh && find) {
      sqlite3_bind_text(find, 1, row[keyCol], -1, SQLITE_TRANSIENT);
      if (sqlite3_step(find) == SQLITE_ROW) existing = sqlite3_column_int64(find, 0);
      sqlite3_reset(find);
    }
    sqlite3_stmt *st = existing ? upd : ins;
    for (int i = 0; i < nr && i < nh && st; i++) {
      const char *why = convert(types[i], row[i], st, i + 1);
      if (why) { fprintf(errs, "%s:%ld: error: field '%s': '%s' %s\n", path, line, head[i], row[i], why); bad++; }
    }
    if (existing) sqlite3_bind_int64(st, nh + 1, existing);
    if (!bad && st) {
      if (sqlite3_step(st) != SQLITE_DONE) { fprintf(errs, "%s:%ld: error: %s\n", path, line, sqlite3_errmsg(e->db)); bad++; }
      else if (existing) (*updated)++; else (*added)++;
    }
    if (st) { sqlite3_reset(st); sqlite3_clear_bindings(st); }
    for (int i = 0; i < nr; i++) free(row[i]);
    if (tty && (*added + *updated) % 10000 == 0) {          /* a progress bar by bytes read */
      long at = ftell(c.f);
      int done = total > 0 ? (int)(40 * at / total) : 0;
      fprintf(stderr, "\rimporting [%-40.*s] %3d%% %ld records", done, "########################################",
              total > 0 ? (int)(100 * at / total) : 0, *added + *updated);
    }
  }
  if (tty) fputs("\r\033[K", stderr);
  sqlite3_finalize(ins);
  sqlite3_finalize(upd);
  sqlite3_finalize(find);
  if (bad) {
    sqlite3_exec(e->db, "ROLLBACK", NULL, NULL, NULL);
    snprintf(err, errSize, "%d problem%s; nothing imported", bad, bad == 1 ? "" : "s");
    *added = *updated = 0;
    rc = -1;
  } else if (campStoreExec(e, "COMMIT", err, errSize) < 0) rc = -1;
done:
  for (int i = 0; i < nh; i++) free(head[i]);
  free(head);
  free(row);
  fclose(c.f);
  return rc;
}
