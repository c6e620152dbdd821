/*
** tests/unit/test_fmt.c -- `camp fmt` (compiler/fmt.c): a few exact
** layouts, and a property test: every .camp of the project, re-spaced at
** random (spaces, tabs, line breaks, blank lines, comments between any two
** tokens), still formats to a fixed point with the same code tokens.
*/
#include <glob.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/ast.h"
#include "compiler/fmt.h"
#include "parser.h"
#include "test.h"

/* Format text; NULL when it does not parse.  The result is malloc'd. */
static char *fmtText(const char *text, size_t len) {
  Diags d;
  Unit u;
  campDiagInit(&d);
  campUnitInit(&u, &d);
  int file = campDiagAddSource(&d, "t.camp", text, len);
  Ast *root = campParseFile(&u, (uint32_t)file);
  char *out = NULL;
  size_t n = 0;
  if (root && campFmtSource(&u, (uint32_t)file, root, &out, &n) != 0) out = NULL;
  campUnitFree(&u);
  campDiagFree(&d);
  return out;
}

/* The code tokens of text, one per line ("type text"), durations with one
** space; comments left out.  malloc'd. */
static char *codeTokens(const char *text) {
  Lexer lx = { .text = text, .len = (uint32_t)strlen(text) };
  size_t cap = 1024, n = 0;
  char *s = malloc(cap);
  s[0] = 0;
  for (;;) {
    const char *why;
    Token t = campLexToken(&lx, &why);
    if (t.type == 0) break;
    if (n + t.len + 32 > cap) { cap = (n + t.len + 32) * 2; s = realloc(s, cap); }
    n += (size_t)sprintf(s + n, "%d ", t.type);
    const char *p = text + t.off;
    uint32_t i = 0;
    if (t.type == TK_DURATION) {                 /* "2\thours" is "2 hours" */
      while (i < t.len && p[i] >= '0' && p[i] <= '9') s[n++] = p[i++];
      s[n++] = ' ';
      while (i < t.len && (p[i] == ' ' || p[i] == '\t')) i++;
    }
    if (t.type == TK_ONDAY) {                    /* "on\tmon" is "on mon" */
      memcpy(s + n, "on ", 3);
      n += 3;
      i = t.len - 3;
    }
    for (; i < t.len; i++) s[n++] = p[i];
    s[n++] = '\n';
    s[n] = 0;
  }
  return s;
}

static void checkLayout(const char *in, const char *want) {
  char *got = fmtText(in, strlen(in));
  CHECK_EQ_STR(got, want);
  if (got) {
    char *again = fmtText(got, strlen(got));
    CHECK_EQ_STR(again, got);
    free(again);
  }
  free(got);
}

static uint32_t rng = 12345;
static int compared;            /* variants formatted and compared */
static uint32_t rnd(uint32_t n) {
  rng = rng * 1103515245u + 12345u;
  return (rng >> 16) % n;
}

/* text re-spaced at random between its tokens. malloc'd. */
static char *respace(const char *text) {
  static const char *const seps[] = { " ", "  ", "\t", "\n", "\n\n", "\n\n\n", " # c\n", "\n# own\n", "\n\n# own\n\n", " \n  " };
  Lexer lx = { .text = text, .len = (uint32_t)strlen(text), .comments = 1 };
  size_t cap = strlen(text) * 4 + 64, n = 0;
  char *s = malloc(cap);
  int prevComment = 0;
  for (;;) {
    const char *why;
    Token t = campLexToken(&lx, &why);
    if (t.type == 0) break;
    const char *sep = seps[rnd(sizeof seps / sizeof seps[0])];
    if (rnd(3) == 0) sep = " ";                 /* mostly plain */
    if (prevComment && sep[0] != '\n') sep = "\n";
    size_t need = n + strlen(sep) + t.len + 2;
    if (need > cap) { cap = need * 2; s = realloc(s, cap); }
    if (n) { memcpy(s + n, sep, strlen(sep)); n += strlen(sep); }
    memcpy(s + n, text + t.off, t.len);
    n += t.len;
    prevComment = t.type == TK_COMMENT;
  }
  s[n++] = '\n';
  s[n] = 0;
  return s;
}

static char *readAll(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, n = 0, k;
  char *s = malloc(cap);
  while ((k = fread(s + n, 1, cap - n - 1, f)) > 0) {
    n += k;
    if (n + 1 == cap) { cap *= 2; s = realloc(s, cap); }
  }
  fclose(f);
  s[n] = 0;
  return s;
}

