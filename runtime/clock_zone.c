/*
** runtime/clock_zone.c -- local times in IANA zones, calendar arithmetic
** in them, send windows (runtime/clock.h, "zones and the calendar").
**
** Owns: the zone cache (GLib's GTimeZone by name, kept for the process),
** UTC <-> wall clock in a zone, adding calendar months and days, times of
** day, a send window's next opening, and a window's text.  Does not own:
** which zone a recipient is in (runtime/sched_timing.c).
**
** The offsets come from GLib; the calendar is clock.c's integer
** arithmetic, so nothing depends on TZ or the C library's zone.
*/
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include "runtime/clock.h"

/* -- the zone cache ------------------------------------------------------------- */

G_LOCK_DEFINE_STATIC(zones);
static GHashTable *zones;        /* name -> GTimeZone*, or a NULL value: unknown */

/* A name that can be an IANA zone: letters, digits, '_', '-', '+' and
** inner '/', no "..": GLib would also take a path or a POSIX TZ rule. */
static int zoneName(const char *s) {
  if (!s || !*s || *s == '/' || strstr(s, "..") || strlen(s) > 64) return 0;
  for (; *s; s++) if (!g_ascii_isalnum(*s) && !strchr("_-+/", *s)) return 0;
  return 1;
}

const CampZone *campClockZone(const char *name) {
  if (!zoneName(name)) return NULL;
  G_LOCK(zones);
  if (!zones) zones = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  gpointer found = NULL;
  if (!g_hash_table_lookup_extended(zones, name, NULL, &found)) {
    found = g_time_zone_new_identifier(name);   /* NULL when unknown */
    g_hash_table_insert(zones, g_strdup(name), found);
  }
  G_UNLOCK(zones);
  return found;
}

/* -- UTC <-> wall clock ----------------------------------------------------------- */

/* The offset (seconds east of UTC) in force at UTC time t. */
static int32_t offsetAt(const CampZone *z, int64_t t) {
  GTimeZone *tz = (GTimeZone *)z;
  return g_time_zone_get_offset(tz, g_time_zone_find_interval(tz, G_TIME_TYPE_UNIVERSAL, t));
}

void campClockLocal(const CampZone *z, int64_t t, CampLocal *out) {
  out->offset = z ? offsetAt(z, t) : 0;
  int64_t l = t + out->offset, days = l / 86400, sec = l % 86400;
  if (sec < 0) { sec += 86400; days--; }
  campClockToCivil(days, &out->year, &out->month, &out->day);
  out->sec = (int)sec;
  out->wday = (int)(((days % 7) + 7 + 3) % 7);    /* 1970-01-01 was a Thursday */
}

int64_t campClockFromLocal(const CampZone *z, int64_t year, int month, int day, int sec) {
  int64_t l = campClockFromCivil(year, month, day) + sec;
  if (!z) return l;
  /* the offsets in force a day before and after: a wall time matches one,
  ** both (it repeats: the first), or neither (a gap: the one before it,
  ** which moves it forward by the gap) */
  int32_t before = offsetAt(z, l - 86400), after = offsetAt(z, l + 86400);
  int64_t u1 = l - before, u2 = l - after;
  int ok1 = offsetAt(z, u1) == before, ok2 = offsetAt(z, u2) == after;
  if (ok1 && ok2) return u1 < u2 ? u1 : u2;
  if (ok2) return u2;
  return u1;
}

/* The local date of t moved by months (clamped) and days, at local second sec. */
static int64_t shifted(const CampZone *z, int64_t t, int months, int days, int sec) {
  CampLocal lt;
  campClockLocal(z, t, &lt);
  int64_t m0 = lt.year * 12 + (lt.month - 1) + months;
  int64_t y = m0 >= 0 ? m0 / 12 : (m0 - 11) / 12;
  int m = (int)(m0 - y * 12) + 1, d = lt.day;
  if (d > campClockDaysInMonth(y, m)) d = campClockDaysInMonth(y, m);
  int64_t day = campClockFromCivil(y, m, d) / 86400 + days;
  int mo, dd;
  campClockToCivil(day, &y, &mo, &dd);
  return campClockFromLocal(z, y, mo, dd, sec < 0 ? lt.sec : sec);
}

int64_t campClockAddCalendar(const CampZone *z, int64_t t, int months, int days) {
  if (!months && !days) return t;
  return shifted(z, t, months, days, -1);
}

int64_t campClockAtOn(const CampZone *z, int64_t t, int minute) { return shifted(z, t, 0, 0, minute * 60); }

int64_t campClockAtOrAfter(const CampZone *z, int64_t t, int minute) {
  int64_t at = shifted(z, t, 0, 0, minute * 60);
  return at >= t ? at : shifted(z, t, 0, 1, minute * 60);
}

/* -- send windows -------------------------------------------------------------- */

int campClockWindowOpen(const CampZone *z, const ProgWindow *w, int64_t t) {
  if (!w->days) return 1;
  CampLocal lt;
  campClockLocal(z, t, &lt);
  int min = lt.sec / 60, yesterday = (lt.wday + 6) % 7;
  if (w->from < w->to) return (w->days >> lt.wday & 1) && min >= w->from && min < w->to;
  return ((w->days >> lt.wday & 1) && min >= w->from) || ((w->days >> yesterday & 1) && min < w->to);
}

int64_t campClockWindowNext(const CampZone *z, const ProgWindow *w, int64_t t) {
  if (campClockWindowOpen(z, w, t)) return t;
  CampLocal lt;
  campClockLocal(z, t, &lt);
  for (int d = 0; d <= 7; d++) {
    if (!(w->days >> ((lt.wday + d) % 7) & 1)) continue;
    int64_t open = shifted(z, t, 0, d, w->from * 60);
    if (open > t) return open;
  }
  return t;   /* not reached: a window with a day opens within the week */
}

