/*
** cli/progress.c -- what `camp run` shows while it works and when it is done.
**
** Owns: the live line on a terminal (the time the run reached, traces
** decided per second, enrolled, sent, errors, the ETA to --until), the
** timestamped lines when stderr is not a terminal, the service's log lines
** and the table of counts per campaign at the end.  Does not own: the
** counting (runtime/sched.c calls campProgressUpdate at most every 100 ms
** and keeps the counts per campaign) or when a line is wanted (cli/db.c).
*/
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include "cli/progress.h"
#include "runtime/buf.h"
#include "runtime/clock.h"

#define SAMPLES 16                  /* the rate is measured over the last SAMPLES updates (1.6 s at least) */
#define DEFAULT_INTERVAL_MS 10000   /* between two lines when not on a terminal */

struct Progress {
  FILE *out;
  int tty;                  /* out is a terminal: one line rewritten */
  int cols;                 /* the terminal's width (0: unknown) */
  int drawn;                /* the live line is on screen */
  int64_t intervalMs;       /* between two lines when not on a terminal */
  int64_t startMs, lastLineMs;
  int64_t from, until;      /* the database's clock at the start; --until (INT64_MAX: none) */
  struct { int64_t ms; long traces; } s[SAMPLES];   /* a ring of recent updates */
  int ns, head;
};

static int64_t monotonicMs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* $CAMP_PROGRESS_INTERVAL_MS, or the default when unset or not a number. */
static int64_t intervalMs(void) {
  const char *v = getenv("CAMP_PROGRESS_INTERVAL_MS");
  char *end;
  long long n = v && *v ? strtoll(v, &end, 10) : -1;
  return n >= 0 && !*end ? n : DEFAULT_INTERVAL_MS;
}

static void sample(Progress *p, int64_t ms, long traces) {
  p->head = (p->head + 1) % SAMPLES;
  p->s[p->head].ms = ms;
  p->s[p->head].traces = traces;
  if (p->ns < SAMPLES) p->ns++;
}

Progress *campProgressStart(FILE *out, int64_t from, int64_t until) {
  int tty = isatty(fileno(out));
  int64_t every = intervalMs();
  if (!tty && every == 0) return NULL;
  Progress *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  struct winsize ws;
  p->out = out;
  p->tty = tty;
  p->cols = tty && ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 ? ws.ws_col : 0;
  p->intervalMs = every;
  p->startMs = p->lastLineMs = monotonicMs();
  p->from = from;
  p->until = until;
  p->head = -1;
  sample(p, p->startMs, 0);
  return p;
}

/* n with a comma every three digits (12,345). */
static void grouped(Buf *b, long n) {
  char d[32];
  int len = snprintf(d, sizeof d, "%ld", n < 0 ? -n : n);
  if (n < 0) campBufPuts(b, "-");
  for (int i = 0; i < len; i++) {
    if (i && (len - i) % 3 == 0) campBufPuts(b, ",");
    campBufPut(b, d + i, 1);
  }
}

/* A duration in the unit that reads best: 42 s, 12 min, 3 h 05 min. */
static void duration(Buf *b, double secs) {
  long s = (long)(secs + 0.5);
  if (s < 90) campBufPrintf(b, "%ld s", s);
  else if (s < 90 * 60) campBufPrintf(b, "%ld min", (s + 30) / 60);
  else campBufPrintf(b, "%ld h %02ld min", s / 3600, s % 3600 / 60);
}

/* Seconds of wall time left to reach until, at the pace the run has moved
** the clock so far; -1 when it cannot be told (no --until, no time yet). */
static double eta(const Progress *p, int64_t reached, int64_t ms) {
  int64_t elapsed = ms - p->startMs;
  if (p->until == INT64_MAX || reached <= p->from || elapsed < 500) return -1;
  if (reached >= p->until) return 0;
  return (double)(p->until - reached) / (double)(reached - p->from) * (double)elapsed / 1000.0;
}

/* Traces decided per second over the recent updates. */
static long rate(const Progress *p) {
  int oldest = (p->head - p->ns + 1 + SAMPLES) % SAMPLES;
  int64_t dms = p->s[p->head].ms - p->s[oldest].ms;
  return dms > 0 ? (long)((double)(p->s[p->head].traces - p->s[oldest].traces) * 1000.0 / (double)dms) : 0;
}

