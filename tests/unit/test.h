/*
** tests/unit/test.h -- the smallest useful unit-test harness.
**
** CHECK(cond) counts a pass or prints the failing condition with its line;
** CHECK_EQ_INT / CHECK_EQ_STR print both sides.  TEST_END() prints the
** closing line "N passed, N failed" and yields the exit status.
*/
#ifndef CAMP_TEST_H
#define CAMP_TEST_H

#include <stdio.h>
#include <string.h>

static int testPassed, testFailed;

#define CHECK(cond) do { if (cond) testPassed++; else { testFailed++; \
  fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)

#define CHECK_EQ_INT(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
  if (a_ == b_) testPassed++; else { testFailed++; \
  fprintf(stderr, "%s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, a_, b_); } } while (0)

#define CHECK_EQ_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
  if (a_ && b_ && strcmp(a_, b_) == 0) testPassed++; else { testFailed++; \
  fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, \
          a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } } while (0)

#define TEST_END() (printf("%d passed, %d failed\n", testPassed, testFailed), testFailed != 0)

#endif
