/*
** runtime/sched_visit.c -- what a contact's website hit does to the
** workflows it is in: `on visit` and `on no visit` (docs/RUNTIME.md,
** "Visits"), and the visited() filter function's answer.
**
** Owns: the conditions of a visit branch (any hit, a URL like a pattern --
** on the path when the pattern starts with '/' -- or an event name), which
** branches a hit acts on (those under a message sent to the record at or
** before the hit, in draft or running campaigns), and what it does to
** them: an armed `on visit` branch becomes due at the hit's time + its
** delay, as an event's does (campSchedEventFire: a window that ended first
** closes it instead); an `on no visit` branch whose window is still open
** is canceled.  Does not own: storing the hit or grouping visits
** (store_hit.c, store_visit.c), the SQL (store_visit_trace.c,
** store_event.c), or parsing the tracker's request (the collector).
*/
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/sched_send.h"

/* The length of url's scheme and "://" (0: none), so what follows is the host. */
static size_t schemeLen(const char *url, size_t n) {
  size_t i = 0;
  while (i < n && (isalnum((unsigned char)url[i]) || url[i] == '+' || url[i] == '-' || url[i] == '.')) i++;
  return i > 0 && n - i >= 3 && !memcmp(url + i, "://", 3) ? i + 3 : 0;
}

int campSchedVisitUrlLike(const char *url, size_t urlLen, const char *pattern, size_t patternLen) {
  if (!patternLen || pattern[0] != '/') return campVmLike(url, urlLen, pattern, patternLen);
  const char *s = url, *end = url + urlLen;
  size_t k = schemeLen(url, urlLen);
  if (k) for (s = url + k; s < end && *s != '/' && *s != '?' && *s != '#'; s++) {}
  const char *hash = memchr(s, '#', (size_t)(end - s));
  if (hash) end = hash;
  if (s < end && *s == '/') return campVmLike(s, (size_t)(end - s), pattern, patternLen);
  return campVmLike(s, (size_t)(end - s), pattern + 1, patternLen - 1);   /* no path: it is "/" */
}

/* Does hit h meet the condition of visit branch a? */
static int meets(const Program *p, const ProgActivity *a, const WebHit *h) {
  const char *pat = a->pattern != CAMP_NONE ? p->str[a->pattern] : NULL;
  switch (a->match) {
  case MATCH_URL: return pat && h->url && campSchedVisitUrlLike(h->url, strlen(h->url), pat, strlen(pat));
  case MATCH_EVENT: return pat && h->name && !strcmp(h->name, pat);
  default: return 1;
  }
}

/* The result of the event fire() shares, moved into r (its first late branch). */
static void noteLate(VisitResult *r, EventResult *ev) {
  if (ev->late && !r->late) {
    r->late = 1;
    r->branch = ev->branch;
    r->windowEnd = ev->windowEnd;
    ev->branch = NULL;
  }
  campSchedEventResultFree(ev);
  ev->late = 0;
}

/* When an `on no visit` branch's window ends: its base (the send) + the
** window; a trace older than base: its due less the delay in seconds (due
** = sent + window + delay, a calendar delay aside). */
static int64_t windowEnd(const StoreChild *k, const ProgActivity *a) {
  return k->base != INT64_MIN ? k->base + a->window : k->due - a->delay;
}

/* One participant of l's campaign: the branches under its messages sent
** at or before the hit.  *touched: a trace changed (it may be complete). */
static int participantHit(Engine *e, const Loaded *l, int64_t participant, const WebHit *h, VisitResult *r, int *touched) {
  StoreChild *kids;
  int n, rc = 0;
  if (campStoreVisitChildren(e, participant, h->at, 0, &kids, &n) < 0) return -1;
  for (int i = 0; i < n && rc == 0; i++) {
    if (kids[i].idx < 0) continue;
    const ProgActivity *a = &l->p->acts[kids[i].idx];
    if (a->trigger == TRIG_VISIT && kids[i].state == TRACE_WAITING && meets(l->p, a, h)) {
      EventResult ev = { 0 };
      rc = campSchedEventFire(e, l, &kids[i], h->record, h->at, &ev, &r->fired);
      noteLate(r, &ev);
      *touched = 1;
    } else if (a->trigger == TRIG_NO_VISIT && kids[i].state == TRACE_SCHEDULED && h->at < windowEnd(&kids[i], a) &&
               meets(l->p, a, h)) {
      /* a hit after the window's end is too late to cancel it */
      rc = campStoreSetTrace(e, kids[i].id, TRACE_CANCELED, "the visit happened", h->at);
      r->canceled++;
      *touched = 1;
    }
  }
  free(kids);
  return rc;
}

