/*
** tests/unit/test_vm.c -- evaluating compiled filters and templates against
** records given as field values.
*/
#include <stdlib.h>
#include <string.h>
#include "compile_source.h"
#include "runtime/program.h"
#include "runtime/opcodes.h"
#include "runtime/vm.h"
#include "test.h"

static Program *buildWith(const char *where, const char *subject, const char *body, const char *txt) {
  char src[4096];
  snprintf(src, sizeof src,
           "model contact {\n  name text\n  email email\n  score int\n  tags tags\n  created datetime\n  ratio real\n  vip bool\n}\n"
           "list vips \"V\" {\n  target contact\n}\n"
           "campaign c \"C\" {\n  target contact\n  where %s\n  email e {\n    subject \"%s\"\n    body \"%s\"\n    text \"%s\"\n  }\n}\n",
           where, subject, body, txt);
  return testCompileSource("t.camp", src);
}

static Program *build(const char *where, const char *subject) { return buildWith(where, subject, "b", "t"); }

static Value text(const char *s) { Value v = { .tag = VAL_TEXT }; v.u.s = s; v.len = (uint32_t)strlen(s); return v; }
static Value num(int64_t i) { Value v = { .tag = VAL_INT }; v.u.i = i; return v; }
static Value when(int64_t t) { Value v = { .tag = VAL_TIME }; v.u.i = t; return v; }
static Value real(double r) { Value v = { .tag = VAL_REAL }; v.u.r = r; return v; }
static Value flag(int b) { Value v = { .tag = VAL_BOOL }; v.u.i = b; return v; }
static Value null(void) { Value v = { 0 }; return v; }

static const int64_t NOW = 1767603600;          /* 2026-01-05T09:00:00Z */
static Value rec[8];
static int listAnswer;

static int inList(VmHost *h, uint32_t list, int64_t id) { (void)h; (void)list; return id == 7 && listAnswer; }

/* The filter's verdict for the record in rec. */
static int filter(const char *where) {
  Program *p = build(where, "x");
  if (!p) return -9;
  Vm *vm = campVmNew();
  VmHost host = { .inList = inList };
  VmRecord r = { 0, 8, rec };
  char err[200];
  int m = campVmFilter(vm, p, p->camps[0].filter, &r, NOW, &host, err, sizeof err);
  campVmFree(vm);
  campProgramFree(p);
  return m;
}

static char rendered[512];
static const char *subject(const char *tpl) {
  Program *p = build("true", tpl);
  if (!p) return "(compile error)";
  Vm *vm = campVmNew();
  VmRecord r = { 0, 8, rec };
  Value out;
  char err[200];
  if (campVmRun(vm, p, p->acts[0].subject, &r, NOW, NULL, &out, err, sizeof err) < 0) snprintf(rendered, sizeof rendered, "error: %s", err);
  else snprintf(rendered, sizeof rendered, "%.*s", (int)out.len, out.u.s);
  campVmFree(vm);
  campProgramFree(p);
  return rendered;
}

/* The HTML body (html) or text part of a campaign rendered for rec, the
** value marks shown as [ and ]. */
static const char *part(const char *tpl, int html) {
  Program *p = buildWith("true", "s", html ? tpl : "b", html ? "t" : tpl);
  if (!p) return "(compile error)";
  Vm *vm = campVmNew();
  VmRecord r = { 0, 8, rec };
  Value out;
  char err[200];
  if (campVmRun(vm, p, html ? p->acts[0].body : p->acts[0].text, &r, NOW, NULL, &out, err, sizeof err) < 0)
    snprintf(rendered, sizeof rendered, "error: %s", err);
  else {
    snprintf(rendered, sizeof rendered, "%.*s", (int)out.len, out.u.s);
    for (char *c = rendered; *c; c++) *c = *c == CAMP_VALUE_OPEN ? '[' : *c == CAMP_VALUE_CLOSE ? ']' : *c;
  }
  campVmFree(vm);
  campProgramFree(p);
  return rendered;
}
static const char *body(const char *tpl) { return part(tpl, 1); }

