/*
** runtime/clock.h -- times as camp reads and writes them.
**
** Owns: parsing times given by people (ISO 8601, and offsets from the
** database's clock such as +90m, +2h, +3d, +1w), formatting times as
** ISO 8601 UTC, durations in words people read ("2 days", "1 hour 30
** minutes"), and the wall clock.  Pure functions: no SQLite, no global
** state, so they are unit-tested on their own (tests/unit/test_clock.c).
** Zones and calendar arithmetic in them (runtime/clock_zone.c) keep the
** GLib zones they load, by name, for the life of the process.
** Does not own: which clock a database runs on (the simulated clock is
** kept in camp_meta by runtime/store_engine.c; campEngineNow() in
** runtime/engine.h is the one function the runtime asks for "now").
**
** Times are int64 seconds since 1970-01-01T00:00:00Z (what the store keeps
** in every INTEGER time column and the VM in VAL_TIME).
*/
#ifndef CAMP_CLOCK_H
#define CAMP_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include "runtime/program.h"   /* ProgWindow */

/* Room for any formatted time, NUL included ("-292277022657-01-27T08:29:52Z"
** is the longest an int64 can give; years 0000-9999 take 20 bytes). */
#define CAMP_CLOCK_ISO_SIZE 48

/* An absolute time in ISO 8601, strictly checked (month lengths, leap
** years, ranges):
**   2026-01-05                       midnight UTC
**   2026-01-05T09:00 / T09:00:00     'T', 't' or one space between date and time
**   2026-01-05T09:00:00.250          fractions of a second are dropped
**   ...Z  ...+01:00  ...-0530  ...+01  a zone; none means UTC
** Years 0000-9999.  Returns 0 and sets *out, or -1 (and leaves *out) when s
** is not such a time, with nothing before or after it. */
int campClockParseIso(const char *s, int64_t *out);

/* A time given on the command line: what campClockParseIso accepts, or
** "now", or an offset from now: +N followed by m (minutes), h (hours),
** d (days) or w (weeks), e.g. +90m, +2h, +3d, +1w.  now is the database's
** clock (campEngineNow).  Returns 0 and sets *out, or -1 (bad text, or an
** offset that overflows). */
int campClockParse(const char *s, int64_t now, int64_t *out);

/* t as "2026-01-05T09:00:00Z" into out (always NUL-terminated). */
void campClockFormat(int64_t t, char out[CAMP_CLOCK_ISO_SIZE]);

/* Room for any duration campClockFormatDuration writes, NUL included. */
#define CAMP_CLOCK_DURATION_SIZE 80

/* Seconds s in words, the one form camp prints durations in: in the
** largest unit that fits when it is a whole number of it -- "2 weeks",
** "1 month" (30 days, as the language counts a month), "3 days", "1 hour",
** "45 seconds" -- else in days, hours, minutes and seconds as far as
** needed: "10 days", "1 day 12 hours", "1 hour 30 minutes".  "0 seconds";
** a negative duration gets a leading '-'.  Always NUL-terminated. */
void campClockFormatDuration(int64_t s, char out[CAMP_CLOCK_DURATION_SIZE]);

/* Seconds since the epoch for the proleptic Gregorian date (month 1-12);
** no range check.  Exposed for the datetime arithmetic of callers that
** must not depend on the C library's time zone handling. */
int64_t campClockFromCivil(int64_t year, int month, int day);

/* The proleptic Gregorian date of days since 1970-01-01 (the inverse of
** campClockFromCivil / 86400). */
void campClockToCivil(int64_t days, int64_t *year, int *month, int *day);

/* The number of days of month (1-12) in year, leap years counted. */
int campClockDaysInMonth(int64_t year, int month);

/* The wall clock, in seconds. */
int64_t campClockWall(void);

/* -- zones and the calendar (runtime/clock_zone.c) ------------------------------
**
** Local times in IANA zones through GLib's GTimeZone (never TZ): a zone is
** found by name once and kept for the life of the process.  Local times
** are wall-clock times in that zone; where a wall time occurs twice (the
** hour after a fall-back) the first is meant, and one that does not exist
** (the hour a spring-forward skips) is moved forward by the gap (02:30 on
** the day Paris skips 02:00-03:00 is 03:30). */

typedef struct _GTimeZone CampZone;

/* The zone named name ("Europe/Paris", "UTC"), cached; NULL when GLib does
** not know it, or name is not a zone's name (NULL, empty, a path, an
** offset, a POSIX TZ rule with punctuation).  Thread-safe. */
const CampZone *campClockZone(const char *name);

/* A time in a zone: the local date, time of day, weekday and offset. */
typedef struct CampLocal {
  int64_t year;
  int month, day;           /* 1-12, 1-31 */
  int sec;                  /* seconds after local midnight */
  int wday;                 /* 0 Monday .. 6 Sunday */
  int32_t offset;           /* seconds east of UTC */
} CampLocal;

void campClockLocal(const CampZone *z, int64_t t, CampLocal *out);

/* The time whose local wall clock in z reads that date (month 1-12, day
** valid for it) at sec seconds after midnight (see above for a wall time
** that repeats or does not exist). */
int64_t campClockFromLocal(const CampZone *z, int64_t year, int month, int day, int sec);

/* t plus months calendar months (clamped to the month's last day: 31 Jan
** + 1 month is 28 or 29 Feb), then days calendar days, the local time of
** day kept. */
int64_t campClockAddCalendar(const CampZone *z, int64_t t, int months, int days);

/* t's local date at minute (minutes after local midnight): may be earlier
** than t. */
int64_t campClockAtOn(const CampZone *z, int64_t t, int minute);

/* The first local time minute at or after t. */
int64_t campClockAtOrAfter(const CampZone *z, int64_t t, int minute);

/* Is window w open at t in z (days 0: always)?  An overnight window (from
** > to) belongs to the day it opens on: 22:00-06:00 on fri is open from
** Friday 22:00 to Saturday 06:00. */
int campClockWindowOpen(const CampZone *z, const ProgWindow *w, int64_t t);

/* t when w is open then, else its next opening (within the week). */
int64_t campClockWindowNext(const CampZone *z, const ProgWindow *w, int64_t t);

/* A window as text: "08:00-20:00 mon-fri", "09:00-20:00" (every day),
** "22:00-06:00 mon, wed, fri", "off" (days 0).  Days: mon..sun, ranges
** (may wrap: fri-mon) and lists, an optional "on" before them.  0, or -1
** with the reason in err. */
int campClockWindowParse(const char *s, ProgWindow *out, char *err, size_t errSize);

/* w as campClockWindowParse reads it ("off" when days is 0); caps: day
** names capitalised for people ("08:00-20:00 Mon-Fri"). */
void campClockWindowFormat(const ProgWindow *w, int caps, char *out, size_t n);

/* t as ISO 8601 with its offset in z: "2026-03-23T08:00:00+01:00". */
void campClockFormatIn(const CampZone *z, int64_t t, char out[CAMP_CLOCK_ISO_SIZE]);

#endif
