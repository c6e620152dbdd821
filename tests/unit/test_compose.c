/*
** tests/unit/test_compose.c -- the composer without a database: the plain
** part derived from HTML, UTM targets, a message's link numbering, From
** splitting and rendering a template block.
*/
#include <stdlib.h>
#include <string.h>
#include "runtime/compose.h"
#include "compile_source.h"
#include "test.h"

/* The plain part of html, in a static buffer ("(null)" when out of memory). */
static char textOut[8192];
static const char *text(const char *html) {
  char *s = campComposeText(html);
  snprintf(textOut, sizeof textOut, "%s", s ? s : "(null)");
  free(s);
  return textOut;
}

static void testText(void) {
  /* the current format: paragraphs on their own lines, links after their text */
  CHECK_EQ_STR(text("<html><head><title>Secret</title><style>p{color:red}</style></head>"
                    "<body><p>Read <a href=\"https://x.example/a\">this</a></p><script>var z=1;</script><p>Bye</p></body></html>"),
               "Read this (https://x.example/a)\nBye");
  CHECK_EQ_STR(text("<p>Hi   <b>Zo\xc3\xab</b>,\n\tthere</p>"), "Hi Zo\xc3\xab, there");
  CHECK_EQ_STR(text("a<br>b<br><br>c"), "a\nb\nc");                 /* never an empty line */
  CHECK_EQ_STR(text("<ul><li>one</li><li>two</li></ul>"), "one\ntwo");
  CHECK_EQ_STR(text("<p>O&#39;Neil &#x27;&#233;&#10;x</p>"), "O'Neil '\xc3\xa9 x");
  CHECK_EQ_STR(text("a&nbsp;&nbsp;b"), "a  b");                      /* &nbsp; is a space that stays */
  /* named references are decoded (the old scanner knew five) */
  CHECK_EQ_STR(text("<p>caf&eacute; &amp; th&eacute; &middot; &lt;b&gt;</p>"), "caf\xc3\xa9 & th\xc3\xa9 \xc2\xb7 <b>");
  /* a comment is not text, nor is a link inside it */
  CHECK_EQ_STR(text("<p>Hi <!-- <a href=\"http://x\">x</a> --> there</p>"), "Hi there");
  CHECK_EQ_STR(text("<p>Hi</p><!-- <p>old <a href='https://old.example/'>offer</a></p> -->"), "Hi");
  /* table cells: a TAB between the cells of a row, a line per row, nothing
  ** for empty cells or layout tables of one column */
  CHECK_EQ_STR(text("<table><tr><th>Item</th><th>Price</th></tr><tr><td>Shoes</td> <td>40 &euro;</td></tr></table>"),
               "Item\tPrice\nShoes\t40 \xe2\x82\xac");
  CHECK_EQ_STR(text("<table><tr><td></td><td>Only</td></tr><tr><td><table><tr><td>In</td></tr></table></td></tr></table>"),
               "Only\nIn");
  /* every http(s) link, however its tag is written; others keep their text */
  CHECK_EQ_STR(text("<A HREF=https://a.example/>A</A> <a\nclass=x href='http://b.example/?q=1&amp;r=2'>B</a> "
                    "<a href=\" https://c.example/ \"><img src=x.png></a> <a href=\"mailto:x@y\">mail</a> <a href=\"#top\">top</a>"),
               "A (https://a.example/) B (http://b.example/?q=1&r=2) (https://c.example/) mail top");
  CHECK_EQ_STR(text("<p>See <a href='https://x.example/'>this</p>and that"), "See this (https://x.example/)\nand that");
  /* broken or hostile markup neither crashes nor leaks markup */
  CHECK_EQ_STR(text("<p>a<b>b<i>c</p>d</b>e</i>"), "abc\nde");
  CHECK_EQ_STR(text("<div <p>>x</div></div></div>"), ">x");
  CHECK_EQ_STR(text("a < b and c > d"), "a < b and c > d");
  CHECK_EQ_STR(text("x <script>if (a < b) document.write('<p>no</p>')</script> y <style>.p{}</style>"), "x y");
  CHECK_EQ_STR(text("<template><p>not shown</p></template>shown"), "shown");
  CHECK_EQ_STR(text("bad \xff\xfe bytes \xc3\xa9"), "bad \xff\xfe bytes \xc3\xa9");
  size_t deep = 100000;
  char *nest = malloc(deep * 5 + 16);
  if (nest) {
    for (size_t i = 0; i < deep; i++) memcpy(nest + i * 5, "<div>", 5);
    strcpy(nest + deep * 5, "deep");
    char *s = campComposeText(nest);
    CHECK(s != NULL);                                 /* past libxml2's depth limit the rest is dropped */
    free(s);
    free(nest);
  }
  /* nothing to say */
  CHECK_EQ_STR(text(""), "");
  CHECK_EQ_STR(text("<html><head><title>t</title></head><body> </body></html>"), "");
  CHECK_EQ_STR(text("<!-- only a comment -->"), "");
}

