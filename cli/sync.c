/*
** cli/sync.c -- `camp sync [NAME...] [--dry-run] [--export-only|
** --import-only] [--db DB]` and `camp sync --list`: ESP syncs (docs/SYNC.md).
**
** Owns: the command line -- which syncs, the flags, SIGINT/SIGTERM as a
** stop after the current step, the exit status (0 done or in sync, 1 a
** failure or a stop, 2 usage or a dry run with changes).  Does not own:
** what a sync does (runtime/sync*.c) or its listing (store_sync_state.c).
*/
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "runtime/sync.h"

static volatile sig_atomic_t stopSync;
static void onStop(int sig) { (void)sig; stopSync = 1; }

static void catchStops(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = onStop;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

/* Every name given is a deployed sync: 0, or 2 after a usage line; none
** deployed: 3 after saying so. */
static int checkNames(const CliArgs *a, Engine *e) {
  char **names = NULL, err[512];
  size_t n = 0;
  if (campStoreSyncNames(e, &names, &n, err, sizeof err) < 0) { fprintf(stderr, "camp sync: %s\n", err); return 1; }
  int rc = !n && !a->npos ? 3 : 0;
  if (rc) printf("no syncs are deployed (declare one: docs/SYNC.md)\n");
  for (int i = 0; rc == 0 && i < a->npos; i++) {
    size_t j = 0;
    while (j < n && strcmp(names[j], a->pos[i])) j++;
    if (j == n) rc = campCliUsage(a->cmd, "no sync '%s' is deployed (camp sync --list shows those that are)", a->pos[i]);
  }
  for (size_t j = 0; j < n; j++) free(names[j]);
  free(names);
  return rc;
}

static int syncCmd(const CliArgs *a) {
  if (a->opt[O_EXPORT_ONLY] && a->opt[O_IMPORT_ONLY]) return campCliUsage(a->cmd, "--export-only and --import-only exclude each other");
  if (a->opt[O_LIST] && (a->npos || a->opt[O_DRY_RUN] || a->opt[O_EXPORT_ONLY] || a->opt[O_IMPORT_ONLY]))
    return campCliUsage(a->cmd, "--list takes no sync names and no other option but --db");
  char err[1024];
  Engine *e = campEngineOpen(campCliDbPath(a->opt[O_DB]), 0, INT64_MIN, err, sizeof err);
  if (!e) { fprintf(stderr, "camp sync: %s\n", err); return 1; }
  int rc = a->opt[O_LIST] ? (campStoreSyncList(e, stdout, err, sizeof err) < 0) : checkNames(a, e);
  if (a->opt[O_LIST] || rc) {
    if (rc == 1) fprintf(stderr, "camp sync: %s\n", err);
    campEngineClose(e);
    return rc == 3 ? 0 : rc;
  }
  catchStops();
  SyncOptions o = { .names = (const char *const *)a->pos, .nname = (size_t)a->npos, .dryRun = a->opt[O_DRY_RUN] != NULL,
                    .exportOnly = a->opt[O_EXPORT_ONLY] != NULL, .importOnly = a->opt[O_IMPORT_ONLY] != NULL,
                    .out = stdout, .log = stderr, .color = campCliColor(a, stdout), .stop = (volatile const int *)&stopSync };
  SyncStats st;
  rc = campSyncRun(e, &o, &st, err, sizeof err);
  fflush(stdout);
  if (rc < 0) fprintf(stderr, "camp sync: %s\n", err);
  campEngineClose(e);
  return rc < 0 ? 1 : rc ? 2 : 0;
}

const CliSpec campCmdSync = {
  "sync", "mirror lists to Mailchimp / Dotdigital and bring their unsubscribes and campaigns home", syncCmd,
  "camp sync [--db DB] [NAME...] [--dry-run] [--export-only | --import-only]\n"
  "camp sync [--db DB] --list",
  "Runs each deployed sync named (default: every one): first the import (the provider's unsubscribes,\n"
  "hard bounces and complaints onto every connected list; its campaigns to the segment or address book\n"
  "as mailings, with their per-member activity), then the export (the list's send set subscribed, updated,\n"
  "unsubscribed or removed there).  Every step commits with its cursor: a sync stopped anywhere and run\n"
  "again ends where one clean run would have.  --dry-run reads both sides and prints the plan, changing\n"
  "nothing.  Credentials come from the environment (docs/SYNC.md).",
  (const CliOptUse[]){ { O_DB, NULL }, { O_DRY_RUN, NULL }, { O_EXPORT_ONLY, NULL }, { O_IMPORT_ONLY, NULL }, { O_LIST, NULL },
                       { CLI_NOPT, NULL } },
  "CAMP_MAILCHIMP_KEY\tthe Mailchimp API key, ending in -<dc> (the data centre)\n"
  "CAMP_MAILCHIMP_URL\tthe Mailchimp API base instead of https://<dc>.api.mailchimp.com/3.0\n"
  "CAMP_DOTDIGITAL_USER\tthe Dotdigital API user\n"
  "CAMP_DOTDIGITAL_PASSWORD\tits password\n"
  "CAMP_DOTDIGITAL_URL\tthe Dotdigital API base instead of https://r1-api.dotdigital.com\n"
  "CAMP_ESP_BACKOFF\ta factor on every wait before a retry (default 1)",
  "camp sync --db shop.db news_mc --dry-run",
  "0\tdone, or (--dry-run) nothing to change\n1\tthe database or a provider failed, or stopped by SIGINT or SIGTERM\n"
  "2\tusage error, or (--dry-run) changes pending", 0,
};
