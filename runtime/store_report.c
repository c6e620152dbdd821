/*
** runtime/store_report.c -- reports and CSV import.
**
** Owns: the report (participants by state; per activity scheduled,
** processed, rejected, canceled, error and, for email and SMS, sent,
** opened, clicked, replied, bounced; clicks per URL; processed and
** rejected per day for the last 15 days) in table, JSON (a stable shape
** tools read) and CSV; test participants never count.  And importing CSV
** records into a model table, all-or-nothing, every bad row listed.
*/
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#include "runtime/store_engine.h"

static json_t *campaignReport(Engine *e, int64_t cid, const char *name, char *err, size_t errSize) {
  json_t *c = json_object(), *parts = json_object(), *acts = json_array(), *links = json_array(), *days = json_array();
  json_object_set_new(c, "name", json_string(name));
  sqlite3_stmt *kq = campStoreStmt(e, "SELECT kind FROM camp_campaign WHERE id = ?", err, errSize);
  if (kq) {
    sqlite3_bind_int64(kq, 1, cid);
    json_object_set_new(c, "kind", json_string(sqlite3_step(kq) == SQLITE_ROW ? (const char *)sqlite3_column_text(kq, 0) : "campaign"));
    sqlite3_reset(kq);
  }
  const char *states[] = { "running", "completed", "left", "unlinked" };
  for (int i = 0; i < 4; i++) json_object_set_new(parts, states[i], json_integer(0));
  sqlite3_stmt *st = campStorePrepare(e, "SELECT state, count(*) FROM camp_participant WHERE campaign = ? AND test = 0 GROUP BY state", err, errSize);
  sqlite3_bind_int64(st, 1, cid);
  while (st && sqlite3_step(st) == SQLITE_ROW)
    json_object_set_new(parts, (const char *)sqlite3_column_text(st, 0), json_integer(sqlite3_column_int64(st, 1)));
  sqlite3_finalize(st);
  json_object_set_new(c, "participants", parts);
  st = campStorePrepare(e,
    "SELECT a.name, a.kind, a.idx,"
    " sum(t.state IN (0, 1, 6)), sum(t.state = 2), sum(t.state = 3), sum(t.state = 4), sum(t.state = 5),"
    " sum(t.state = 2 AND t.message_id IS NOT NULL), sum((t.events & 1) != 0), sum((t.events & 2) != 0),"
    " sum((t.events & 4) != 0), sum((t.events & 8) != 0)"
    " FROM camp_activity a LEFT JOIN camp_trace t ON t.activity = a.id"
    " AND t.participant IN (SELECT id FROM camp_participant WHERE campaign = ?1 AND test = 0)"
    " WHERE a.campaign = ?1 GROUP BY a.id ORDER BY a.idx < 0, a.idx, a.name", err, errSize);
  sqlite3_bind_int64(st, 1, cid);
  static const char *const kinds[] = { "?", "email", "sms", "action" };
  while (st && sqlite3_step(st) == SQLITE_ROW) {
    int kind = sqlite3_column_int(st, 1);
    json_t *a = json_pack("{s:s,s:s,s:b,s:I,s:I,s:I,s:I,s:I}", "name", sqlite3_column_text(st, 0),
        "kind", kinds[kind >= 1 && kind <= 3 ? kind : 0], "active", sqlite3_column_int(st, 2) >= 0,
        "scheduled", (json_int_t)sqlite3_column_int64(st, 3), "processed", (json_int_t)sqlite3_column_int64(st, 4),
        "rejected", (json_int_t)sqlite3_column_int64(st, 5), "canceled", (json_int_t)sqlite3_column_int64(st, 6),
        "error", (json_int_t)sqlite3_column_int64(st, 7));
    if (kind != ACT_ACTION) {
      const char *k[] = { "sent", "opened", "clicked", "replied", "bounced" };
      for (int i = 0; i < 5; i++) json_object_set_new(a, k[i], json_integer(sqlite3_column_int64(st, 8 + i)));
      /* rates of sent, in percent with one decimal (0 when nothing was sent) */
      const char *r[] = { "opened_rate", "clicked_rate", "replied_rate", "bounced_rate" };
      int64_t sent = sqlite3_column_int64(st, 8);
      for (int i = 0; i < 4; i++)
        json_object_set_new(a, r[i], json_real(sent ? (double)(int64_t)(1000.0 * (double)sqlite3_column_int64(st, 9 + i) / (double)sent + 0.5) / 10.0 : 0.0));
    }
    json_array_append_new(acts, a);
  }
  sqlite3_finalize(st);
  json_object_set_new(c, "activities", acts);
  /* every click counts: a row stands for itself and its repeats (store_event.c) */
  st = campStorePrepare(e, "SELECT ev.url, sum(1 + ev.repeats) FROM camp_event ev JOIN camp_trace t ON t.id = ev.trace"
                           " JOIN camp_participant pa ON pa.id = t.participant"
                           " WHERE pa.campaign = ? AND pa.test = 0 AND ev.kind = 'click' AND ev.url IS NOT NULL"
                           " GROUP BY ev.url ORDER BY 2 DESC, ev.url", err, errSize);
  sqlite3_bind_int64(st, 1, cid);
  while (st && sqlite3_step(st) == SQLITE_ROW)
    json_array_append_new(links, json_pack("{s:s,s:I}", "url", sqlite3_column_text(st, 0), "clicks", (json_int_t)sqlite3_column_int64(st, 1)));
  sqlite3_finalize(st);
  json_object_set_new(c, "links", links);
  int64_t now = campEngineNow(e), today = now - now % 86400;
  st = campStorePrepare(e, "SELECT (t.done_at - ?2) / 86400, sum(t.state = 2), sum(t.state = 3) FROM camp_trace t"
                           " JOIN camp_participant pa ON pa.id = t.participant WHERE pa.campaign = ?1 AND pa.test = 0"
                           " AND t.done_at >= ?2 AND t.state IN (2, 3) GROUP BY 1", err, errSize);
  int64_t proc[15] = { 0 }, rej[15] = { 0 };
  sqlite3_bind_int64(st, 1, cid);
  sqlite3_bind_int64(st, 2, today - 14 * 86400);
  while (st && sqlite3_step(st) == SQLITE_ROW) {
    int64_t d = sqlite3_column_int64(st, 0);
    if (d >= 0 && d < 15) { proc[d] = sqlite3_column_int64(st, 1); rej[d] = sqlite3_column_int64(st, 2); }
  }
  sqlite3_finalize(st);
  for (int d = 0; d < 15; d++) {
    char date[16];
    time_t t = (time_t)(today - (14 - d) * 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    json_array_append_new(days, json_pack("{s:s,s:I,s:I}", "date", date, "processed", (json_int_t)proc[d], "rejected", (json_int_t)rej[d]));
  }
  json_object_set_new(c, "days", days);
  return c;
}

static double rate(json_int_t n, json_int_t of) { return of ? 100.0 * (double)n / (double)of : 0; }

static void printTable(json_t *camps, FILE *out) {
  size_t i;
  json_t *c;
  json_array_foreach(camps, i, c) {
    json_t *p = json_object_get(c, "participants");
    const char *kind = json_string_value(json_object_get(c, "kind"));
    fprintf(out, "%s%s %s: %lld running, %lld completed, %lld left\n", i ? "\n" : "", kind ? kind : "campaign",
            json_string_value(json_object_get(c, "name")), (long long)json_integer_value(json_object_get(p, "running")),
            (long long)json_integer_value(json_object_get(p, "completed")), (long long)json_integer_value(json_object_get(p, "left")));
    fprintf(out, "  %-18s %-6s %9s %9s %8s %8s %6s %7s %14s %14s %14s %14s\n", "activity", "kind", "scheduled", "processed",
            "rejected", "canceled", "error", "sent", "opened", "clicked", "replied", "bounced");
    size_t j;
    json_t *a;
    json_array_foreach(json_object_get(c, "activities"), j, a) {
#define N(k) ((long long)json_integer_value(json_object_get(a, k)))
      fprintf(out, "  %-18s %-6s %9lld %9lld %8lld %8lld %6lld", json_string_value(json_object_get(a, "name")),
              json_string_value(json_object_get(a, "kind")), N("scheduled"), N("processed"), N("rejected"), N("canceled"), N("error"));
      if (json_object_get(a, "sent")) {
        fprintf(out, " %7lld", N("sent"));
        const char *k[] = { "opened", "clicked", "replied", "bounced" };
        for (int x = 0; x < 4; x++) fprintf(out, " %6lld %5.1f%%", N(k[x]), rate(N(k[x]), N("sent")));
      }
      fputc('\n', out);
#undef N
    }
    json_t *links = json_object_get(c, "links");
    if (json_array_size(links)) {
      fputs("  links:\n", out);
      json_array_foreach(links, j, a)
        fprintf(out, "    %6lld  %s\n", (long long)json_integer_value(json_object_get(a, "clicks")), json_string_value(json_object_get(a, "url")));
    }
    fputs("  last 15 days (processed/rejected):", out);
    json_array_foreach(json_object_get(c, "days"), j, a)
      fprintf(out, " %lld/%lld", (long long)json_integer_value(json_object_get(a, "processed")),
              (long long)json_integer_value(json_object_get(a, "rejected")));
    fputc('\n', out);
  }
}

static void printCsv(json_t *camps, FILE *out) {
  fputs("campaign,activity,kind,scheduled,processed,rejected,canceled,error,sent,opened,clicked,replied,bounced\n", out);
  size_t i, j;
  json_t *c, *a;
  json_array_foreach(camps, i, c) json_array_foreach(json_object_get(c, "activities"), j, a) {
    fprintf(out, "%s,%s,%s", json_string_value(json_object_get(c, "name")), json_string_value(json_object_get(a, "name")),
            json_string_value(json_object_get(a, "kind")));
    const char *k[] = { "scheduled", "processed", "rejected", "canceled", "error", "sent", "opened", "clicked", "replied", "bounced" };
    for (int x = 0; x < 10; x++) fprintf(out, ",%lld", (long long)json_integer_value(json_object_get(a, k[x])));
    fputc('\n', out);
  }
}

int campEngineReport(Engine *e, const char *campaign, ReportFormat fmt, FILE *out, char *err, size_t errSize) {
  sqlite3_stmt *st = campStorePrepare(e, "SELECT id, name FROM camp_campaign WHERE ?1 IS NULL OR name = ?1 ORDER BY name", err, errSize);
  if (!st) return -1;
  if (campaign) sqlite3_bind_text(st, 1, campaign, -1, SQLITE_STATIC);
  json_t *camps = json_array();
  int64_t ids[256];
  char names[256][128];
  int n = 0;
  while (n < 256 && sqlite3_step(st) == SQLITE_ROW) {
    ids[n] = sqlite3_column_int64(st, 0);
    snprintf(names[n++], 128, "%s", (const char *)sqlite3_column_text(st, 1));
  }
  sqlite3_finalize(st);
  if (campaign && !n) { snprintf(err, errSize, "no campaign '%s' is deployed", campaign); json_decref(camps); return -1; }
  for (int i = 0; i < n; i++) json_array_append_new(camps, campaignReport(e, ids[i], names[i], err, errSize));
  if (fmt == REPORT_JSON) {
    json_t *root = json_pack("{s:o}", "campaigns", camps);
    json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', out);
    json_decref(root);
    return 0;
  }
  if (fmt == REPORT_CSV) printCsv(camps, out); else printTable(camps, out);
  json_decref(camps);
  return 0;
}

/* -- CSV import ------------------------------------------------------------ */

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

/* -- timeline ------------------------------------------------------------- */

int campEngineTimeline(Engine *e, const char *campaign, FILE *out, char *err, size_t errSize) {
  static const char *const states[] = { "scheduled", "waiting", "processed", "rejected", "canceled", "error", "sending" };
  sqlite3_stmt *st = campStorePrepare(e,
    "SELECT c.name, pa.record_id, pa.state, a.name, t.state, t.due, t.done_at, coalesce(t.message, ''), pa.test"
    " FROM camp_trace t JOIN camp_participant pa ON pa.id = t.participant JOIN camp_campaign c ON c.id = pa.campaign"
    " JOIN camp_activity a ON a.id = t.activity WHERE ?1 IS NULL OR c.name = ?1"
    " ORDER BY c.name, pa.test, pa.record_id, t.id", err, errSize);
  if (!st) return -1;
  if (campaign) sqlite3_bind_text(st, 1, campaign, -1, SQLITE_STATIC);
  while (sqlite3_step(st) == SQLITE_ROW) {
    char due[32] = "-", done[32] = "-";
    for (int k = 0; k < 2; k++) {
      int col = k ? 6 : 5;
      if (sqlite3_column_type(st, col) == SQLITE_NULL) continue;
      time_t t = (time_t)sqlite3_column_int64(st, col);
      struct tm tm;
      gmtime_r(&t, &tm);
      strftime(k ? done : due, 32, "%Y-%m-%dT%H:%M", &tm);
    }
    int s = sqlite3_column_int(st, 4);
    fprintf(out, "%s record %lld%s (%s): %-16s %-9s due %-16s done %-16s %s\n", sqlite3_column_text(st, 0),
            (long long)sqlite3_column_int64(st, 1), sqlite3_column_int(st, 8) ? " [test]" : "", sqlite3_column_text(st, 2),
            sqlite3_column_text(st, 3), s >= 0 && s <= 6 ? states[s] : "?", due, done, sqlite3_column_text(st, 7));
  }
  sqlite3_finalize(st);
  return 0;
}
