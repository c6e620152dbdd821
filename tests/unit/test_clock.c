/*
** tests/unit/test_clock.c -- ISO 8601 and relative times (runtime/clock.c),
** zones, calendar arithmetic and send windows (runtime/clock_zone.c).
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


/* t in zone as ISO 8601 with its offset. */
static const char *in(const char *zone, int64_t t) {
  static char buf[4][CAMP_CLOCK_ISO_SIZE];
  static int k;
  k = (k + 1) % 4;
  campClockFormatIn(campClockZone(zone), t, buf[k]);
  return buf[k];
}

/* t plus months and days in zone, as ISO 8601 there. */
static const char *plus(const char *zone, const char *t, int months, int days) {
  return in(zone, campClockAddCalendar(campClockZone(zone), iso(t), months, days));
}

static const char *wall(const char *zone, int y, int mo, int d, int h, int mi) {
  return in(zone, campClockFromLocal(campClockZone(zone), y, mo, d, h * 3600 + mi * 60));
}

static ProgWindow window(const char *s) {
  ProgWindow w = { 1, 1, 0xff };
  char err[200];
  if (campClockWindowParse(s, &w, err, sizeof err)) w.days = 0xff;
  return w;
}

static const char *windowText(const char *s, int caps) {
  static char buf[80];
  ProgWindow w = window(s);
  if (w.days == 0xff) return "(bad)";
  campClockWindowFormat(&w, caps, buf, sizeof buf);
  return buf;
}

/* The next opening of window text w at t in zone. */
static const char *opening(const char *zone, const char *w, const char *t) {
  ProgWindow pw = window(w);
  return in(zone, campClockWindowNext(campClockZone(zone), &pw, iso(t)));
}

static void zones(void) {
  CHECK(campClockZone("Europe/Paris") != NULL);
  CHECK(campClockZone("Europe/Paris") == campClockZone("Europe/Paris"));
  CHECK(campClockZone("UTC") != NULL);
  CHECK(campClockZone("Mars/Olympus_Mons") == NULL);
  CHECK(campClockZone("Mars/Olympus_Mons") == NULL);   /* cached as unknown */
  CHECK(campClockZone("") == NULL);
  CHECK(campClockZone("/etc/passwd") == NULL);                /* not a path, nor an offset */
  CHECK(campClockZone("../zoneinfo/UTC") == NULL);
  CHECK(campClockZone("+05:30") == NULL);
  CHECK(campClockZone("Etc/GMT+5") != NULL);
  CHECK(campClockZone("America/Argentina/Buenos_Aires") != NULL);
  CHECK(campClockZone(NULL) == NULL);
  CHECK_EQ_STR(in("UTC", NOW), "2026-01-05T09:00:00Z");
  CHECK_EQ_STR(in("Europe/Paris", NOW), "2026-01-05T10:00:00+01:00");
  CHECK_EQ_STR(in("America/New_York", NOW), "2026-01-05T04:00:00-05:00");
  CHECK_EQ_STR(in("Asia/Kolkata", NOW), "2026-01-05T14:30:00+05:30");
  CHECK_EQ_STR(in("Pacific/Auckland", NOW), "2026-01-05T22:00:00+13:00");
  /* the date line: Auckland is a day ahead of UTC in the evening */
  CampLocal lt;
  campClockLocal(campClockZone("Pacific/Auckland"), iso("2026-03-19T21:00:00Z"), &lt);
  CHECK_EQ_INT(lt.day, 20);
  CHECK_EQ_INT(lt.wday, 4);                                /* a Friday */
  CHECK_EQ_INT(lt.sec, 10 * 3600);
  campClockLocal(NULL, iso("2026-03-22T23:59:59Z"), &lt);  /* no zone: UTC; a Sunday */
  CHECK_EQ_INT(lt.wday, 6);
  CHECK_EQ_INT(lt.offset, 0);
}

