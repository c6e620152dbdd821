/*
** runtime/sched_cap.c -- frequency caps (runtime/sched_timing.h,
** docs/RUNTIME.md "Frequency caps").
**
** Owns: the text of a cap ("3 per 7 days", "off": campCapParse,
** campCapFormat), the cap check before a message is claimed -- the
** database's caps (camp_meta cap.email, cap.sms) over every message on the
** channel to the contact, the campaign's own caps over its own -- with what
** happens over one (held until the cap allows, or canceled for `cap skip`;
** `cap exempt` is neither checked nor counted), and the order a batch's
** messages are decided in (campaign priority).  Does not own: the send log
** itself (store_cap.c), send windows (sched_timing.c), the claim (sched.c).
**
** Atomicity: the count and the log row are written in the batch
** transaction that claims the send (a write transaction, BEGIN
** IMMEDIATE): two runners on one database decide their batches one after
** the other, so the second sees the first's rows and cannot also pass.
*/
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/clock.h"
#include "runtime/sched_timing.h"

#define CAP_MAX_N 1000000               /* messages a cap may allow */
#define CAP_MAX_PERIOD (3660LL * 86400) /* ten years */

/* -- the text of a cap ------------------------------------------------------ */

/* s's unsigned decimal number at *i (blanks skipped) into *v, at most max:
** 1 read, 0 none there, -1 too large. */
static int number(const char *s, size_t *i, int64_t max, int64_t *v) {
  while (isspace((unsigned char)s[*i])) (*i)++;
  if (!isdigit((unsigned char)s[*i])) return 0;
  *v = 0;
  for (; isdigit((unsigned char)s[*i]); (*i)++) {
    *v = *v * 10 + (s[*i] - '0');
    if (*v > max) return -1;
  }
  return 1;
}

/* s's word at *i (blanks skipped), lower case, into w (cut to size). */
static void word(const char *s, size_t *i, char *w, size_t size) {
  size_t n = 0;
  while (isspace((unsigned char)s[*i])) (*i)++;
  for (; isalpha((unsigned char)s[*i]); (*i)++)
    if (n + 1 < size) w[n++] = (char)tolower((unsigned char)s[*i]);
  w[n] = 0;
}

/* Seconds in a period unit ("hour", "days", "week"...), 0 when unknown. */
static int64_t unitSeconds(const char *u) {
  static const struct { const char *name; int64_t s; } units[] = {
    { "hour", 3600 }, { "hours", 3600 }, { "day", 86400 }, { "days", 86400 }, { "week", 7 * 86400 }, { "weeks", 7 * 86400 },
  };
  for (size_t k = 0; k < sizeof units / sizeof units[0]; k++) if (!strcmp(u, units[k].name)) return units[k].s;
  return 0;
}

/* "off" | N per [M] UNIT, UNIT hour(s), day(s) or week(s) (M 1 when left
** out: "1 per day"). */
int campCapParse(const char *s, ProgCap *out, char *err, size_t errSize) {
  size_t i = 0;
  char w[16];
  int64_t n, m = 1;
  word(s, &i, w, sizeof w);
  if (!strcmp(w, "off")) {
    while (isspace((unsigned char)s[i])) i++;
    if (s[i]) goto bad;
    *out = (ProgCap){ 0, 0 };
    return 0;
  }
  if (w[0]) goto bad;
  int rn = number(s, &i, CAP_MAX_N, &n);
  if (rn < 0) { snprintf(err, errSize, "'%s': a cap allows at most %d messages", s, CAP_MAX_N); return -1; }
  word(s, &i, w, sizeof w);
  if (!rn || strcmp(w, "per")) goto bad;
  int rm = number(s, &i, CAP_MAX_PERIOD / 3600, &m);
  word(s, &i, w, sizeof w);
  int64_t unit = unitSeconds(w);
  while (isspace((unsigned char)s[i])) i++;
  if (rm < 0 || (unit && m * unit > CAP_MAX_PERIOD)) { snprintf(err, errSize, "'%s': a cap's period is at most 3660 days", s); return -1; }
  if (!unit || s[i]) goto bad;
  if (n < 1) { snprintf(err, errSize, "'%s': a cap allows at least 1 message", s); return -1; }
  if (m < 1) { snprintf(err, errSize, "'%s': a cap's period is at least 1 hour", s); return -1; }
  *out = (ProgCap){ (uint32_t)n, m * unit };
  return 0;
bad:
  snprintf(err, errSize, "'%s' is not a cap (write \"3 per 7 days\", \"2 per 12 hours\", \"1 per week\" or \"off\")", s);
  return -1;
}

