/*
** tests/unit/test_visit.c -- the pieces of visits in workflows that need no
** database: LIKE (campVmLike) and its cost on hostile input, the URL rule
** of `on visit where url like` and visited() (campSchedVisitUrlLike), and
** visited() as compiled code calls its host (positional and `within:`).
*/
#include <stdint.h>
#include <string.h>
#include <time.h>
#include "compile_source.h"
#include "runtime/program.h"
#include "runtime/sched.h"
#include "runtime/vm.h"
#include "test.h"

static int like(const char *s, const char *p) { return campVmLike(s, strlen(s), p, strlen(p)); }
static int url(const char *u, const char *p) { return campSchedVisitUrlLike(u, strlen(u), p, strlen(p)); }

static void testLike(void) {
  CHECK_EQ_INT(like("", ""), 1);
  CHECK_EQ_INT(like("", "%"), 1);
  CHECK_EQ_INT(like("a", ""), 0);
  CHECK_EQ_INT(like("abc", "a_c"), 1);
  CHECK_EQ_INT(like("ac", "a_c"), 0);
  CHECK_EQ_INT(like("ABC", "a%"), 1);
  CHECK_EQ_INT(like("abc", "%C"), 1);
  CHECK_EQ_INT(like("abcabd", "%ab_"), 1);
  CHECK_EQ_INT(like("abcabd", "%abc"), 0);
  CHECK_EQ_INT(like("mississippi", "%iss%ipp%"), 1);
  CHECK_EQ_INT(like("mississippi", "m%s%s%s%i"), 1);
  CHECK_EQ_INT(like("mississippi", "m%s%s%s%s%i"), 1);
  CHECK_EQ_INT(like("mississippi", "m%s%s%s%s%s%i"), 0);
  CHECK_EQ_INT(like("aaa", "a%%a"), 1);
  CHECK_EQ_INT(like("a", "a%%a"), 0);
  /* a URL from the web against many %: a bounded number of steps (the
  ** recursive matcher took exponential time here) */
  static char longUrl[20001];
  memset(longUrl, 'a', sizeof longUrl - 1);
  clock_t t0 = clock();
  CHECK_EQ_INT(like(longUrl, "%a%a%a%a%a%a%a%a%a%a%a%a%b"), 0);
  CHECK_EQ_INT(like(longUrl, "%a%a%a%a%a%a%a%a%a%a%a%a%a"), 1);
  CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
}

static void testUrl(void) {
  CHECK_EQ_INT(url("https://shop.example.com/pricing?plan=pro", "/pricing%"), 1);
  CHECK_EQ_INT(url("https://shop.example.com:8443/pricing", "/pricing%"), 1);
  CHECK_EQ_INT(url("https://shop.example.com/en/pricing", "/pricing%"), 0);
  CHECK_EQ_INT(url("https://shop.example.com/en/pricing", "/%/pricing"), 1);
  CHECK_EQ_INT(url("https://shop.example.com/pricing#plans", "/pricing"), 1);      /* no fragment */
  CHECK_EQ_INT(url("https://shop.example.com/pricing?x=1", "/pricing"), 0);        /* the query counts */
  CHECK_EQ_INT(url("https://shop.example.com", "/"), 1);                          /* no path: "/" */
  CHECK_EQ_INT(url("https://shop.example.com?ref=mail", "/?ref=%"), 1);
  CHECK_EQ_INT(url("https://shop.example.com", "/pricing%"), 0);
  CHECK_EQ_INT(url("/pricing/pro", "/pricing%"), 1);                             /* already a path */
  CHECK_EQ_INT(url("HTTPS://SHOP.example.com/Pricing", "/pricing"), 1);
  CHECK_EQ_INT(url("https://shop.example.com/pricing", "https://shop.example.com/%"), 1);   /* whole URL */
  CHECK_EQ_INT(url("https://other.example/pricing", "https://shop.example.com/%"), 0);
  CHECK_EQ_INT(url("https://shop.example.com/pricing", "%pricing%"), 1);
  CHECK_EQ_INT(url("https://shop.example.com/pricing", "pricing"), 0);
  CHECK_EQ_INT(url("https://shop.example.com/pricing", ""), 0);
}

/* -- visited() through the VM --------------------------------------------------- */

static const int64_t NOW = 1767603600;          /* 2026-01-05T09:00:00Z */

typedef struct Seen { int calls; char model[32], pattern[64]; int64_t id, since; int answer; } Seen;

static int visited(VmHost *h, const char *model, int64_t id, const char *pattern, size_t len, int64_t since) {
  Seen *s = h->ctx;
  s->calls++;
  snprintf(s->model, sizeof s->model, "%s", model);
  snprintf(s->pattern, sizeof s->pattern, "%.*s", (int)len, pattern);
  s->id = id;
  s->since = since;
  return s->answer;
}

/* The campaign filter `where` on record 7, with host (may be NULL). */
static int filter(const char *where, VmHost *host) {
  char src[1024];
  snprintf(src, sizeof src, "model contact {\n  name text\n  email email\n}\n"
           "campaign c \"C\" {\n  target contact\n  where %s\n  email e {\n    subject \"s\"\n    body \"b\"\n  }\n}\n", where);
  Program *p = testCompileSource("t.camp", src);
  if (!p) return -9;
  Value rec[3] = { { .tag = VAL_INT, .u.i = 7 }, { 0 }, { 0 } };
  VmRecord r = { 0, 3, rec };
  Vm *vm = campVmNew();
  char err[200];
  int m = campVmFilter(vm, p, p->camps[0].filter, &r, NOW, host, err, sizeof err);
  campVmFree(vm);
  campProgramFree(p);
  return m;
}

static void testVisited(void) {
  Seen s = { .answer = 1 };
  VmHost host = { .ctx = &s, .visited = visited };
  CHECK_EQ_INT(filter("visited(\"/pricing%\")", &host), 1);
  CHECK_EQ_INT(s.calls, 1);
  CHECK_EQ_STR(s.model, "contact");
  CHECK_EQ_STR(s.pattern, "/pricing%");
  CHECK_EQ_INT(s.id, 7);
  CHECK(s.since == INT64_MIN);
  CHECK_EQ_INT(filter("visited(\"/a\", 2 days)", &host), 1);
  CHECK_EQ_INT(s.since, NOW - 2 * 86400);
  CHECK_EQ_INT(filter("visited(\"/a\", within: 3 hours)", &host), 1);
  CHECK_EQ_INT(s.since, NOW - 3 * 3600);
  CHECK_EQ_STR(s.pattern, "/a");
  s.answer = 0;
  CHECK_EQ_INT(filter("visited(\"/a\", within: 3 hours)", &host), 0);
  CHECK_EQ_INT(filter("not visited(\"/a\")", &host), 1);
  s.answer = -1;                                  /* a store error: null, so neither true nor false */
  CHECK_EQ_INT(filter("visited(\"/a\")", &host), 0);
  CHECK_EQ_INT(filter("not visited(\"/a\")", &host), 0);
  CHECK_EQ_INT(filter("visited(\"/a\")", NULL), 0);       /* no host: null */
  CHECK_EQ_INT(s.calls, 7);
}

int main(void) {
  testLike();
  testUrl();
  testVisited();
  return TEST_END();
}
