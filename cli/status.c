/*
** cli/status.c -- camp status: what a database holds and where it stands.
**
** Owns: the command's options and its two layouts: text (the database's
** absolute path, the clock, the next due time, then an aligned table with
** a row per campaign and mailing, then one per mailing: schedule, time,
** sent time) and JSON (campStoreStatus's object as it
** is).
** Does not own: reading the state (runtime/store_status.c) or when the
** next trace is due (the scheduler's campSchedNextDue).
*/
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "runtime/engine.h"
#include "runtime/sched.h"
#include "runtime/store.h"

enum { NCOL = 12 };

static const char *const header[NCOL] = { "KIND", "NAME", "STATE", "VERSION", "HASH", "RUNNING", "COMPLETED", "LEFT",
                                          "UNLINKED", "TEST", "PENDING", "NEXT DUE" };

/* Cell col of campaign c as text (malloc'd). */
static char *cell(json_t *c, int col) {
  json_t *p = json_object_get(c, "participants");
  static const char *const parts[] = { "running", "completed", "left", "unlinked" };
  const char *s = NULL;
  char num[32];
  switch (col) {
  case 0: s = json_string_value(json_object_get(c, "kind")); break;
  case 1: s = json_string_value(json_object_get(c, "name")); break;
  case 2: s = json_string_value(json_object_get(c, "state")); break;
  case 3: snprintf(num, sizeof num, "%lld", (long long)json_integer_value(json_object_get(c, "version"))); s = num; break;
  case 4: s = json_string_value(json_object_get(c, "hash")); if (s) return strndup(s, 12); break;   /* as git shows a commit */
  case 5: case 6: case 7: case 8:
    snprintf(num, sizeof num, "%lld", (long long)json_integer_value(json_object_get(p, parts[col - 5]))); s = num; break;
  case 9: snprintf(num, sizeof num, "%lld", (long long)json_integer_value(json_object_get(c, "test_participants"))); s = num; break;
  case 10: snprintf(num, sizeof num, "%lld", (long long)json_integer_value(json_object_get(c, "pending"))); s = num; break;
  default: s = json_string_value(json_object_get(c, "next_due")); break;
  }
  return strdup(s ? s : "-");
}

/* s, then spaces to width and two more (width 0: s alone, the last column). */
static void padded(const char *s, int width, FILE *out) {
  if (width) fprintf(out, "%-*s  ", width, s);
  else fputs(s, out);
}

/* The campaigns as a table: a column as wide as its widest cell, two
** spaces apart, the last one unpadded; the header bold in colour. */
static void printTable(json_t *camps, int color, FILE *out) {
  size_t n = json_array_size(camps), w[NCOL];
  char **cells = calloc(n * NCOL + 1, sizeof *cells);
  if (!cells) { fputs("camp status: out of memory\n", stderr); return; }
  for (int k = 0; k < NCOL; k++) w[k] = strlen(header[k]);
  for (size_t i = 0; i < n; i++)
    for (int k = 0; k < NCOL; k++) {
      cells[i * NCOL + k] = cell(json_array_get(camps, i), k);
      size_t len = cells[i * NCOL + k] ? strlen(cells[i * NCOL + k]) : 0;
      if (len > w[k]) w[k] = len;
    }
  fputs(color ? "\033[1m" : "", out);
  for (int k = 0; k < NCOL; k++) padded(header[k], k < NCOL - 1 ? (int)w[k] : 0, out);
  fputs(color ? "\033[0m\n" : "\n", out);
  for (size_t i = 0; i < n; i++) {
    for (int k = 0; k < NCOL; k++) {
      const char *s = cells[i * NCOL + k] ? cells[i * NCOL + k] : "?";
      padded(s, k < NCOL - 1 ? (int)w[k] : 0, out);
    }
    fputc('\n', out);
  }
  for (size_t i = 0; i < n * NCOL; i++) free(cells[i]);
  free(cells);
}