int main(void) {
  rec[0] = num(7); rec[1] = text("Ada Lovelace"); rec[2] = text("Ada@Example.COM"); rec[3] = num(5);
  rec[4] = text("vip, Newsletter"); rec[5] = when(NOW - 10 * 86400); rec[6] = real(0.5); rec[7] = flag(1);
  CHECK_EQ_INT(filter("score = 5"), 1);
  CHECK_EQ_INT(filter("score != 5"), 0);
  CHECK_EQ_INT(filter("score > 4 and score <= 5"), 1);
  CHECK_EQ_INT(filter("score < 5 or score >= 6"), 0);
  CHECK_EQ_INT(filter("ratio < 1"), 1);                         /* real against int */
  CHECK_EQ_INT(filter("score + 1 = 6 and score * 2 = 10 and score - 5 = 0"), 1);
  CHECK_EQ_INT(filter("score / 2 = 2.5"), 1);
  CHECK_EQ_INT(filter("-score = -5"), 1);
  /* div and %: ints, floored like Python (the remainder takes the divisor's sign) */
  CHECK_EQ_INT(filter("score div 2 = 2 and score % 2 = 1"), 1);
  CHECK_EQ_STR(subject("{{ 7 div 2 }} {{ -7 div 2 }} {{ 7 div -2 }} {{ -7 div -2 }}"), "3 -4 -4 3");
  CHECK_EQ_STR(subject("{{ 7 % 2 }} {{ -7 % 2 }} {{ 7 % -2 }} {{ -7 % -2 }} {{ 6 % 3 }} {{ -6 % 4 }}"), "1 1 -1 -1 0 2");
  CHECK_EQ_STR(subject("{{ score * 3 + 1 % 4 }} {{ (score * 3 + 1) % 4 }} {{ score div 2 * 2 }}"), "16 0 4");   /* precedence of * */
  CHECK_EQ_INT(filter("score % 0 is set or score div 0 is set"), 0);                 /* a zero divisor gives null */
  CHECK_EQ_INT(filter("score % 0 = 0"), 0);
  CHECK_EQ_STR(subject("[{{ score div 0 }}]"), "[]");
  CHECK_EQ_STR(subject("{{ (-9223372036854775807 - 1) % -1 }} {{ 9223372036854775807 div -1 }}"), "0 -9223372036854775807");
  CHECK_EQ_STR(subject("{{ (-9223372036854775807 - 1) div -1 }}"), "error: t.camp:17: integer overflow in 'div'");
  CHECK_EQ_INT(filter("vip"), 1);
  CHECK_EQ_INT(filter("not vip"), 0);
  CHECK_EQ_INT(filter("\"newsletter\" in tags"), 1);            /* tags: case-insensitive, trimmed */
  CHECK_EQ_INT(filter("\"news\" in tags"), 0);
  CHECK_EQ_INT(filter("\"vip\" not in tags"), 0);
  CHECK_EQ_INT(filter("score in [1, 5, 9]"), 1);
  CHECK_EQ_INT(filter("name in [\"Bob\"]"), 0);
  CHECK_EQ_INT(filter("email like \"%@example.com\""), 1);
  CHECK_EQ_INT(filter("name like \"Ada _ovelace\""), 1);
  CHECK_EQ_INT(filter("name like \"Bob%\""), 0);
  CHECK_EQ_INT(filter("created < now - 7 days"), 1);
  CHECK_EQ_INT(filter("created > now - 7 days"), 0);
  CHECK_EQ_INT(filter("created + 10 days = now"), 1);
  CHECK_EQ_INT(filter("now - created = 10 days"), 1);
  /* a duration in a template: the words of campClockFormatDuration */
  CHECK_EQ_STR(subject("{{ now - created }}"), "10 days");
  CHECK_EQ_STR(subject("{{ 1 day }}"), "1 day");
  CHECK_EQ_STR(subject("{{ 90 minutes }}"), "1 hour 30 minutes");
  CHECK_EQ_STR(subject("{{ 2 weeks }}"), "2 weeks");
  CHECK_EQ_INT(filter("created > 2025-12-01"), 1);
  CHECK_EQ_INT(filter("days_since(created) = 10"), 1);
  CHECK_EQ_INT(filter("domain(email) = \"example.com\""), 1);
  CHECK_EQ_INT(filter("lower(name) = \"ada lovelace\" and upper(name) = \"ADA LOVELACE\""), 1);
  CHECK_EQ_INT(filter("length(name) = 12"), 1);
  CHECK_EQ_INT(filter("contains(name, \"Love\") and starts_with(name, \"Ada\") and ends_with(name, \"ace\")"), 1);
  CHECK_EQ_INT(filter("in_list(vips)"), 0);
  listAnswer = 1;
  CHECK_EQ_INT(filter("in_list(vips)"), 1);
  /* null semantics: unset fields */
  rec[3] = null(); rec[1] = text("");
  CHECK_EQ_INT(filter("score is set"), 0);
  CHECK_EQ_INT(filter("score is not set"), 1);
  CHECK_EQ_INT(filter("name is set"), 0);                        /* empty text is not set */
  CHECK_EQ_INT(filter("score > 1"), 0);                          /* null comparison: no match */
  CHECK_EQ_INT(filter("not (score > 1)"), 0);                    /* not null is null: still no match */
  CHECK_EQ_INT(filter("score = null"), 1);
  CHECK_EQ_INT(filter("score > 1 or vip"), 1);
  CHECK_EQ_INT(filter("coalesce(score, 3) = 3"), 1);
  CHECK_EQ_INT(filter("score % 2 is set or score div 2 is set"), 0);               /* null in, null out */
  /* templates */
  rec[1] = text("ada lovelace"); rec[3] = num(5);
  CHECK_EQ_STR(subject("Hi {{ name | capitalize }}!"), "Hi Ada lovelace!");
  CHECK_EQ_STR(subject("{{ name | first_word }}"), "ada");
  CHECK_EQ_STR(subject("{{ name | truncate: 3 }}"), "ada\xe2\x80\xa6");
  CHECK_EQ_STR(subject("{{ created | date: '%d/%m/%Y' }}"), "26/12/2025");
  CHECK_EQ_STR(subject("{{ created }}"), "2025-12-26T09:00:00Z");
  CHECK_EQ_STR(subject("score {{ score }} ratio {{ ratio }} vip {{ vip }}"), "score 5 ratio 0.5 vip true");
  rec[1] = null();
  CHECK_EQ_STR(subject("Dear {{ name | default: 'friend' }}"), "Dear friend");
  CHECK_EQ_STR(subject("[{{ name }}]"), "[]");
  /* case mapping is Unicode's on valid UTF-8 (issue 9) */
  rec[1] = text("\xc3\xa9milie");                                            /* émilie */
  CHECK_EQ_STR(subject("{{ name | capitalize }}"), "\xc3\x89milie");            /* Émilie */
  CHECK_EQ_STR(subject("{{ name | upper }}"), "\xc3\x89MILIE");
  rec[1] = text("\xc3\x89MILIE");
  CHECK_EQ_STR(subject("{{ lower(name) }}"), "\xc3\xa9milie");
  CHECK_EQ_INT(filter("lower(name) = \"\xc3\xa9milie\" and upper(lower(name)) = name"), 1);
  rec[1] = text("stra\xc3\x9f" "e");                                          /* straße: longer in upper case */
  CHECK_EQ_STR(subject("{{ name | upper }}"), "STRASSE");
  rec[1] = text("\xc7\x86" "emal");                                           /* ǆemal: title case is not upper case */
  CHECK_EQ_STR(subject("{{ name | capitalize }}"), "\xc7\x85" "emal");
  rec[1] = text("\xce\x9f\xce\x94\xce\x9f\xce\xa3");                           /* ΟΔΟΣ */
  CHECK_EQ_STR(subject("{{ name | lower }}"), "\xce\xbf\xce\xb4\xce\xbf\xcf\x82");  /* οδος, final sigma */
  /* invalid UTF-8 (Latin-1 bytes) renders, ASCII letters mapped only */
  rec[1] = text("\xe9milie Dupont");
  CHECK_EQ_STR(subject("{{ name | capitalize }}|{{ name | upper }}|{{ name | lower }}"),
               "\xe9milie Dupont|\xe9MILIE DUPONT|\xe9milie dupont");
  rec[1] = text("ada \xc3");                                                  /* cut in the middle of a character */
  CHECK_EQ_STR(subject("{{ name | capitalize }} {{ name | upper }}"), "Ada \xc3 ADA \xc3");
  rec[1] = text("");
  CHECK_EQ_STR(subject("[{{ name | capitalize }}{{ name | upper }}]"), "[]");

  /* HTML bodies: values escaped where they land, and marked */
  rec[1] = text("<a href=\"https://evil.example/phish\">Claim prize</a><script>alert(1)</script>");
  CHECK_EQ_STR(body("<p>{{ name }}</p>"),
               "<p>[&lt;a href=&quot;https://evil.example/phish&quot;&gt;Claim prize&lt;/a&gt;&lt;script&gt;alert(1)&lt;/script&gt;]</p>");
  CHECK_EQ_STR(subject("Hi {{ name }}"), "Hi <a href=\"https://evil.example/phish\">Claim prize</a><script>alert(1)</script>");
  CHECK_EQ_STR(part("Hi {{ name }}", 0), "Hi [<a href=\"https://evil.example/phish\">Claim prize</a><script>alert(1)</script>]");
  rec[1] = text("O'Neil & \"Sons\" <x>");
  CHECK_EQ_STR(body("<b title='{{ name }}'>{{ name }}</b>"),
               "<b title='[O&#39;Neil &amp; &quot;Sons&quot; &lt;x&gt;]'>[O&#39;Neil &amp; &quot;Sons&quot; &lt;x&gt;]</b>");
  rec[1] = text("a onmouseover=alert(1)");
  CHECK_EQ_STR(body("<p title={{ name }}>"), "<p title=[a&#32;onmouseover&#61;alert(1)]>");
  CHECK_EQ_STR(body("<p {{ name }}>"), "<p [a&#32;onmouseover&#61;alert(1)]>");
  /* link targets: only http(s) and mailto URLs; anything else is '#' */
  const char *const bad[] = { "javascript:alert(1)", " JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "data:text/html,x",
                              "vbscript:x", "/relative", "", "http:", "\x01javascript:x" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    rec[1] = text(bad[i]);
    CHECK_EQ_STR(body("<a href='{{ name }}'>x</a>"), "<a href='[#]'>x</a>");
    CHECK_EQ_STR(body("<img src={{ name }}>"), "<img src=[#]>");
    CHECK_EQ_STR(body("<a class='c' HREF = \\\"{{ name }}\\\">"), "<a class='c' HREF = \"[#]\">");
  }
  rec[1] = text("https://ok.example/?a=1&b='x' y");
  CHECK_EQ_STR(body("<a href='{{ name }}'>"), "<a href='[https://ok.example/?a&#61;1&amp;b&#61;&#39;x&#39;&#32;y]'>");
  rec[1] = text("MAILTO:ada@example.com");
  CHECK_EQ_STR(body("<a href='{{ name }}'>"), "<a href='[MAILTO:ada@example.com]'>");
  rec[1] = text("javascript:alert(1)");
  CHECK_EQ_STR(body("<a href='https://shop.example/{{ name }}'>"), "<a href='https://shop.example/[javascript:alert(1)]'>");
  CHECK_EQ_STR(body("<a title='{{ name }}'>"), "<a title='[javascript:alert(1)]'>");
  CHECK_EQ_STR(body("<!-- <a href='x --> {{ name }}"), "<!-- <a href='x --> [javascript:alert(1)]");
  /* raw: not escaped, still marked; raw on a constant keeps the markup */
  rec[1] = text("<i>it</i>");
  CHECK_EQ_STR(body("{{ '<b>bold</b>' | raw }} {{ name | raw }} {{ name | raw | upper }}"),
               "[<b>bold</b>] [<i>it</i>] [&lt;I&gt;IT&lt;/I&gt;]");
  CHECK_EQ_STR(subject("{{ name | raw }}"), "<i>it</i>");
  /* the marks cannot be forged: a value's own 0xFE/0xFF bytes, and the
  ** author's, become U+FFFD */
  rec[1] = text("a\xff" "b\xfe");
  CHECK_EQ_STR(body("{{ name }}"), "[a\xef\xbf\xbd" "b\xef\xbf\xbd]");
  CHECK_EQ_STR(body("x\xfey"), "x\xef\xbf\xbdy");
  CHECK_EQ_STR(part("{{ name | raw }}\xff", 0), "[a\xef\xbf\xbd" "b\xef\xbf\xbd]\xef\xbf\xbd");
  /* run-time error names the line */
  rec[3] = num(INT64_MAX);
  CHECK_EQ_STR(subject("{{ score + 1 }}"), "error: t.camp:17: integer overflow");
  return TEST_END();
}