/* A period in days when whole, else in hours ("7 days", "1 day", "12 hours"). */
static void periodWords(int64_t period, char *out, size_t size) {
  int64_t v = period % 86400 == 0 ? period / 86400 : period / 3600;
  const char *unit = period % 86400 == 0 ? "day" : "hour";
  snprintf(out, size, "%lld %s%s", (long long)v, unit, v == 1 ? "" : "s");
}

void campCapFormat(const ProgCap *c, char *out, size_t n) {
  if (!c->n) { snprintf(out, n, "off"); return; }
  char p[48];
  periodWords(c->period, p, sizeof p);
  snprintf(out, n, "%u per %s", c->n, p);
}

/* "3 emails per 7 days", "1 SMS per 12 hours" (a trace's message). */
static void capWords(const ProgCap *c, int sms, char *out, size_t n) {
  char p[48];
  periodWords(c->period, p, sizeof p);
  snprintf(out, n, "%u %s per %s", c->n, sms ? "SMS" : c->n == 1 ? "email" : "emails", p);
}

/* -- the check before the claim --------------------------------------------- */

/* The caps a message is under: [0] the database's on its channel, [1] its
** campaign's own (n 0: none).  -1 when the database's cannot be read; a
** setting that does not parse (written by hand) is no cap. */
static int capsOf(Engine *e, const Loaded *l, int sms, ProgCap caps[2]) {
  char text[64], err[160];
  int got = campStoreMetaText(e, sms ? "cap.sms" : "cap.email", text, sizeof text);
  if (got < 0) return -1;
  if (!got || campCapParse(text, &caps[0], err, sizeof err) < 0) caps[0] = (ProgCap){ 0, 0 };
  caps[1] = l->p->camps[l->camp].cap[sms];
  return 0;
}

/* When cap k (0 the database's, 1 the campaign's) lets contact have one
** more message: now when it has room, else the time the send that frees
** a place leaves the period (> now).  -1 on a database error. */
static int64_t roomAt(Engine *e, const ProgCap *cap, int own, int sms, const char *contact, int64_t campaign, int64_t now) {
  int64_t since = now - cap->period, at;
  long count = campStoreCapCount(e, sms, contact, own ? campaign : 0, since);
  if (count < 0) return -1;
  if (count < (long)cap->n) return now;
  /* count - n + 1 sends must leave the period: the (count - n)-th oldest last */
  int found = campStoreCapNth(e, sms, contact, own ? campaign : 0, since, count - (long)cap->n, &at);
  if (found < 0) return -1;
  return found ? at + cap->period : now + cap->period;
}

/* Over cap k: canceled (`cap skip`) or held until `until` with a message
** naming the cap.  1 (the trace is decided for this batch), -1 error. */
static int over(Engine *e, DueTrace *w, const ProgActivity *a, const ProgCap *cap, int own, int sms, int64_t until,
                int64_t now, RunStats *rs) {
  char words[80], msg[200], when[CAMP_CLOCK_ISO_SIZE];
  capWords(cap, sms, words, sizeof words);
  const char *whose = own ? "the campaign's own " : "";
  if (a->capMode == CAP_SKIP) {
    snprintf(msg, sizeof msg, "frequency cap: %s%s reached", whose, words);
    rs->canceled++;
    return campStoreSetTrace(e, w->trace, TRACE_CANCELED, msg, now) < 0 ? -1 : 1;
  }
  campClockFormat(until, when);
  snprintf(msg, sizeof msg, "held for %sfrequency cap (%s) until %s", own ? "the campaign's own " : "the ", words, when);
  return campStoreHold(e, w->trace, until, msg) < 0 ? -1 : 1;
}

