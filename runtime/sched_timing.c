/*
** runtime/sched_timing.c -- zones, calendar delays and send windows
** (runtime/sched_timing.h; docs/RUNTIME.md "Time zones and calendar
** delays", "Send windows").
**
** Owns: which zone a recipient is in (the record's zone field, else the
** campaign's zone, else the database's, else UTC), when an activity comes
** due in it (campSchedDue), a mailing's local send time, and the send
** window part of the gate before a claim (campSchedGate), which then hands
** over to the caps (sched_cap.c).  Does not own: the calendar itself
** (clock_zone.c), SQL (store_*.c).
*/
#include <stdio.h>
#include <string.h>
#include "runtime/clock.h"
#include "runtime/sched_timing.h"

#define ZONE_NAME 128
#define LOCAL_LEAD (14 * 3600)    /* a local mailing starts when the first zone (UTC+14) reaches its time */

/* A recipient's zone: the zone (NULL: UTC), its name, and the record's
** own value when it named no zone GLib knows ("" otherwise). */
typedef struct Zone {
  const CampZone *z;
  char name[ZONE_NAME];
  char unknown[ZONE_NAME];
} Zone;

/* The campaign's zone, else the database's, else UTC. */
static void campaignZone(Engine *e, const Loaded *l, Zone *out) {
  const ProgCampaign *c = &l->p->camps[l->camp];
  out->z = c->tz != CAMP_NONE ? campClockZone(l->p->str[c->tz]) : NULL;
  if (out->z) { snprintf(out->name, sizeof out->name, "%s", l->p->str[c->tz]); return; }
  if (campStoreMetaText(e, "timezone", out->name, sizeof out->name) == 1 && (out->z = campClockZone(out->name))) return;
  out->z = NULL;
  snprintf(out->name, sizeof out->name, "UTC");
}

/* The zone of record's recipient (loaded: the record is the one loaded;
** else it is loaded when the campaign reads its zone from a field). */
static void recipientZone(Engine *e, const Loaded *l, int64_t record, int loaded, Zone *out) {
  const ProgCampaign *c = &l->p->camps[l->camp];
  char ign[160];
  out->unknown[0] = 0;
  if (c->tzField != CAMP_NONE && (loaded || campStoreLoadRecord(e, l, record, ign, sizeof ign) == 0)) {   /* gone: the campaign's */
    const Value *v = &campStoreRecord(e, l).fields[c->tzField];
    if (v->tag == VAL_TEXT && v->len > 0 && v->len < sizeof out->name) {
      snprintf(out->name, sizeof out->name, "%.*s", (int)v->len, v->u.s);
      if ((out->z = campClockZone(out->name))) return;
      snprintf(out->unknown, sizeof out->unknown, "%s", out->name);
    } else if (v->tag == VAL_TEXT && v->len > 0) snprintf(out->unknown, sizeof out->unknown, "%.40s...", v->u.s);
  }
  campaignZone(e, l, out);
}

/* A mailing `at ... local`: its time (a wall clock, stored as if UTC) in zone z. */
static int64_t localMailingTime(const CampZone *z, int64_t at) {
  int64_t days = at / 86400, sec = at % 86400, y;
  if (sec < 0) { sec += 86400; days--; }
  int m, d;
  campClockToCivil(days, &y, &m, &d);
  return campClockFromLocal(z, y, m, d, (int)sec);
}

int64_t campSchedDue(Engine *e, const Loaded *l, uint32_t act, int64_t base, int64_t record) {
  const ProgActivity *a = &l->p->acts[act];
  const ProgCampaign *c = &l->p->camps[l->camp];
  int local = c->atLocal && a->trigger == TRIG_BEGIN && c->at != CAMP_AT_MANUAL;
  int calendar = a->delayDays || a->delayMonths;
  if (!local && !calendar && a->atMinute == CAMP_NO_TIME) return base + a->delay;   /* as before version 7 */
  Zone z;
  recipientZone(e, l, record, 0, &z);
  int64_t t = base;
  if (local) {
    int64_t at = localMailingTime(z.z, c->at);
    if (at > t) t = at;
  }
  t = campClockAddCalendar(z.z, t, a->delayMonths, a->delayDays) + a->delay;
  if (a->atMinute == CAMP_NO_TIME) return t;
  /* `after 2 days at 09:00`: that day at 09:00; else the first 09:00 from then */
  return calendar && !a->delay ? campClockAtOn(z.z, t, a->atMinute) : campClockAtOrAfter(z.z, t, a->atMinute);
}

int64_t campSchedMailingStart(const ProgCampaign *c) {
  return c->atLocal && c->at != CAMP_AT_MANUAL && c->at > INT64_MIN + LOCAL_LEAD ? c->at - LOCAL_LEAD : c->at;
}

/* -- send windows ------------------------------------------------------------------ */

/* The window of a message activity: its own, else its campaign's, else the
** database's for the channel (SMS: 09:00-20:00 every day when the database
** sets none).  days 0: none.  0, or -1 database error. */
static int sendWindow(Engine *e, const Loaded *l, const ProgActivity *a, ProgWindow *out) {
  const ProgCampaign *c = &l->p->camps[l->camp];
  if (a->win.days) { *out = a->win; return 0; }
  if (c->win.days) { *out = c->win; return 0; }
  int sms = a->kind == ACT_SMS;
  char v[80], ign[160];
  int got = campStoreMetaText(e, sms ? "window.sms" : "window.email", v, sizeof v);
  if (got < 0) return -1;
  *out = sms ? (ProgWindow)CAMP_SMS_WINDOW : (ProgWindow){ 0, 0, 0 };
  if (got && campClockWindowParse(v, out, ign, sizeof ign) < 0) *out = (ProgWindow){ 0, 0, 0 };   /* checked when set */
  return 0;
}

int campSchedGate(Engine *e, DueTrace *w, const Loaded *l, const char *to, int64_t now, RunStats *rs) {
  const ProgActivity *a = &l->p->acts[w->actIdx];
  if (w->state == TRACE_SENDING) return campSchedCapClaim(e, w, l, to, now, rs);   /* claimed before: a resend is never held */
  Zone z;
  recipientZone(e, l, w->record, 1, &z);
  char note[600] = "";
  if (z.unknown[0]) snprintf(note, sizeof note, "time zone '%s' unknown: used %s", z.unknown, z.name);
  ProgWindow win;
  if (sendWindow(e, l, a, &win) < 0) return -1;
  int64_t next = win.days ? campClockWindowNext(z.z, &win, now) : now;
  if (next > now) {
    char wt[80], until[CAMP_CLOCK_ISO_SIZE];
    size_t n = strlen(note);
    campClockWindowFormat(&win, 1, wt, sizeof wt);
    campClockFormatIn(z.z, next, until);
    snprintf(note + n, sizeof note - n, "%sheld for the send window (%s, %s) until %s", n ? "; " : "", wt, z.name, until);
    return campStoreHold(e, w->trace, next, note) < 0 ? -1 : 1;
  }
  /* the zone's note stays on the trace, sent or not (its due time unchanged) */
  if (note[0] && campStoreHold(e, w->trace, w->due, note) < 0) return -1;
  return campSchedCapClaim(e, w, l, to, now, rs);
}
