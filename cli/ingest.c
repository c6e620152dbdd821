/*
** cli/ingest.c -- `camp ingest --db DB FILE.eml|DIR...` and
** `camp ingest --db DB --imap imaps://HOST/MAILBOX`.
**
** Owns: the command line: which messages to read (files, every file of a
** directory in name order, or a mailbox) and the summary.  What a message
** means is runtime/ingest.c's.  Exit 0 when everything could be read (an
** unmatched message is reported, not an error), 1 otherwise, 2 on usage.
*/
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli/cli.h"
#include "runtime/ingest.h"

static int cmpName(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int ingestFile(Engine *e, const char *path, IngestStats *st) {
  FILE *f = fopen(path, "rb");
  char err[512];
  if (!f) { fprintf(stderr, "camp ingest: cannot read '%s': %s\n", path, strerror(errno)); return -1; }
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  size_t got;
  while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) { char *b = realloc(buf, cap *= 2); if (!b) { free(buf); buf = NULL; } else buf = b; }
  }
  fclose(f);
  if (!buf) { fprintf(stderr, "camp ingest: '%s': out of memory\n", path); return -1; }
  int rc = campIngestMessage(e, buf, n, path, stdout, st, err, sizeof err);
  if (rc < 0) fprintf(stderr, "camp ingest: %s: %s\n", path, err);
  free(buf);
  return rc;
}

static int ingestPath(Engine *e, const char *path, IngestStats *st) {
  struct stat sb;
  if (stat(path, &sb) < 0) { fprintf(stderr, "camp ingest: cannot read '%s': %s\n", path, strerror(errno)); return -1; }
  if (!S_ISDIR(sb.st_mode)) return ingestFile(e, path, st);
  DIR *d = opendir(path);
  if (!d) { fprintf(stderr, "camp ingest: cannot read '%s': %s\n", path, strerror(errno)); return -1; }
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;
  while ((de = readdir(d))) {
    if (de->d_name[0] == '.') continue;
    if (n == cap) { char **v = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *v); if (!v) break; names = v; }
    size_t len = strlen(path) + strlen(de->d_name) + 2;
    if (!(names[n] = malloc(len))) break;
    snprintf(names[n++], len, "%s/%s", path, de->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof *names, cmpName);
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    if (stat(names[i], &sb) == 0 && S_ISREG(sb.st_mode) && ingestFile(e, names[i], st) < 0) rc = -1;
    free(names[i]);
  }
  free(names);
  return rc;
}

static int ingest(const CliArgs *a) {
  const char *db = a->opt[O_DB], *imapUrl = a->opt[O_IMAP];
  if (!imapUrl && !a->npos) return campCliUsage(a->cmd, "give FILE.eml or DIR, or --imap imaps://HOST/MAILBOX");
  db = campCliDbPath(db);
  char err[512];
  Engine *e = campEngineOpen(db, 0, INT64_MIN, err, sizeof err);
  if (!e) { fprintf(stderr, "camp ingest: %s\n", err); return 1; }
  IngestStats st = { 0 };
  int rc = 0;
  if (a->npos) {
    /* files: one transaction, so a re-run after a failure starts clean */
    if (campEngineBegin(e, err, sizeof err) < 0) { fprintf(stderr, "camp ingest: %s\n", err); campEngineClose(e); return 1; }
    for (int i = 0; i < a->npos; i++) if (ingestPath(e, a->pos[i], &st) < 0) rc = 1;
    if (campEngineCommit(e, err, sizeof err) < 0) { fprintf(stderr, "camp ingest: %s\n", err); rc = 1; }
  }
  /* a mailbox: each message is recorded before it is marked read */
  if (imapUrl && campIngestImap(e, imapUrl, stdout, &st, err, sizeof err) < 0) { fprintf(stderr, "camp ingest: %s\n", err); rc = 1; }
  printf("ingest: %ld read, %ld bounces (%ld hard, %ld soft), %ld replies, %ld auto-replies, %ld abuse reports, %ld unmatched\n", st.read,
         st.hard + st.soft, st.hard, st.soft, st.replies, st.autoReplies, st.abuse, st.unmatched);
  campEngineClose(e);
  return rc;
}

const CliSpec campCmdIngest = {
  "ingest", "record bounces (RFC 3464 reports), abuse reports (RFC 5965 ARF) and replies from .eml files, a directory or IMAP", ingest,
  "camp ingest [--db DB] FILE.eml|DIR...\ncamp ingest [--db DB] --imap imaps://HOST/MAILBOX",
  "Files are read in one transaction (a directory: its files in name order); from a mailbox each\n"
  "message is recorded before it is marked read.  An unmatched message is reported, not an error.",
  (const CliOptUse[]){ { O_DB, NULL }, { O_IMAP, NULL }, { CLI_NOPT, NULL } },
  "CAMP_IMAP_USER\tthe mailbox login\nCAMP_IMAP_PASSWORD\tthe mailbox password",
  "camp ingest --db shop.db bounces/",
  "0\tevery message could be read\n1\ta message or the mailbox could not be read\n2\tusage error", 0,
};