/* campComposeUtm on url with the test's UTM values, in a static buffer. */
static char utmOut[1024];
static const char *utm(const char *url) {
  Buf b = { 0 };
  campComposeUtm("promo 2026", "email", "hello/é", url, strlen(url), &b);
  snprintf(utmOut, sizeof utmOut, "%s", b.p ? b.p : "(null)");
  campBufFree(&b);
  return utmOut;
}

static void testUtm(void) {
  CHECK_EQ_STR(utm("https://x.example/a"), "https://x.example/a?utm_campaign=promo%202026&utm_medium=email&utm_source=hello%2F%C3%A9");
  CHECK_EQ_STR(utm("https://x.example/a?q=1&amp;r=2"),
               "https://x.example/a?q=1&r=2&utm_campaign=promo%202026&utm_medium=email&utm_source=hello%2F%C3%A9");
  CHECK_EQ_STR(utm("https://x.example/a?q=1#top"),
               "https://x.example/a?q=1&utm_campaign=promo%202026&utm_medium=email&utm_source=hello%2F%C3%A9#top");
  CHECK_EQ_STR(utm("https://x.example/a#frag?x"),
               "https://x.example/a?utm_campaign=promo%202026&utm_medium=email&utm_source=hello%2F%C3%A9#frag?x");
  /* a link with a utm_ parameter of its own keeps its own, and only those */
  CHECK_EQ_STR(utm("https://x.example/a?utm_source=blog&x=1"), "https://x.example/a?utm_source=blog&x=1");
  CHECK_EQ_STR(utm("https://x.example/a?x=1&amp;utm_medium=qr#f"), "https://x.example/a?x=1&utm_medium=qr#f");
  /* "utm_" elsewhere than a parameter name is not one */
  CHECK_EQ_STR(utm("https://x.example/utm_a"),
               "https://x.example/utm_a?utm_campaign=promo%202026&utm_medium=email&utm_source=hello%2F%C3%A9");
}

static void testLinks(void) {
  ComposeLinks k = { "c", "sms", "s", { 0 }, { 0 }, 0 };
  CHECK_EQ_INT(campComposeLinkAdd(&k, "https://a.example/", 18), 0);
  CHECK_EQ_INT(campComposeLinkAdd(&k, "https://b.example/?x=1", 22), 1);
  CHECK_EQ_INT(campComposeLinkAdd(&k, "https://a.example/", 18), 0);         /* the same URL, the same index */
  CHECK_EQ_INT(campComposeLinkAdd(&k, "https://a.example/x", 18), 0);        /* by length: the first 18 bytes */
  CHECK_EQ_INT(campComposeLinkAdd(&k, "https://a.example", 17), 2);          /* a prefix is another URL */
  CHECK_EQ_INT(campComposeLinkAdd(&k, "https://c.example/\nBcc", 22), UINT32_MAX);
  CHECK_EQ_INT(campComposeLinkAdd(&k, "https://c.example/\r", 19), UINT32_MAX);
  CHECK_EQ_INT(k.n, 3);
  CHECK_EQ_STR(k.seen.p, "https://a.example/\nhttps://b.example/?x=1\nhttps://a.example\n");
  CHECK_EQ_STR(k.targets.p, "https://a.example/?utm_campaign=c&utm_medium=sms&utm_source=s\n"
                            "https://b.example/?x=1&utm_campaign=c&utm_medium=sms&utm_source=s\n"
                            "https://a.example?utm_campaign=c&utm_medium=sms&utm_source=s\n");
  /* at most CAMP_COMPOSE_LINKS_MAX links; those already numbered still answer */
  char url[64];
  int capped = 0;
  for (int i = 3; i < CAMP_COMPOSE_LINKS_MAX + 10; i++) {
    int n = snprintf(url, sizeof url, "https://x.example/%d", i);
    uint32_t at = campComposeLinkAdd(&k, url, (size_t)n);
    if (i < CAMP_COMPOSE_LINKS_MAX) CHECK_EQ_INT(at, (uint32_t)i);
    else capped += at == UINT32_MAX;
  }
  CHECK_EQ_INT(capped, 10);
  CHECK_EQ_INT(k.n, CAMP_COMPOSE_LINKS_MAX);
  CHECK_EQ_INT(campComposeLinkAdd(&k, "https://b.example/?x=1", 22), 1);
  campComposeLinksFree(&k);
  CHECK(k.n == 0 && k.seen.p == NULL && k.targets.p == NULL);
}

