/*
** runtime/clock.h -- times as camp reads and writes them.
**
** Owns: parsing times given by people (ISO 8601, and offsets from the
** database's clock such as +90m, +2h, +3d, +1w), formatting times as
** ISO 8601 UTC, durations in words people read ("2 days", "1 hour 30
** minutes"), and the wall clock.  Pure functions: no SQLite, no global
** state, so they are unit-tested on their own (tests/unit/test_clock.c).
** Does not own: which clock a database runs on (the simulated clock is
** kept in camp_meta by runtime/store_engine.c; campEngineNow() in
** runtime/engine.h is the one function the runtime asks for "now").
**
** Times are int64 seconds since 1970-01-01T00:00:00Z (what the store keeps
** in every INTEGER time column and the VM in VAL_TIME).
*/
#ifndef CAMP_CLOCK_H
#define CAMP_CLOCK_H

#include <stdint.h>

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

/* The number of days of month (1-12) in year, leap years counted. */
int campClockDaysInMonth(int64_t year, int month);

/* The wall clock, in seconds. */
int64_t campClockWall(void);

#endif