/* No branch fired: one the hit met that a run closed first is noted late. */
static int closedBefore(Engine *e, const Loaded *l, int64_t participant, const WebHit *h, VisitResult *r) {
  StoreChild *kids;
  int n;
  if (campStoreVisitChildren(e, participant, h->at, 1, &kids, &n) < 0) return -1;
  for (int i = 0; i < n && !r->late; i++) {
    if (kids[i].idx < 0) continue;
    const ProgActivity *a = &l->p->acts[kids[i].idx];
    if (a->trigger != TRIG_VISIT || !meets(l->p, a, h)) continue;
    r->late = 1;
    r->branch = strdup(l->p->str[a->name]);
    r->windowEnd = kids[i].due;
  }
  free(kids);
  return 0;
}

static int dbFail(Engine *e, char *err, size_t errSize) {
  snprintf(err, errSize, "database: %s", campStoreError(e));
  return -1;
}

/* explain: also look for branches a run closed before the hit (for
** r->late; the collector does without). */
static int visit(Engine *e, const WebHit *h, int explain, VisitResult *r, char *err, size_t errSize) {
  memset(r, 0, sizeof *r);
  if (!h->model || !h->record || (h->uaClass && !strcmp(h->uaClass, "bot"))) return 0;   /* anonymous, or a bot */
  StoreParticipation *v;
  size_t n;
  if (campStoreVisitParticipants(e, h->model, h->record, &v, &n) < 0) return dbFail(e, err, errSize);
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    /* valid until the next campStoreLoaded: each participant looks it up again */
    const Loaded *l = campStoreLoaded(e, v[i].campaign, err, errSize);
    if (!l) { rc = -1; break; }
    if (!l->visits) continue;
    int touched = 0;
    if (participantHit(e, l, v[i].participant, h, r, &touched) < 0 ||
        (explain && !r->fired && !r->late && closedBefore(e, l, v[i].participant, h, r) < 0) ||
        (touched && campStoreComplete(e, v[i].participant) < 0))
      rc = dbFail(e, err, errSize);
  }
  free(v);
  return rc;
}

int campSchedVisitOutcome(Engine *e, const WebHit *h, VisitResult *r, char *err, size_t errSize) {
  return visit(e, h, 1, r, err, errSize);
}

void campSchedVisitResultFree(VisitResult *r) {
  free(r->branch);
  r->branch = NULL;
}

int campSchedVisit(Engine *e, const WebHit *h, int *fired, char *err, size_t errSize) {
  VisitResult r;
  int rc = visit(e, h, 0, &r, err, errSize);
  campSchedVisitResultFree(&r);
  if (fired) *fired = rc < 0 ? 0 : r.fired;
  return rc;
}

/* -- visited() ------------------------------------------------------------------- */

typedef struct UrlMatch { const char *pattern; size_t len; } UrlMatch;

static int urlMatches(void *ctx, const char *url, size_t len) {
  const UrlMatch *m = ctx;
  return campSchedVisitUrlLike(url, len, m->pattern, m->len);
}

int campSchedVisited(Engine *e, const char *model, int64_t id, const char *pattern, size_t patternLen, int64_t since) {
  UrlMatch m = { pattern, patternLen };
  return campStoreVisitUrls(e, model, id, since, campEngineNow(e), urlMatches, &m);
}
