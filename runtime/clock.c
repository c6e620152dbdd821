/*
** runtime/clock.c -- parsing and formatting times (see clock.h).
**
** Owns: the ISO 8601 reader (strict: a date that does not exist is an
** error, not a silent roll into the next month as strptime + timegm give),
** relative times (+90m, +2h, +3d, +1w), the ISO 8601 UTC writer, the
** duration writer ("1 hour 30 minutes") and the wall clock.  Does not own: the database's simulated clock (store_engine.c).
**
** Calendar arithmetic is done here, in integers, so the result never
** depends on TZ or the C library's idea of a time zone.
*/
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "runtime/clock.h"

int64_t campClockFromCivil(int64_t y, int m, int d) {
  /* days from civil (Howard Hinnant's algorithm), times a day */
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (era * 146097 + doe - 719468) * 86400;
}

void campClockToCivil(int64_t days, int64_t *year, int *month, int *day) {
  /* civil from days (Howard Hinnant's algorithm) */
  int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  *day = (int)(doy - (153 * mp + 2) / 5 + 1);
  *month = (int)(mp < 10 ? mp + 3 : mp - 9);
  *year = y + (*month <= 2);
}

void campClockFormat(int64_t t, char out[CAMP_CLOCK_ISO_SIZE]) {
  int64_t days = t / 86400, secs = t % 86400, y;
  if (secs < 0) { secs += 86400; days--; }
  int m, d;
  campClockToCivil(days, &y, &m, &d);
  snprintf(out, CAMP_CLOCK_ISO_SIZE, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, m, d,
           (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

static const struct { const char *name; int64_t secs; } durUnits[] = {
  { "month", 30 * 86400 }, { "week", 7 * 86400 }, { "day", 86400 }, { "hour", 3600 }, { "minute", 60 }, { "second", 1 },
};

/* Append "N unit(s)" to out at *n (a space first unless at the start). */
static void putUnit(char *out, size_t *n, uint64_t k, const char *unit) {
  *n += (size_t)snprintf(out + *n, CAMP_CLOCK_DURATION_SIZE - *n, "%s%llu %s%s", *n && out[*n - 1] != '-' ? " " : "",
                         (unsigned long long)k, unit, k == 1 ? "" : "s");
}

void campClockFormatDuration(int64_t s, char out[CAMP_CLOCK_DURATION_SIZE]) {
  size_t n = 0;
  out[0] = 0;
  if (s < 0) out[n++] = '-', out[n] = 0;
  uint64_t v = s < 0 ? (uint64_t)0 - (uint64_t)s : (uint64_t)s;   /* INT64_MIN too */
  if (v == 0) { putUnit(out, &n, 0, "second"); return; }
  size_t nu = sizeof durUnits / sizeof durUnits[0];
  size_t big = 0;                        /* the largest unit that fits */
  while (v < (uint64_t)durUnits[big].secs) big++;
  if (v % (uint64_t)durUnits[big].secs == 0) { putUnit(out, &n, v / (uint64_t)durUnits[big].secs, durUnits[big].name); return; }
  for (size_t i = 2; i < nu; i++) {      /* not a whole number of it: days down to seconds */
    uint64_t k = v / (uint64_t)durUnits[i].secs;
    if (k) putUnit(out, &n, k, durUnits[i].name);
    v %= (uint64_t)durUnits[i].secs;
  }
}

int64_t campClockWall(void) { return (int64_t)time(NULL); }

/* Exactly n digits at *s into *v; advances *s.  0 or -1. */
static int digits(const char **s, int n, int *v) {
  int x = 0;
  for (int i = 0; i < n; i++) {
    char c = (*s)[i];
    if (c < '0' || c > '9') return -1;
    x = x * 10 + (c - '0');
  }
  *s += n;
  *v = x;
  return 0;
}

int campClockDaysInMonth(int64_t y, int m) {
  static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : dm[m - 1];
}

int campClockParseIso(const char *s, int64_t *out) {
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!s || digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &mo) || *s++ != '-' || digits(&s, 2, &d)) return -1;
  if (mo < 1 || mo > 12 || d < 1 || d > campClockDaysInMonth(y, mo)) return -1;
  int64_t zone = 0;
  if (*s == 'T' || *s == 't' || *s == ' ') {
    s++;
    if (digits(&s, 2, &h) || *s++ != ':' || digits(&s, 2, &mi)) return -1;
    if (*s == ':') {
      s++;
      if (digits(&s, 2, &sec)) return -1;
      if (*s == '.' || *s == ',') {          /* a fraction: at least one digit, dropped */
        s++;
        if (*s < '0' || *s > '9') return -1;
        while (*s >= '0' && *s <= '9') s++;
      }
    }
    if (h > 23 || mi > 59 || sec > 59) return -1;
    if (*s == 'Z' || *s == 'z') s++;
    else if (*s == '+' || *s == '-') {
      int sign = *s++ == '+' ? 1 : -1, zh, zm = 0;
      if (digits(&s, 2, &zh)) return -1;
      if (*s == ':') { s++; if (digits(&s, 2, &zm)) return -1; }
      else if (*s >= '0' && *s <= '9' && digits(&s, 2, &zm)) return -1;
      if (zh > 23 || zm > 59) return -1;
      zone = sign * (zh * 3600 + zm * 60);
    }
  }
  if (*s) return -1;
  *out = campClockFromCivil(y, mo, d) + h * 3600 + mi * 60 + sec - zone;
  return 0;
}

int campClockParse(const char *s, int64_t now, int64_t *out) {
  if (!s) return -1;
  if (!strcmp(s, "now")) { *out = now; return 0; }
  if (s[0] != '+') return campClockParseIso(s, out);
  const char *p = s + 1;
  int64_t n = 0;
  if (*p < '0' || *p > '9') return -1;
  for (; *p >= '0' && *p <= '9'; p++) {
    if (n > (INT64_MAX - 9) / 10) return -1;
    n = n * 10 + (*p - '0');
  }
  int64_t unit = 0;
  switch (*p) {
  case 'm': unit = 60; break;
  case 'h': unit = 3600; break;
  case 'd': unit = 86400; break;
  case 'w': unit = 7 * 86400; break;
  default: return -1;
  }
  if (p[1]) return -1;
  if (n > INT64_MAX / unit || (now > 0 && n * unit > INT64_MAX - now)) return -1;
  *out = now + n * unit;
  return 0;
}
