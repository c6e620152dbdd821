/*
** tests/unit/test_cap.c -- the text of a frequency cap (campCapParse,
** campCapFormat in runtime/sched_cap.c), as `camp config cap.email` takes
** and shows it.
*/
#include "runtime/sched_timing.h"
#include "test.h"

static ProgCap got;
static char err[200];

/* 1 when s parses (into got), 0 when it is rejected (err says why). */
static int parse(const char *s) {
  err[0] = 0;
  got = (ProgCap){ 99, 99 };
  return campCapParse(s, &got, err, sizeof err) == 0;
}

/* s parsed, then formatted: the text camp config shows for it. */
static const char *shown(const char *s) {
  static char out[64];
  if (!parse(s)) return err;
  campCapFormat(&got, out, sizeof out);
  return out;
}

int main(void) {
  CHECK(parse("3 per 7 days") && got.n == 3 && got.period == 7 * 86400);
  CHECK(parse("1 per 1 day") && got.n == 1 && got.period == 86400);
  CHECK(parse("2 per 12 hours") && got.n == 2 && got.period == 12 * 3600);
  CHECK(parse("1 per week") && got.n == 1 && got.period == 7 * 86400);
  CHECK(parse("  5 PER 2 Weeks  ") && got.n == 5 && got.period == 14 * 86400);
  CHECK(parse("off") && got.n == 0 && got.period == 0);
  CHECK(parse(" OFF ") && got.n == 0);

  CHECK_EQ_STR(shown("3 per 7 days"), "3 per 7 days");
  CHECK_EQ_STR(shown("1 per 1 day"), "1 per 1 day");
  CHECK_EQ_STR(shown("2 per 12 hours"), "2 per 12 hours");
  CHECK_EQ_STR(shown("1 per 1 hour"), "1 per 1 hour");
  CHECK_EQ_STR(shown("1 per 2 weeks"), "1 per 14 days");
  CHECK_EQ_STR(shown("4 per 36 hours"), "4 per 36 hours");
  CHECK_EQ_STR(shown("4 per 48 hours"), "4 per 2 days");
  CHECK_EQ_STR(shown("off"), "off");

  /* rejected, with a one-line reason naming the text */
  CHECK(!parse("0 per 7 days") && strstr(err, "at least 1 message"));
  CHECK(!parse("3 per 0 days") && strstr(err, "at least 1 hour"));
  CHECK(!parse("3 per 30 minutes") && strstr(err, "is not a cap (write"));
  CHECK(!parse("3 per 7") && strstr(err, "'3 per 7'"));
  CHECK(!parse("3 in 7 days"));
  CHECK(!parse("-1 per 7 days"));
  CHECK(!parse("3 per -7 days"));
  CHECK(!parse("3 per 7 days please"));
  CHECK(!parse("offf"));
  CHECK(!parse("off 3"));
  CHECK(!parse(""));
  CHECK(!parse("3.5 per 7 days"));
  CHECK(!parse("99999999999999999999 per 1 day") && strstr(err, "at most"));
  CHECK(!parse("1 per 99999999999999999999 days") && strstr(err, "at most 3660 days"));
  CHECK(!parse("1 per 5000 days") && strstr(err, "at most 3660 days"));
  CHECK(parse("1000000 per 3660 days") && got.n == 1000000);
  CHECK(!parse("1000001 per 1 day"));
  CHECK(!strchr(err, '\n'));
  return TEST_END();
}