static void dst(void) {
  /* Europe/Paris 2026: 29 Mar 02:00 -> 03:00, 25 Oct 03:00 -> 02:00 */
  CHECK_EQ_STR(plus("Europe/Paris", "2026-03-28T09:00:00+01:00", 0, 1), "2026-03-29T09:00:00+02:00");
  CHECK_EQ_STR(plus("Europe/Paris", "2026-10-24T09:00:00+02:00", 0, 1), "2026-10-25T09:00:00+01:00");
  CHECK_EQ_STR(plus("Europe/Paris", "2026-03-22T09:00:00+01:00", 0, 7), "2026-03-29T09:00:00+02:00");
  CHECK_EQ_STR(plus("Europe/Paris", "2026-03-28T02:30:00+01:00", 0, 1), "2026-03-29T03:30:00+02:00");   /* the gap */
  CHECK_EQ_STR(wall("Europe/Paris", 2026, 3, 29, 2, 30), "2026-03-29T03:30:00+02:00");
  CHECK_EQ_STR(wall("Europe/Paris", 2026, 3, 29, 2, 0), "2026-03-29T03:00:00+02:00");
  CHECK_EQ_STR(wall("Europe/Paris", 2026, 3, 29, 3, 0), "2026-03-29T03:00:00+02:00");
  CHECK_EQ_STR(wall("Europe/Paris", 2026, 3, 29, 1, 59), "2026-03-29T01:59:00+01:00");
  CHECK_EQ_STR(wall("Europe/Paris", 2026, 10, 25, 2, 30), "2026-10-25T02:30:00+02:00");      /* twice: the first */
  CHECK_EQ_STR(wall("Europe/Paris", 2026, 10, 25, 3, 0), "2026-10-25T03:00:00+01:00");
  CHECK_EQ_INT(campClockFromLocal(campClockZone("Europe/Paris"), 2026, 10, 25, 2 * 3600 + 1800), iso("2026-10-25T00:30:00Z"));
  /* America/New_York 2026: 8 Mar 02:00 -> 03:00, 1 Nov 02:00 -> 01:00 */
  CHECK_EQ_STR(plus("America/New_York", "2026-03-07T09:00:00-05:00", 0, 1), "2026-03-08T09:00:00-04:00");
  CHECK_EQ_STR(plus("America/New_York", "2026-10-31T09:00:00-04:00", 0, 1), "2026-11-01T09:00:00-05:00");
  CHECK_EQ_STR(wall("America/New_York", 2026, 3, 8, 2, 30), "2026-03-08T03:30:00-04:00");
  CHECK_EQ_STR(wall("America/New_York", 2026, 11, 1, 1, 30), "2026-11-01T01:30:00-04:00");
  CHECK_EQ_STR(wall("America/New_York", 2026, 11, 1, 2, 0), "2026-11-01T02:00:00-05:00");
  /* Pacific/Auckland 2026: DST ends 5 Apr 03:00 -> 02:00, starts 27 Sep 02:00 -> 03:00 */
  CHECK_EQ_STR(plus("Pacific/Auckland", "2026-04-04T09:00:00+13:00", 0, 1), "2026-04-05T09:00:00+12:00");
  CHECK_EQ_STR(plus("Pacific/Auckland", "2026-09-26T09:00:00+12:00", 0, 1), "2026-09-27T09:00:00+13:00");
  CHECK_EQ_STR(wall("Pacific/Auckland", 2026, 9, 27, 2, 15), "2026-09-27T03:15:00+13:00");
  CHECK_EQ_STR(wall("Pacific/Auckland", 2026, 4, 5, 2, 30), "2026-04-05T02:30:00+13:00");
  /* Asia/Kolkata: half an hour, no DST */
  CHECK_EQ_STR(plus("Asia/Kolkata", "2026-03-28T09:00:00+05:30", 0, 1), "2026-03-29T09:00:00+05:30");
  CHECK_EQ_STR(wall("Asia/Kolkata", 2026, 3, 20, 9, 0), "2026-03-20T09:00:00+05:30");
  CHECK_EQ_INT(campClockFromLocal(campClockZone("Asia/Kolkata"), 2026, 3, 20, 9 * 3600), iso("2026-03-20T03:30:00Z"));
}

