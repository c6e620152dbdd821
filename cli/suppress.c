/*
** cli/suppress.c -- camp suppress list|add|remove: the suppression list.
**
** Owns: the command's options and what it prints.  Every address of one
** command changes in one transaction: a bad address changes nothing.  Does
** not own: normalising and storing addresses (runtime/store_suppress.c).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "runtime/engine.h"
#include "runtime/store.h"

static const char usage[] =
  "usage: camp suppress list [--channel email|sms] [--format table|json|csv] | "
  "camp suppress add|remove [--channel email|sms] [--reason TEXT] ADDRESS...";

typedef struct SupOpts {
  const char *db, *channel, *reason, *format;
  const char *verb;
  char **addr;
  int naddr;
} SupOpts;

/* The verb and addresses of a into o; returns 0, or 2 after a usage
** message. */
static int parseSup(const CliArgs *a, SupOpts *o) {
  memset(o, 0, sizeof *o);
  o->db = a->opt[O_DB];
  o->channel = a->opt[O_CHANNEL];
  o->reason = a->opt[O_REASON];
  o->format = a->opt[O_FORMAT];
  o->verb = a->npos ? a->pos[0] : NULL;
  o->addr = a->npos ? a->pos + 1 : NULL;
  o->naddr = a->npos ? a->npos - 1 : 0;
  if (!o->verb || (strcmp(o->verb, "list") && strcmp(o->verb, "add") && strcmp(o->verb, "remove")))
    return campCliUsage(a->cmd, "%s", usage);
  if (o->channel && strcmp(o->channel, "email") && strcmp(o->channel, "sms"))
    return campCliUsage(a->cmd, "unknown channel '%s' (email or sms)", o->channel);
  if (!strcmp(o->verb, "list") ? o->naddr > 0 || o->reason : o->naddr == 0 || o->format)
    return campCliUsage(a->cmd, "%s", usage);
  o->db = campCliDbPath(o->db);
  return 0;
}

static int list(Engine *e, const SupOpts *o, const char *cmd) {
  static const char *const formats[] = { "table", "json", "csv", NULL };
  ReportFormat f;
  if (campCliFormat(cmd, o->format, formats, &f)) return 2;
  char err[512];
  if (campStoreSuppressionList(e, o->channel, f, stdout, err, sizeof err) < 0) {
    fprintf(stderr, "camp %s: %s\n", cmd, err);
    return 1;
  }
  return 0;
}

/* add or remove every address in one transaction; report each. */
static int change(Engine *e, const SupOpts *o, const char *cmd) {
  char err[512];
  int remove = !strcmp(o->verb, "remove");
  if (campEngineBegin(e, err, sizeof err) < 0) { fprintf(stderr, "camp %s: %s\n", cmd, err); return 1; }
  char **said = calloc((size_t)o->naddr, sizeof *said);
  int rc = said ? 0 : -1;
  if (!said) snprintf(err, sizeof err, "out of memory");
  for (int i = 0; i < o->naddr && rc == 0; i++) {
    char channel[8], *addr = NULL;
    int r = campStoreSuppressEdit(e, o->channel, o->addr[i], o->reason, remove, channel, &addr, err, sizeof err);
    if (r < 0) { rc = -1; break; }
    size_t n = strlen(addr) + 64;
    if ((said[i] = malloc(n)) != NULL)
      snprintf(said[i], n, "%s %s %s", remove ? (r ? "removed" : "not suppressed:") : (r ? "suppressed" : "already suppressed:"),
               channel, addr);
    free(addr);
    if (!said[i]) { snprintf(err, sizeof err, "out of memory"); rc = -1; break; }
  }
  if (rc == 0) rc = campEngineCommit(e, err, sizeof err);
  /* printed only once it is true: a failed command says nothing happened */
  for (int i = 0; i < o->naddr && said; i++) { if (rc == 0) puts(said[i]); free(said[i]); }
  free(said);
  if (rc < 0) { fprintf(stderr, "camp %s: %s (nothing changed)\n", cmd, err); return 1; }
  return 0;
}

static int suppress(const CliArgs *a) {
  SupOpts o;
  int rc = parseSup(a, &o);
  if (rc) return rc;
  char err[512];
  Engine *e = campEngineOpen(o.db, 0, INT64_MIN, err, sizeof err);
  if (!e) { fprintf(stderr, "camp %s: %s\n", a->cmd, err); return 1; }
  rc = !strcmp(o.verb, "list") ? list(e, &o, a->cmd) : change(e, &o, a->cmd);
  campEngineClose(e);                 /* an uncommitted transaction rolls back */
  return rc;
}

const CliSpec campCmdSuppress = {
  "suppress", "list, add or remove suppressed addresses", suppress,
  "camp suppress [--db DB] list [--channel email|sms] [--format table|json|csv]\n"
  "camp suppress [--db DB] add|remove [--channel email|sms] [--reason TEXT] ADDRESS...",
  "A suppressed address gets nothing from any campaign.  Every address of one command changes in\n"
  "one transaction: a bad address changes nothing (docs/suppress.md).",
  (const CliOptUse[]){ { O_DB, NULL }, { O_CHANNEL, NULL }, { O_REASON, NULL }, { O_FORMAT, "table (default), json or csv" }, { CLI_NOPT, NULL } },
  NULL, "camp suppress --db shop.db add --channel sms --reason complaint +33600000001", NULL, 0,
};