/* -- a window's text ------------------------------------------------------------- */

static const char *const dayNames[7] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

/* HH:MM at *s into minutes after midnight; advances *s.  0 or -1. */
static int clockTime(const char **s, uint16_t *out) {
  const char *p = *s;
  if (p[0] < '0' || p[0] > '2' || p[1] < '0' || p[1] > '9' || p[2] != ':' || p[3] < '0' || p[3] > '5' || p[4] < '0' || p[4] > '9') return -1;
  int h = (p[0] - '0') * 10 + p[1] - '0', m = (p[3] - '0') * 10 + p[4] - '0';
  if (h > 23) return -1;
  *out = (uint16_t)(h * 60 + m);
  *s = p + 5;
  return 0;
}

/* A day name at *s (any case): its index, advancing *s; -1 when none. */
static int dayName(const char **s) {
  for (int i = 0; i < 7; i++)
    if (!g_ascii_strncasecmp(*s, dayNames[i], 3) && !g_ascii_isalpha((*s)[3])) { *s += 3; return i; }
  return -1;
}

static const char *skipSpaces(const char *s) { while (*s == ' ' || *s == '\t') s++; return s; }

/* The days part ("mon-fri", "mon, wed, fri", "fri-mon") into a bitmask; -1. */
static int parseDays(const char *s) {
  int days = 0;
  for (;;) {
    s = skipSpaces(s);
    int a = dayName(&s), b = a;
    if (a < 0) return -1;
    s = skipSpaces(s);
    if (*s == '-') { s = skipSpaces(s + 1); if ((b = dayName(&s)) < 0) return -1; }
    for (int d = a;; d = (d + 1) % 7) { days |= 1 << d; if (d == b) break; }
    s = skipSpaces(s);
    if (!*s) return days;
    if (*s++ != ',') return -1;
  }
}

int campClockWindowParse(const char *s, ProgWindow *out, char *err, size_t errSize) {
  static const char *const form = "write HH:MM-HH:MM [DAYS], e.g. \"08:00-20:00 mon-fri\", or \"off\"";
  ProgWindow w = { 0, 0, 0x7f };
  s = skipSpaces(s ? s : "");
  if (!strcmp(s, "off")) { *out = (ProgWindow){ 0, 0, 0 }; return 0; }
  int bad = clockTime(&s, &w.from) || *(s = skipSpaces(s)) != '-';
  if (!bad) { s = skipSpaces(s + 1); bad = clockTime(&s, &w.to); }
  if (bad) { snprintf(err, errSize, "not a send window (%s)", form); return -1; }
  if (w.from == w.to) { snprintf(err, errSize, "a send window must not open and close at the same time"); return -1; }
  s = skipSpaces(s);
  if (!strncmp(s, "on ", 3)) s = skipSpaces(s + 3);
  if (*s) {
    int days = parseDays(s);
    if (days <= 0) { snprintf(err, errSize, "'%s' are not days (mon..sun: mon-fri, sat-sun, mon, wed, fri)", s); return -1; }
    w.days = (uint8_t)days;
  }
  *out = w;
  return 0;
}

/* The days of mask as a range ("mon-fri", wrapping "fri-mon") when they
** are consecutive, else a list ("mon, wed, fri"); nothing for every day. */
static void formatDays(uint8_t mask, int caps, char *out, size_t n) {
  char names[7][4];
  for (int i = 0; i < 7; i++) { snprintf(names[i], 4, "%s", dayNames[i]); if (caps) names[i][0] = (char)(names[i][0] - 32); }
  out[0] = 0;
  if (mask == 0x7f) return;
  int start = -1, runs = 0;
  for (int i = 0; i < 7; i++) {
    int prev = (i + 6) % 7;
    if ((mask >> i & 1) && !(mask >> prev & 1)) { start = i; runs++; }
  }
  if (runs == 1) {
    int end = start;
    while (mask >> ((end + 1) % 7) & 1) end = (end + 1) % 7;
    if (end == start) snprintf(out, n, " %s", names[start]);
    else snprintf(out, n, " %s-%s", names[start], names[end]);
    return;
  }
  size_t k = 0;
  for (int i = 0; i < 7 && k < n; i++)
    if (mask >> i & 1) k += (size_t)snprintf(out + k, n - k, "%s%s", k ? ", " : " ", names[i]);
}

void campClockWindowFormat(const ProgWindow *w, int caps, char *out, size_t n) {
  if (!w->days) { snprintf(out, n, "off"); return; }
  char days[64];
  formatDays(w->days, caps, days, sizeof days);
  snprintf(out, n, "%02d:%02d-%02d:%02d%s", w->from / 60, w->from % 60, w->to / 60, w->to % 60, days);
}

void campClockFormatIn(const CampZone *z, int64_t t, char out[CAMP_CLOCK_ISO_SIZE]) {
  CampLocal lt;
  campClockLocal(z, t, &lt);
  int32_t off = lt.offset < 0 ? -lt.offset : lt.offset;
  if (!lt.offset) { campClockFormat(t, out); return; }
  snprintf(out, CAMP_CLOCK_ISO_SIZE, "%04lld-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", (long long)lt.year, lt.month, lt.day,
           lt.sec / 3600, lt.sec / 60 % 60, lt.sec % 60, lt.offset < 0 ? '-' : '+', off / 3600, off / 60 % 60);
}