/* campComposeSplitFrom on from as "name|addr". */
static char fromOut[512];
static const char *split(const char *from) {
  char *name, *addr;
  if (campComposeSplitFrom(from, &name, &addr) < 0) return "(oom)";
  snprintf(fromOut, sizeof fromOut, "%s|%s", name, addr);
  free(name);
  free(addr);
  return fromOut;
}

static void testFrom(void) {
  CHECK_EQ_STR(split("Camp Shop <shop@example.com>"), "Camp Shop|shop@example.com");
  CHECK_EQ_STR(split("\"Camp, Shop\" <shop@example.com>"), "Camp, Shop|shop@example.com");
  CHECK_EQ_STR(split("\"Camp   <shop@example.com>"), "Camp|shop@example.com");
  CHECK_EQ_STR(split("shop@example.com"), "|shop@example.com");
  CHECK_EQ_STR(split("<shop@example.com>"), "|shop@example.com");
  CHECK_EQ_STR(split("Shop <shop@example.com"), "Shop|shop@example.com");
  CHECK_EQ_STR(split(""), "camp|noreply@camp.invalid");
  CHECK_EQ_STR(split(NULL), "camp|noreply@camp.invalid");
  /* a '<' inside the name (a value): the last one starts the address */
  CHECK_EQ_STR(split("Eve <attacker@evil.example> <shop@example.com>"), "Eve <attacker@evil.example>|shop@example.com");
  CHECK_EQ_STR(split("a<b <shop@example.com>"), "a<b|shop@example.com");
  /* sized to the input: a long name is kept whole */
  size_t n = 5000;
  char *big = malloc(n + 32);
  if (big) {
    memset(big, 'n', n);
    strcpy(big + n, " <shop@example.com>");
    char *name, *addr;
    CHECK_EQ_INT(campComposeSplitFrom(big, &name, &addr), 0);
    CHECK_EQ_INT(strlen(name), n);
    CHECK_EQ_STR(addr, "shop@example.com");
    free(name); free(addr); free(big);
  }
}

static void testRender(void) {
  Program *p = testCompileSource("r.camp", "model contact {\n  name text\n  score int\n}\n"
                       "campaign c \"C\" {\n  target contact\n  email e {\n    subject \"Hi {{ name }}: {{ score }}\"\n"
                       "    body \"b\"\n  }\n  email big {\n    subject \"{{ score * 9223372036854775807 }}\"\n    body \"b\"\n  }\n}\n");
  Vm *vm = campVmNew();
  CHECK(p != NULL && vm != NULL);
  if (!p || !vm) { campVmFree(vm); return; }
  Value rec[3] = { { .tag = VAL_INT, .u.i = 7 }, { .tag = VAL_TEXT, .len = 4, .u.s = "Zo\xc3\xab" }, { .tag = VAL_INT, .u.i = 5 } };
  VmRecord r = { 0, 3, rec };
  char err[200] = "untouched";
  char *s = campComposeRender(vm, p, p->acts[0].subject, &r, 0, NULL, err, sizeof err);
  CHECK_EQ_STR(s, "Hi Zo\xc3\xab: 5");
  free(s);
  CHECK(campComposeRender(vm, p, p->acts[0].text, &r, 0, NULL, err, sizeof err) == NULL);   /* no text template */
  CHECK_EQ_STR(err, "untouched");
  CHECK(campComposeRender(vm, p, p->acts[1].subject, &r, 0, NULL, err, sizeof err) == NULL);
  CHECK(strstr(err, "r.camp:12: integer overflow") != NULL);
  campVmFree(vm);
  campProgramFree(p);
}

int main(void) {
  testText();
  testUtm();
  testLinks();
  testFrom();
  testRender();
  return TEST_END();
}