static void months(void) {
  CHECK_EQ_STR(plus("UTC", "2026-01-31T10:00:00Z", 1, 0), "2026-02-28T10:00:00Z");
  CHECK_EQ_STR(plus("UTC", "2024-01-31T10:00:00Z", 1, 0), "2024-02-29T10:00:00Z");   /* leap year */
  CHECK_EQ_STR(plus("UTC", "2024-02-29T10:00:00Z", 12, 0), "2025-02-28T10:00:00Z");
  CHECK_EQ_STR(plus("UTC", "2000-01-31T00:00:00Z", 1, 0), "2000-02-29T00:00:00Z");   /* 400 years: leap */
  CHECK_EQ_STR(plus("UTC", "2100-01-31T00:00:00Z", 1, 0), "2100-02-28T00:00:00Z");   /* 100 years: not */
  CHECK_EQ_STR(plus("UTC", "2026-12-15T08:00:00Z", 1, 0), "2027-01-15T08:00:00Z");
  CHECK_EQ_STR(plus("UTC", "2026-08-31T08:00:00Z", 1, 1), "2026-10-01T08:00:00Z");    /* 30 Sep, then a day */
  CHECK_EQ_STR(plus("UTC", "2026-01-31T08:00:00Z", 13, 0), "2027-02-28T08:00:00Z");
  CHECK_EQ_STR(plus("Europe/Paris", "2026-01-31T09:00:00+01:00", 1, 0), "2026-02-28T09:00:00+01:00");
  CHECK_EQ_STR(plus("Europe/Paris", "2026-03-15T09:00:00+01:00", 1, 0), "2026-04-15T09:00:00+02:00");
  /* the month is the local one: 31 Jan 23:30 in Paris (22:30 UTC) */
  CHECK_EQ_STR(plus("Europe/Paris", "2026-01-31T23:30:00+01:00", 1, 0), "2026-02-28T23:30:00+01:00");
  CHECK_EQ_STR(plus("Pacific/Auckland", "2026-01-30T12:00:00Z", 1, 0), "2026-02-28T01:00:00+13:00");  /* 31 Jan there */
  CHECK_EQ_INT(campClockAddCalendar(campClockZone("Europe/Paris"), NOW, 0, 0), NOW);
}

static void timesOfDay(void) {
  const CampZone *paris = campClockZone("Europe/Paris");
  /* after 2 days at 09:00: that date at 09:00, earlier in the day than the base */
  CHECK_EQ_STR(in("Europe/Paris", campClockAtOn(paris, campClockAddCalendar(paris, iso("2026-03-27T15:00:00+01:00"), 0, 2), 540)),
               "2026-03-29T09:00:00+02:00");
  CHECK_EQ_STR(in("Europe/Paris", campClockAtOrAfter(paris, iso("2026-03-27T15:00:00+01:00"), 540)), "2026-03-28T09:00:00+01:00");
  CHECK_EQ_STR(in("Europe/Paris", campClockAtOrAfter(paris, iso("2026-03-27T08:00:00+01:00"), 540)), "2026-03-27T09:00:00+01:00");
  CHECK_EQ_STR(in("Europe/Paris", campClockAtOrAfter(paris, iso("2026-03-27T09:00:00+01:00"), 540)), "2026-03-27T09:00:00+01:00");
  CHECK_EQ_STR(in("Europe/Paris", campClockAtOrAfter(paris, iso("2026-03-28T23:00:00+01:00"), 150)), "2026-03-29T03:30:00+02:00");
  const CampZone *kol = campClockZone("Asia/Kolkata");
  CHECK_EQ_STR(in("Asia/Kolkata", campClockAtOrAfter(kol, iso("2026-03-20T04:00:00Z"), 540)), "2026-03-21T09:00:00+05:30");
  CHECK_EQ_STR(in("Asia/Kolkata", campClockAtOn(kol, iso("2026-03-20T04:00:00Z"), 540)), "2026-03-20T09:00:00+05:30");
  const CampZone *akl = campClockZone("Pacific/Auckland");
  CHECK_EQ_STR(in("Pacific/Auckland", campClockAtOrAfter(akl, iso("2026-03-19T21:00:00Z"), 540)), "2026-03-21T09:00:00+13:00");
  CHECK_EQ_STR(in("UTC", campClockAtOrAfter(NULL, iso("2026-03-19T21:00:00Z"), 540)), "2026-03-20T09:00:00Z");
}