/* Every message claimed is logged, capped or not, so that a cap set later
** counts what its period already holds.  Test participants (camp test)
** are neither held by caps nor counted against them: a preview says what
** the message is, and must not take a real send's room.  An interrupted or
** retried send (TRACE_SENDING) was checked and counted when first claimed. */
int campSchedCapClaim(Engine *e, DueTrace *w, const Loaded *l, const char *to, int64_t now, RunStats *rs) {
  const ProgActivity *a = &l->p->acts[w->actIdx];
  if (w->test || w->state == TRACE_SENDING || a->capMode == CAP_EXEMPT) return 0;
  int sms = a->kind == ACT_SMS;
  ProgCap caps[2];
  if (capsOf(e, l, sms, caps) < 0) return -1;
  char *contact = campStoreCapContact(sms, to);
  if (!contact) return -1;
  int rc = 0, worst = -1;
  int64_t until = now;
  for (int k = 0; k < 2 && rc == 0; k++) {
    if (!caps[k].n) continue;
    int64_t t = roomAt(e, &caps[k], k, sms, contact, w->campaign, now);
    if (t < 0) rc = -1;
    else if (t > until) { until = t; worst = k; }
    if (worst >= 0 && a->capMode == CAP_SKIP) break;   /* the first cap full says it */
  }
  if (rc == 0 && worst >= 0) rc = over(e, w, a, &caps[worst], worst, sms, until, now, rs);
  else if (rc == 0) rc = campStoreCapLog(e, sms, contact, w->campaign, w->trace, now);
  free(contact);
  return rc;
}

/* -- priority ------------------------------------------------------------------ */

typedef struct Ranked { int prio, pos; } Ranked;

/* Higher priority first, then the order taken. */
static int byPriority(const void *x, const void *y) {
  const Ranked *a = x, *b = y;
  if (a->prio != b->prio) return b->prio - a->prio;
  return a->pos - b->pos;
}

/* Only the scheduled messages move, among the places they hold: actions,
** branch nodes and interrupted sends keep theirs.  Without memory, or a
** campaign that does not load (decide reports it), the order stays. */
void campSchedOrder(Engine *e, DueTrace *work, int n) {
  Ranked *r = malloc((size_t)n * sizeof *r);
  int *slot = malloc((size_t)n * sizeof *slot);
  DueTrace *moved = malloc((size_t)n * sizeof *moved);
  int m = 0, differ = 0;
  char err[256];
  for (int i = 0; r && slot && moved && i < n; i++) {
    if (work[i].state != TRACE_SCHEDULED || work[i].actIdx < 0) continue;
    const Loaded *l = campStoreLoaded(e, work[i].campaign, err, sizeof err);
    if (!l) continue;
    uint8_t kind = l->p->acts[work[i].actIdx].kind;
    if (kind != ACT_EMAIL && kind != ACT_SMS) continue;
    r[m] = (Ranked){ l->p->camps[l->camp].priority, i };
    differ |= m > 0 && r[m].prio != r[0].prio;
    slot[m++] = i;
  }
  if (differ) {
    qsort(r, (size_t)m, sizeof *r, byPriority);
    for (int k = 0; k < m; k++) moved[k] = work[r[k].pos];
    for (int k = 0; k < m; k++) work[slot[k]] = moved[k];
  }
  free(r);
  free(slot);
  free(moved);
}