/* The live line's text, "\r2026-01-19 09:00  12,345 traces/s  enrolled 1,000
** sent 40,112  errors 0  ETA 42 s" (enrolled only when withEnrolled). */
static void liveText(Buf *b, const Progress *p, const RunStats *st, int64_t reached, int64_t ms, int withEnrolled) {
  char at[CAMP_CLOCK_ISO_SIZE];
  campClockFormat(reached, at);
  at[10] = ' ';
  at[16] = 0;                                  /* 2026-01-19 09:00 */
  campBufPrintf(b, "\r%s  ", at);
  grouped(b, rate(p));
  campBufPuts(b, " traces/s");
  if (withEnrolled && st->enrolled) { campBufPuts(b, "  enrolled "); grouped(b, st->enrolled); }
  campBufPuts(b, "  sent ");
  grouped(b, st->sent);
  campBufPuts(b, "  errors ");
  grouped(b, st->errors);
  double left = eta(p, reached, ms);
  if (left >= 0) { campBufPuts(b, "  ETA "); duration(b, left); }
}

/* On a terminal: the line rewritten; on a narrow one without the enrolled
** count, then cut to the width. */
static void liveLine(Progress *p, const RunStats *st, int64_t reached, int64_t ms) {
  Buf b = { 0 };
  liveText(&b, p, st, reached, ms, 1);
  if (p->cols > 1 && b.n > (size_t)p->cols) {
    campBufFree(&b);
    liveText(&b, p, st, reached, ms, 0);
  }
  if (!b.oom) {
    size_t n = p->cols > 1 && b.n > (size_t)p->cols ? (size_t)p->cols : b.n;   /* '\r' and cols - 1 characters */
    fwrite(b.p, 1, n, p->out);
    fputs("\033[K", p->out);
    fflush(p->out);
    p->drawn = 1;
  }
  campBufFree(&b);
}

/* Off a terminal: "2026-11-30T16:20:10Z run: at 2026-01-19T09:00:00Z, 12 enrolled, ...". */
static void logLine(Progress *p, const RunStats *st, int64_t reached, int64_t ms) {
  char at[CAMP_CLOCK_ISO_SIZE];
  campClockFormat(reached, at);
  Buf b = { 0 };
  double left = eta(p, reached, ms);
  campBufPrintf(&b, "run: at %s, %ld enrolled, %ld processed, %ld sent, %ld errors, %ld traces/s", at, st->enrolled,
                st->processed, st->sent, st->errors, rate(p));
  if (left >= 0) { campBufPuts(&b, ", ETA "); duration(&b, left); }
  if (!b.oom) campProgressLog(p->out, "%s", b.p);
  campBufFree(&b);
}

void campProgressUpdate(void *ctx, const RunStats *st, int64_t reached) {
  Progress *p = ctx;
  if (!p) return;
  int64_t ms = monotonicMs();
  sample(p, ms, st->processed + st->rejected + st->canceled + st->errors);
  if (p->tty) liveLine(p, st, reached, ms);
  else if (ms - p->lastLineMs >= p->intervalMs) {
    p->lastLineMs = ms;
    logLine(p, st, reached, ms);
  }
}

void campProgressEnd(Progress *p) {
  if (!p) return;
  if (p->drawn) { fputs("\r\033[K", p->out); fflush(p->out); }
  free(p);
}

void campProgressLog(FILE *out, const char *fmt, ...) {
  char now[CAMP_CLOCK_ISO_SIZE];
  campClockFormat(campClockWall(), now);
  va_list ap, again;
  va_start(ap, fmt);
  va_copy(again, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  char *text = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (text) vsnprintf(text, (size_t)n + 1, fmt, again);
  va_end(again);
  va_end(ap);
  if (text) { fprintf(out, "%s %s\n", now, text); fflush(out); }
  free(text);
}

static int counted(const RunStats *s) {
  return s->enrolled || s->left || s->processed || s->sent || s->rejected || s->canceled || s->errors || s->retried;
}

void campProgressSummary(FILE *out, const RunTally *t) {
  int w = 8, any = 0;
  for (size_t i = 0; i < t->n; i++) {
    if (!counted(&t->v[i].st)) continue;
    int n = (int)strlen(t->v[i].name);
    if (n > w) w = n;
    any = 1;
  }
  if (!any) return;
  fprintf(out, "%-*s  %9s  %9s  %9s  %9s  %9s\n", w, "campaign", "enrolled", "processed", "sent", "rejected", "errors");
  for (size_t i = 0; i < t->n; i++) {
    const RunStats *s = &t->v[i].st;
    if (counted(s))
      fprintf(out, "%-*s  %9ld  %9ld  %9ld  %9ld  %9ld\n", w, t->v[i].name, s->enrolled, s->processed, s->sent, s->rejected, s->errors);
  }
}
