/*
** tests/unit/test_site.c -- the landing URL of a tracked link to a website
** (runtime/serve_site.c): where camp_ct=TOKEN goes in a URL.
*/
#include <stdlib.h>
#include "runtime/serve_site.h"
#include "tests/unit/test.h"

static void added(const char *url, const char *want) {
  char *got = campServeSiteAddParam(url, CAMP_CONTACT_PARAM, "T0k-_");
  CHECK_EQ_STR(got, want);
  free(got);
}

int main(void) {
  added("https://shop.example", "https://shop.example?camp_ct=T0k-_");
  added("https://shop.example/", "https://shop.example/?camp_ct=T0k-_");
  added("https://shop.example/p?a=1", "https://shop.example/p?a=1&camp_ct=T0k-_");
  added("https://shop.example/p?", "https://shop.example/p?camp_ct=T0k-_");
  added("https://shop.example/p?a=1&", "https://shop.example/p?a=1&camp_ct=T0k-_");
  added("https://shop.example/p#top", "https://shop.example/p?camp_ct=T0k-_#top");
  added("https://shop.example/p?a=1#x?y=2&z", "https://shop.example/p?a=1&camp_ct=T0k-_#x?y=2&z");
  added("https://shop.example/p#?a", "https://shop.example/p?camp_ct=T0k-_#?a");
  added("https://shop.example/p?a=1#", "https://shop.example/p?a=1&camp_ct=T0k-_#");
  return TEST_END();
}