static void propertyOn(const char *path, int rounds) {
  char *text = readAll(path);
  if (!text) return;
  char *orig = codeTokens(text);
  char *first = fmtText(text, strlen(text));
  if (first) {                                     /* files with syntax errors are refused */
    char *again = fmtText(first, strlen(first));
    char *ft = codeTokens(first);
    if (!again || strcmp(again, first)) { fprintf(stderr, "not a fixed point: %s\n", path); CHECK(0); }
    else CHECK(1);
    if (strcmp(ft, orig)) { fprintf(stderr, "tokens changed: %s\n", path); CHECK(0); }
    else CHECK(1);
    free(again);
    free(ft);
  }
  int bad = 0;
  for (int r = 0; r < rounds && first && !bad; r++) {
    char *v = respace(text);
    char *vt = codeTokens(v);
    if (strcmp(vt, orig) == 0) {                   /* re-spacing kept the tokens */
      compared++;
      char *a = fmtText(v, strlen(v));
      char *b = a ? fmtText(a, strlen(a)) : NULL;
      char *at = a ? codeTokens(a) : NULL;
      if (!a || !b || strcmp(a, b) || strcmp(at, orig)) {
        bad = 1;
        fprintf(stderr, "%s, variant %d: %s\n--- variant:\n%s\n--- fmt:\n%s\n--- fmt again:\n%s\n", path, r,
                !a ? "does not parse" : !b || strcmp(a, b) ? "not a fixed point" : "tokens changed", v,
                a ? a : "", b ? b : "");
      }
      free(a);
      free(b);
      free(at);
    }
    free(vt);
    free(v);
  }
  CHECK(!bad);
  free(first);
  free(orig);
  free(text);
}

int main(void) {
  /* the layout rules, one at a time */
  checkLayout("model m{a text   b int}", "model m {\n  a text\n  b int\n}\n");
  checkLayout("model m { }", "model m { }\n");
  checkLayout("model m {\n}\n", "model m { }\n");
  checkLayout("use \"a.camp\"\nuse \"b.camp\"\nmodel m { }", "use \"a.camp\"\nuse \"b.camp\"\n\nmodel m { }\n");
  checkLayout("campaign c \"C\" { action a after 2hours { note( \"x\" ) } }",
              "campaign c \"C\" {\n  action a after 2 hours {\n    note(\"x\")\n  }\n}\n");
  checkLayout("campaign c \"C\" { action a after 2\thours { } }", "campaign c \"C\" {\n  action a after 2 hours { }\n}\n");
  checkLayout("campaign c # why\n \"C\" { }", "campaign c \"C\" { } # why\n");
  checkLayout("campaign c \"C\" { # why\n}", "campaign c \"C\" { # why\n}\n");
  checkLayout("campaign c \"C\" {\n\n  target m\n\n\n  where a\n\n}", "campaign c \"C\" {\n  target m\n\n  where a\n}\n");
  checkLayout("campaign c \"C\" { where x = - 1 and f ( - y ) > 2 - -3 }",
              "campaign c \"C\" {\n  where x = -1 and f(-y) > 2 - -3\n}\n");
  checkLayout("campaign c \"C\" { where email - 1 > text }", "campaign c \"C\" {\n  where email - 1 > text\n}\n");
  checkLayout("campaign c \"C\" { where a\n and b # why\n # own\n or c }",
              "campaign c \"C\" {\n  where a\n    and b # why\n    # own\n    or c\n}\n");
  checkLayout("campaign c \"C\" { action a { webhook(\n\"u\",\n[1,\n2]\n) } }",
              "campaign c \"C\" {\n  action a {\n    webhook(\n      \"u\",\n      [1,\n        2]\n    )\n  }\n}\n");
  checkLayout("campaign c \"C\" { action a { } action b { } }",
              "campaign c \"C\" {\n  action a { }\n\n  action b { }\n}\n");
  checkLayout("campaign c \"C\" { target m # t\n # about a\n action a { } }",
              "campaign c \"C\" {\n  target m # t\n\n  # about a\n  action a { }\n}\n");
  checkLayout("# a\n\n\n\n# b\nmodel m { }\n\n\n", "# a\n\n# b\nmodel m { }\n");
  checkLayout("", "");
  checkLayout("model m {\r\n  a text # c\r\n}\r\n", "model m {\n  a text # c\n}\n");
  checkLayout("campaign c 'C' { code \"\"\"\n  x  \n\"\"\" }", "campaign c 'C' {\n  code \"\"\"\n  x  \n\"\"\"\n}\n");
  CHECK(fmtText("model m {", 9) == NULL);

  /* every file of the project, as it is and re-spaced */
  const char *const globs[] = { "examples/*.camp", "tests/golden/*/*.camp", "tests/scenarios/*.camp" };
  int files = 0;
  for (size_t g = 0; g < sizeof globs / sizeof globs[0]; g++) {
    glob_t gl;
    if (glob(globs[g], 0, NULL, &gl) != 0) continue;
    for (size_t i = 0; i < gl.gl_pathc; i++, files++) propertyOn(gl.gl_pathv[i], 100);
    globfree(&gl);
  }
  CHECK(files > 10);
  CHECK(compared > files * 20);
  return TEST_END();
}