/* The mailings: each one's schedule (manual, deferred, when started),
** time and when it was sent ("not sent"), aligned; nothing without one. */
static void printMailings(json_t *camps, int color, FILE *out) {
  size_t i, w[3] = { 7, 8, 2 };
  json_t *c;
  int any = 0;
  json_array_foreach(camps, i, c) {
    if (!json_object_get(c, "schedule")) continue;
    const char *v[3] = { json_string_value(json_object_get(c, "name")), json_string_value(json_object_get(c, "schedule")),
                         json_string_value(json_object_get(c, "at")) };
    for (int k = 0; k < 3; k++) if (v[k] && strlen(v[k]) > w[k]) w[k] = strlen(v[k]);
    any = 1;
  }
  if (!any) return;
  fprintf(out, "\n%s%-*s  %-*s  %-*s  SENT AT%s\n", color ? "\033[1m" : "", (int)w[0], "MAILING", (int)w[1], "SCHEDULE",
          (int)w[2], "AT", color ? "\033[0m" : "");
  json_array_foreach(camps, i, c) {
    if (!json_object_get(c, "schedule")) continue;
    const char *at = json_string_value(json_object_get(c, "at")), *sent = json_string_value(json_object_get(c, "sent_at"));
    const char *via = json_string_value(json_object_get(c, "transport"));
    fprintf(out, "%-*s  %-*s  %-*s  %s%s%s\n", (int)w[0], json_string_value(json_object_get(c, "name")), (int)w[1],
            json_string_value(json_object_get(c, "schedule")), (int)w[2], at ? at : "-", sent ? sent : "not sent",
            via ? " via " : "", via ? via : "");
  }
}

static void printText(json_t *s, int color, FILE *out) {
  const char *next = json_string_value(json_object_get(s, "next_due"));
  fprintf(out, "database  %s\n", json_string_value(json_object_get(s, "database")));
  fprintf(out, "clock     %s, now %s\n", json_string_value(json_object_get(s, "clock")), json_string_value(json_object_get(s, "now")));
  fprintf(out, "next due  %s\n", next ? next : "- (nothing pending)");
  json_t *camps = json_object_get(s, "campaigns");
  if (!json_array_size(camps)) { fputs("\nno campaign is deployed (camp deploy FILE.camp)\n", out); return; }
  fputc('\n', out);
  printTable(camps, color, out);
  printMailings(camps, color, out);
}

static int status(const CliArgs *a) {
  static const char *const formats[] = { "text", "json", NULL };
  ReportFormat f;
  if (campCliFormat(a->cmd, a->opt[O_FORMAT], formats, &f)) return 2;
  if (a->npos) return campCliUsage(a->cmd, "usage: camp status [--db DB] [--format text|json]");
  const char *db = campCliDbPath(a->opt[O_DB]);
  char err[512];
  Engine *e = campEngineOpen(db, 0, INT64_MIN, err, sizeof err);
  if (!e) { fprintf(stderr, "camp status: %s\n", err); return 1; }
  char *full = realpath(db, NULL);               /* which file it is, wherever camp was started */
  json_t *s = campStoreStatus(e, full ? full : campEngineName(e), campSchedNextDue(e), err, sizeof err);
  free(full);
  campEngineClose(e);
  if (!s) { fprintf(stderr, "camp status: %s\n", err); return 1; }
  if (f == REPORT_JSON) {
    json_dumpf(s, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
  } else {
    printText(s, campCliColor(a, stdout), stdout);
  }
  json_decref(s);
  return 0;
}

const CliSpec campCmdStatus = {
  "status", "every campaign and mailing: state, version, participants, next due time", status,
  "camp status [--db DB] [--format text|json]",
  "Says which database and clock it reads (real, or simulated with its now) and when the next trace\n"
  "is due; then per campaign and mailing: its state (draft, running, stopped; a mailing whose list\n"
  "was enrolled and that has nothing pending is sent), the deployed version and the start of its\n"
  "image's SHA-256 (all of it in JSON), participants by state (test participants apart), pending\n"
  "traces and when the first of them is due.",
  (const CliOptUse[]){ { O_DB, NULL }, { O_FORMAT, "text (default) or json" }, { CLI_NOPT, NULL } },
  NULL, "camp status --db shop.db --format json",
  "0\tdone\n1\tthe database cannot be read\n2\tusage error", 0,
};
