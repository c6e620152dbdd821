/*
** cli/preview.c -- camp preview: a message as it would be sent, in files.
**
** Owns: the command's options, writing preview.html, preview.txt and
** preview.eml into the output directory (each atomically: a temporary file
** renamed over the name), and what it prints: the subject on stdout; the
** address, the files and the tracked links' targets on stderr.  Does not
** own: rendering (runtime/sched_preview.c, through the send's own code).
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli/cli.h"
#include "runtime/buf.h"
#include "runtime/engine.h"
#include "runtime/sched.h"

/* Write len bytes of data to DIR/name through DIR/.name.tmp and a rename,
** so a reader never sees half a file.  0, or -1 after a message. */
static int writeAtomic(const char *dir, const char *name, const char *data, size_t len) {
  Buf path = { 0 }, tmp = { 0 };
  campBufPrintf(&path, "%s/%s", dir, name);
  campBufPrintf(&tmp, "%s/.%s.tmp", dir, name);
  int ok = !path.oom && !tmp.oom;
  FILE *f = ok ? fopen(tmp.p, "wb") : NULL;
  ok = f && fwrite(data, 1, len, f) == len;
  if (f && fclose(f) != 0) ok = 0;
  if (ok && rename(tmp.p, path.p) != 0) ok = 0;
  if (!ok) {
    fprintf(stderr, "camp preview: cannot write '%s': %s\n", path.p ? path.p : name, strerror(errno));
    if (tmp.p) unlink(tmp.p);
  }
  campBufFree(&path);
  campBufFree(&tmp);
  return ok ? 0 : -1;
}

/* The files of pv into dir (made when missing); 0, or 1 after a message. */
static int writeFiles(const char *dir, const Preview *pv) {
  if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
    fprintf(stderr, "camp preview: cannot create '%s': %s\n", dir, strerror(errno));
    return 1;
  }
  const char *text = pv->text ? pv->text : "";
  if (writeAtomic(dir, "preview.txt", text, strlen(text)) < 0) return 1;
  if (pv->sms) return 0;
  const char *html = pv->html ? pv->html : "";
  if (writeAtomic(dir, "preview.html", html, strlen(html)) < 0 || writeAtomic(dir, "preview.eml", pv->eml, pv->emlLen) < 0) return 1;
  return 0;
}

/* What was written, on stderr: the address, the files, each tracked link's target. */
static void tell(const char *dir, const Preview *pv) {
  if (pv->note) fprintf(stderr, "camp preview: note: %s\n", pv->note);
  if (pv->sms) fprintf(stderr, "camp preview: SMS to %s: wrote %s/preview.txt\n", pv->to, dir);
  else fprintf(stderr, "camp preview: email to %s: wrote %s/preview.html, %s/preview.txt, %s/preview.eml\n", pv->to, dir, dir, dir);
  if (!pv->nlinks) return;
  fprintf(stderr, "camp preview: %u tracked link%s (they name no message: camp serve answers them 404), redirecting to:\n",
          pv->nlinks, pv->nlinks == 1 ? "" : "s");
  for (const char *p = pv->links; p && *p;) {
    size_t n = strcspn(p, "\n");
    fprintf(stderr, "  %.*s\n", (int)n, p);
    p += n + (p[n] == '\n');
  }
}

static int preview(const CliArgs *a) {
  if (a->npos != 2 || !a->opt[O_RECORD])
    return campCliUsage(a->cmd, "usage: camp preview [--db DB] CAMPAIGN ACTIVITY --record ID [-o DIR] [--base-url URL]");
  char *end;
  errno = 0;
  long long record = strtoll(a->opt[O_RECORD], &end, 10);
  if (!*a->opt[O_RECORD] || *end || errno) return campCliUsage(a->cmd, "--record '%s' is not a record id", a->opt[O_RECORD]);
  const char *dir = a->opt[O_OUTPUT] && *a->opt[O_OUTPUT] ? a->opt[O_OUTPUT] : ".";
  char err[512];
  Engine *e = campEngineOpen(campCliDbPath(a->opt[O_DB]), 0, INT64_MIN, err, sizeof err);
  if (!e) { fprintf(stderr, "camp preview: %s\n", err); return 1; }
  Preview pv;
  /* the base URL a run uses unless told (cli/db.c) */
  const char *base = a->opt[O_BASE_URL] ? a->opt[O_BASE_URL] : "http://127.0.0.1:8080";
  int rc = campSchedPreview(e, a->pos[0], a->pos[1], (int64_t)record, base, campCliSecret(e), &pv, err, sizeof err);
  campEngineClose(e);
  if (rc < 0) { fprintf(stderr, "camp preview: %s\n", err); return 1; }
  rc = writeFiles(dir, &pv);
  if (rc == 0) {
    if (!pv.sms) printf("%s\n", pv.subject ? pv.subject : "");
    tell(dir, &pv);
  }
  campSchedPreviewFree(&pv);
  return rc;
}

const CliSpec campCmdPreview = {
  "preview", "render a message for one record exactly as it would be sent, into files", preview,
  "camp preview [--db DB] CAMPAIGN ACTIVITY --record ID [-o DIR] [--base-url URL]",
  "Renders the subject, HTML and plain text of an email activity for record ID through the code a\n"
  "send runs (templates at the database's now, links rewritten to tracked /r/ links with their UTM\n"
  "targets, the open pixel, List-Unsubscribe), and writes DIR/preview.html, DIR/preview.txt and\n"
  "DIR/preview.eml (the whole RFC 5322 message); an SMS activity writes preview.txt alone.  Prints\n"
  "the subject.  Nothing is written to the database: the Message-ID and the links name no message.",
  (const CliOptUse[]){ { O_DB, NULL }, { O_RECORD, "the record to render the message for" },
                       { O_OUTPUT, "the directory the files go to (default: the current one; made when missing)" },
                       { O_BASE_URL, NULL }, { CLI_NOPT, NULL } },
  "CAMP_SECRET\tsigns tracking links instead of the database's own secret",
  "camp preview --db shop.db welcome_flow welcome --record 42 -o /tmp/preview",
  "0\tthe files are written\n"
  "1\tno such campaign, activity or record; not a message; no address; a file or the database failed\n2\tusage error", 0,
};
