/*
** tests/unit/test_split.c -- a split's bucket and path (runtime/sched_branch.c):
** the hash docs/RUNTIME.md specifies (checked against Python's hashlib),
** paths from cumulative shares, share texts, and the shares a 50/30/20
** split gives 100,000 record ids.
*/
#include <stdlib.h>
#include "runtime/sched_timing.h"
#include "test.h"

int main(void) {
  /* SHA-256("camp-split\0" campaign "\0" node "\0" id)[0..8) big-endian mod 10000,
  ** as /usr/bin/python3 computes it with hashlib */
  CHECK_EQ_INT(campSchedSplitBucket("welcome", "split_1", 1), 6218);
  CHECK_EQ_INT(campSchedSplitBucket("welcome", "split_1", 2), 3868);
  CHECK_EQ_INT(campSchedSplitBucket("spring", "test", 123456789), 767);
  CHECK_EQ_INT(campSchedSplitBucket("c", "if_1", -5), 1780);
  /* the same inputs, the same bucket; the NULs keep "ab"+"c" apart from "a"+"bc" */
  CHECK_EQ_INT(campSchedSplitBucket("welcome", "split_1", 1), campSchedSplitBucket("welcome", "split_1", 1));
  int differ = 0;
  for (int64_t id = 1; id <= 20; id++) differ += campSchedSplitBucket("ab", "c", id) != campSchedSplitBucket("a", "bc", id);
  CHECK(differ >= 18);

  /* paths by cumulative share: [0, 5000) 0, [5000, 8000) 1, [8000, 10000) 2 */
  const uint16_t shares[] = { 5000, 3000, 2000 };
  CHECK_EQ_INT(campSchedSplitPath(shares, 3, 0), 0);
  CHECK_EQ_INT(campSchedSplitPath(shares, 3, 4999), 0);
  CHECK_EQ_INT(campSchedSplitPath(shares, 3, 5000), 1);
  CHECK_EQ_INT(campSchedSplitPath(shares, 3, 7999), 1);
  CHECK_EQ_INT(campSchedSplitPath(shares, 3, 8000), 2);
  CHECK_EQ_INT(campSchedSplitPath(shares, 3, 9999), 2);
  const uint16_t test[] = { 667, 667, 666, 8000 };   /* an A/B test of 20% over three variants */
  CHECK_EQ_INT(campSchedSplitPath(test, 4, 666), 0);
  CHECK_EQ_INT(campSchedSplitPath(test, 4, 667), 1);
  CHECK_EQ_INT(campSchedSplitPath(test, 4, 1999), 2);
  CHECK_EQ_INT(campSchedSplitPath(test, 4, 2000), 3);

  char t[16];
  campSchedShareText(5000, t, sizeof t); CHECK_EQ_STR(t, "50%");
  campSchedShareText(1250, t, sizeof t); CHECK_EQ_STR(t, "12.5%");
  campSchedShareText(667, t, sizeof t);  CHECK_EQ_STR(t, "6.67%");
  campSchedShareText(5, t, sizeof t);    CHECK_EQ_STR(t, "0.05%");
  campSchedShareText(10000, t, sizeof t); CHECK_EQ_STR(t, "100%");

  /* 100,000 ids over 50/30/20: each within 1 percentage point (the hash is
  ** uniform: the deviation expected is about 0.15 points) */
  long n[3] = { 0 };
  for (int64_t id = 1; id <= 100000; id++) n[campSchedSplitPath(shares, 3, campSchedSplitBucket("spring", "split_1", id))]++;
  for (int k = 0; k < 3; k++) {
    long want = shares[k] * 10;                       /* of 100,000 */
    CHECK(labs(n[k] - want) <= 1000);
    if (labs(n[k] - want) > 1000) fprintf(stderr, "path %d: %ld of 100000, expected %ld\n", k + 1, n[k], want);
  }
  /* another node of the same campaign sorts the same records independently */
  long both = 0;
  for (int64_t id = 1; id <= 10000; id++)
    both += campSchedSplitBucket("spring", "split_1", id) < 5000 && campSchedSplitBucket("spring", "split_2", id) < 5000;
  CHECK(both > 2300 && both < 2700);
  return TEST_END();
}
