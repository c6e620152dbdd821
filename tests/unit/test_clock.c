/*
** tests/unit/test_clock.c -- ISO 8601 and relative times (runtime/clock.c).
*/
#include <stdlib.h>
#include <time.h>
#include "runtime/clock.h"
#include "test.h"

static const int64_t NOW = 1767603600;          /* 2026-01-05T09:00:00Z */

/* The parse of s, or a sentinel when it is rejected. */
static int64_t iso(const char *s) {
  int64_t t = -999;
  return campClockParseIso(s, &t) == 0 ? t : -999;
}

static int64_t rel(const char *s) {
  int64_t t = -999;
  return campClockParse(s, NOW, &t) == 0 ? t : -999;
}

static const char *fmt(int64_t t) {
  static char buf[CAMP_CLOCK_ISO_SIZE];
  campClockFormat(t, buf);
  return buf;
}

static const char *dur(int64_t s) {
  static char buf[CAMP_CLOCK_DURATION_SIZE];
  campClockFormatDuration(s, buf);
  return buf;
}

int main(void) {
  /* durations in words */
  CHECK_EQ_STR(dur(0), "0 seconds");
  CHECK_EQ_STR(dur(1), "1 second");
  CHECK_EQ_STR(dur(45), "45 seconds");
  CHECK_EQ_STR(dur(90), "1 minute 30 seconds");
  CHECK_EQ_STR(dur(60), "1 minute");
  CHECK_EQ_STR(dur(5400), "1 hour 30 minutes");
  CHECK_EQ_STR(dur(7200), "2 hours");
  CHECK_EQ_STR(dur(86400), "1 day");
  CHECK_EQ_STR(dur(172800), "2 days");
  CHECK_EQ_STR(dur(129600), "1 day 12 hours");
  CHECK_EQ_STR(dur(90061), "1 day 1 hour 1 minute 1 second");
  CHECK_EQ_STR(dur(864000), "10 days");
  CHECK_EQ_STR(dur(1209600), "2 weeks");
  CHECK_EQ_STR(dur(2592000), "1 month");
  CHECK_EQ_STR(dur(3888000), "45 days");
  CHECK_EQ_STR(dur(-3600), "-1 hour");
  CHECK_EQ_STR(dur(INT64_MIN), "-106751991167300 days 15 hours 30 minutes 8 seconds");

  /* absolute forms */
  CHECK_EQ_INT(iso("2026-01-05T09:00:00Z"), NOW);
  CHECK_EQ_INT(iso("2026-01-05T09:00:00z"), NOW);
  CHECK_EQ_INT(iso("2026-01-05t09:00:00Z"), NOW);
  CHECK_EQ_INT(iso("2026-01-05 09:00:00"), NOW);
  CHECK_EQ_INT(iso("2026-01-05T09:00"), NOW);
  CHECK_EQ_INT(iso("2026-01-05T09:00Z"), NOW);
  CHECK_EQ_INT(iso("2026-01-05T09:00:00.999Z"), NOW);
  CHECK_EQ_INT(iso("2026-01-05T09:00:00,5"), NOW);
  CHECK_EQ_INT(iso("2026-01-05"), NOW - 9 * 3600);
  CHECK_EQ_INT(iso("2026-01-05T10:00:00+01:00"), NOW);
  CHECK_EQ_INT(iso("2026-01-05T10:00:00+0100"), NOW);
  CHECK_EQ_INT(iso("2026-01-05T10:00+01"), NOW);
  CHECK_EQ_INT(iso("2026-01-05T03:30:00-05:30"), NOW);
  CHECK_EQ_INT(iso("2026-01-05T09:00:00+00:00"), NOW);
  CHECK_EQ_INT(iso("1970-01-01T00:00:00Z"), 0);
  CHECK_EQ_INT(iso("1969-12-31T23:59:59Z"), -1);
  CHECK_EQ_INT(iso("2000-03-01"), 951868800);
  CHECK_EQ_INT(iso("2024-02-29"), 1709164800);               /* leap year */
  CHECK_EQ_INT(iso("2000-02-29"), 951782400);                /* 400-year leap */
  CHECK_EQ_INT(iso("9999-12-31T23:59:59Z"), 253402300799);
  CHECK_EQ_INT(iso("0000-01-01"), -62167219200);
  /* what camp import reads: offsets converted to UTC */
  CHECK_EQ_INT(iso("2026-03-01T12:00:00+02:00"), 1772359200);
  CHECK_EQ_INT(iso("2026-03-01T04:30-05:30"), 1772359200);
  CHECK_EQ_INT(iso("2026-03-01T00:30:00+14:00"), 1772359200 - 84600);     /* 2026-02-28T10:30Z */
  CHECK_EQ_INT(iso("2026-01-01T01:00:00+02:00"), iso("2025-12-31T23:00:00Z"));   /* across a year */

  /* agrees with the C library where both answer */
  {
    int bad = 0;
    srand(7);
    for (int i = 0; i < 20000; i++) {
      int64_t t = (int64_t)rand() * 97 % 4102444800LL;     /* 1970 .. 2100 */
      char buf[CAMP_CLOCK_ISO_SIZE], lib[64];
      time_t tt = (time_t)t;
      struct tm tm;
      gmtime_r(&tt, &tm);
      strftime(lib, sizeof lib, "%Y-%m-%dT%H:%M:%SZ", &tm);
      campClockFormat(t, buf);
      int64_t back = -1;
      if (strcmp(buf, lib) || campClockParseIso(buf, &back) || back != t) bad++;
    }
    CHECK_EQ_INT(bad, 0);
  }

  /* rejected: dates that do not exist, ranges, stray text */
  const char *badIso[] = {
    "", "2026", "2026-1-5", "2026-01-5", "26-01-05", "2026/01/05", "2026-13-01", "2026-00-10", "2026-01-00",
    "2026-01-32", "2026-02-29", "1900-02-29", "2026-04-31", "2026-01-05T", "2026-01-05T9:00", "2026-01-05T24:00",
    "2026-01-05T23:60", "2026-01-05T23:59:60", "2026-01-05T09:00:00ZZ", "2026-01-05T09:00:00+1",
    "2026-01-05T09:00:00+24:00", "2026-01-05T09:00:00+01:60", "2026-01-05T09:00:00.", "2026-01-05T09:00:00 ",
    " 2026-01-05", "2026-01-05x", "2026-01-05Z", "2026-01-05T09", "２026-01-05", "2026-01-05T09:00:00+01:0",
    "2026-02-30", "2026-06-31", "2100-02-29", "2026-01-05T09:00:00\n", "2026-01-05\r",
  };
  for (size_t i = 0; i < sizeof badIso / sizeof badIso[0]; i++) {
    int64_t t = 42;
    int rc = campClockParseIso(badIso[i], &t);
    if (rc != -1 || t != 42) fprintf(stderr, "accepted '%s'\n", badIso[i]);
    CHECK(rc == -1 && t == 42);
  }
  CHECK(campClockParseIso(NULL, &(int64_t){ 0 }) == -1);

  /* relative to the database's clock */
  CHECK_EQ_INT(rel("+90m"), NOW + 90 * 60);
  CHECK_EQ_INT(rel("+2h"), NOW + 7200);
  CHECK_EQ_INT(rel("+3d"), NOW + 3 * 86400);
  CHECK_EQ_INT(rel("+1w"), NOW + 7 * 86400);
  CHECK_EQ_INT(rel("+0m"), NOW);
  CHECK_EQ_INT(rel("now"), NOW);
  CHECK_EQ_INT(rel("2026-01-06"), NOW + 15 * 3600);          /* absolute still works */
  const char *badRel[] = { "+", "+m", "+2", "+2x", "+2hh", "+-2h", "+ 2h", "-2h", "2h", "+2H", "+1.5h", "+2h ",
                           "+99999999999999999999d", "+9223372036854775807w", "Now", "" };
  for (size_t i = 0; i < sizeof badRel / sizeof badRel[0]; i++) {
    int64_t t = 42;
    int rc = campClockParse(badRel[i], NOW, &t);
    if (rc != -1) fprintf(stderr, "accepted '%s'\n", badRel[i]);
    CHECK(rc == -1 && t == 42);
  }
  CHECK(campClockParse("+153722867280912930m", 100, &(int64_t){ 0 }) == -1);     /* now + offset overflows */

  /* formatting */
  CHECK_EQ_STR(fmt(NOW), "2026-01-05T09:00:00Z");
  CHECK_EQ_STR(fmt(0), "1970-01-01T00:00:00Z");
  CHECK_EQ_STR(fmt(-1), "1969-12-31T23:59:59Z");
  CHECK_EQ_STR(fmt(-86400), "1969-12-31T00:00:00Z");
  CHECK_EQ_STR(fmt(-86401), "1969-12-30T23:59:59Z");
  CHECK_EQ_STR(fmt(1709164800 + 86399), "2024-02-29T23:59:59Z");
  CHECK_EQ_STR(fmt(253402300799), "9999-12-31T23:59:59Z");
  CHECK_EQ_STR(fmt(-62167219200), "0000-01-01T00:00:00Z");
  {
    char buf[CAMP_CLOCK_ISO_SIZE];
    campClockFormat(INT64_MIN, buf);           /* no overflow, no crash: something printable */
    CHECK(strlen(buf) > 0 && strlen(buf) < CAMP_CLOCK_ISO_SIZE);
    campClockFormat(INT64_MAX, buf);
    CHECK(strlen(buf) > 0 && strlen(buf) < CAMP_CLOCK_ISO_SIZE);
  }
  /* round trip every day over four centuries around the epoch, at odd seconds */
  {
    int bad = 0;
    for (int64_t t = -62167219200 + 3723; t < 253402300799; t += 86400 * 7 + 1) {
      char buf[CAMP_CLOCK_ISO_SIZE];
      int64_t back = 0;
      campClockFormat(t, buf);
      if (campClockParseIso(buf, &back) || back != t) { if (!bad) fprintf(stderr, "round trip %lld -> %s\n", (long long)t, buf); bad++; }
    }
    CHECK_EQ_INT(bad, 0);
  }
  /* the month lengths the compiler's datetime literals are checked against */
  CHECK_EQ_INT(campClockDaysInMonth(2024, 2), 29);
  CHECK_EQ_INT(campClockDaysInMonth(2025, 2), 28);
  CHECK_EQ_INT(campClockDaysInMonth(1900, 2), 28);
  CHECK_EQ_INT(campClockDaysInMonth(2000, 2), 29);
  CHECK_EQ_INT(campClockDaysInMonth(2025, 4), 30);
  CHECK_EQ_INT(campClockDaysInMonth(2025, 12), 31);
  CHECK_EQ_INT(campClockFromCivil(2026, 1, 5) + 9 * 3600, NOW);
  CHECK(campClockWall() > NOW - 400 * 86400);
  return TEST_END();
}