static void windows(void) {
  CHECK_EQ_STR(windowText("08:00-20:00 mon-fri", 0), "08:00-20:00 mon-fri");
  CHECK_EQ_STR(windowText("08:00-20:00 mon-fri", 1), "08:00-20:00 Mon-Fri");
  CHECK_EQ_STR(windowText("09:00-20:00", 0), "09:00-20:00");
  CHECK_EQ_STR(windowText("  22:00 - 06:00 on FRI-mon ", 0), "22:00-06:00 fri-mon");
  CHECK_EQ_STR(windowText("08:00-20:00 mon, wed,fri", 0), "08:00-20:00 mon, wed, fri");
  CHECK_EQ_STR(windowText("08:00-20:00 sat-sun", 1), "08:00-20:00 Sat-Sun");
  CHECK_EQ_STR(windowText("08:00-20:00 sun", 0), "08:00-20:00 sun");
  CHECK_EQ_STR(windowText("08:00-20:00 sun-sat", 0), "08:00-20:00");
  CHECK_EQ_STR(windowText("08:00-20:00 mon, tue, wed", 0), "08:00-20:00 mon-wed");
  CHECK_EQ_STR(windowText("off", 0), "off");
  CHECK_EQ_INT(window("08:00-20:00 mon-fri").days, 0x1f);
  CHECK_EQ_INT(window("08:00-20:00 mon-fri").from, 480);
  CHECK_EQ_INT(window("08:00-20:00 mon-fri").to, 1200);
  CHECK_EQ_INT(window("off").days, 0);
  CHECK_EQ_STR(windowText("8:00-20:00", 0), "(bad)");
  CHECK_EQ_STR(windowText("24:00-20:00", 0), "(bad)");
  CHECK_EQ_STR(windowText("08:60-20:00", 0), "(bad)");
  CHECK_EQ_STR(windowText("08:00-08:00", 0), "(bad)");
  CHECK_EQ_STR(windowText("08:00-20:00 funday", 0), "(bad)");
  CHECK_EQ_STR(windowText("08:00-20:00 mon-", 0), "(bad)");
  CHECK_EQ_STR(windowText("08:00-20:00 mon,", 0), "(bad)");
  CHECK_EQ_STR(windowText("08:00-20:00 monday", 0), "(bad)");
  CHECK_EQ_STR(windowText("", 0), "(bad)");
  CHECK_EQ_STR(windowText("08:00", 0), "(bad)");
  /* next openings: Saturday -> Monday 08:00; Friday evening -> Monday; before opening -> today */
  CHECK_EQ_STR(opening("Europe/Paris", "08:00-20:00 mon-fri", "2026-03-21T10:00:00+01:00"), "2026-03-23T08:00:00+01:00");
  CHECK_EQ_STR(opening("Europe/Paris", "08:00-20:00 mon-fri", "2026-03-20T20:00:00+01:00"), "2026-03-23T08:00:00+01:00");
  CHECK_EQ_STR(opening("Europe/Paris", "08:00-20:00 mon-fri", "2026-03-20T07:59:00+01:00"), "2026-03-20T08:00:00+01:00");
  CHECK_EQ_STR(opening("Europe/Paris", "08:00-20:00 mon-fri", "2026-03-18T12:00:00+01:00"), "2026-03-18T12:00:00+01:00");
  CHECK_EQ_STR(opening("Europe/Paris", "08:00-20:00 mon-fri", "2026-03-27T21:00:00+01:00"), "2026-03-30T08:00:00+02:00");
  CHECK_EQ_STR(opening("Europe/Paris", "08:00-20:00 mon", "2026-03-23T20:00:00+01:00"), "2026-03-30T08:00:00+02:00");
  /* overnight: belongs to the day it opens on */
  CHECK_EQ_STR(opening("UTC", "22:00-06:00 fri", "2026-03-21T05:00:00Z"), "2026-03-21T05:00:00Z");
  CHECK_EQ_STR(opening("UTC", "22:00-06:00 fri", "2026-03-21T06:00:00Z"), "2026-03-27T22:00:00Z");
  CHECK_EQ_STR(opening("UTC", "22:00-06:00 fri", "2026-03-19T23:00:00Z"), "2026-03-20T22:00:00Z");
  CHECK_EQ_STR(opening("UTC", "22:00-06:00", "2026-03-19T12:00:00Z"), "2026-03-19T22:00:00Z");
  CHECK_EQ_STR(opening("UTC", "22:00-06:00", "2026-03-19T02:00:00Z"), "2026-03-19T02:00:00Z");
  /* in the recipient's zone: 07:00 UTC is 08:00 in Paris but 03:00 in New York */
  CHECK_EQ_STR(opening("America/New_York", "09:00-20:00", "2026-03-21T07:00:00Z"), "2026-03-21T09:00:00-04:00");
  CHECK_EQ_STR(opening("Pacific/Auckland", "08:00-20:00 mon-fri", "2026-03-20T08:00:00Z"), "2026-03-23T08:00:00+13:00");
  CHECK_EQ_STR(opening("Asia/Kolkata", "09:00-20:00", "2026-03-20T15:00:00Z"), "2026-03-21T09:00:00+05:30");
  ProgWindow none = { 0, 0, 0 };
  CHECK(campClockWindowOpen(campClockZone("UTC"), &none, NOW));
}

int main(void) {
  zones();
  dst();
  months();
  timesOfDay();
  windows();
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
