/*
** compiler/html.c -- the HTML context of a template's values.
**
** Owns: a scanner of the literal text of an HTML body, enough of the
** HTML tokenizer (text, comments, tags, attribute names, quoted and
** unquoted values) to know where each `{{ }}` lands.  The values
** themselves are escaped at run time, so they cannot change the context:
** only the author's text moves the scanner.  Does not own: escaping
** (runtime/vm.c OP_ESCAPE) or link tracking (runtime/track.c).
*/
#include <ctype.h>
#include <string.h>
#include "compiler/html.h"
#include "runtime/opcodes.h"

enum { S_TEXT, S_COMMENT, S_TAGNAME, S_ATTRS, S_ATTRNAME, S_AFTERNAME, S_BEFOREVALUE, S_VALUE };

void campHtmlInit(HtmlScan *s) { memset(s, 0, sizeof *s); }

static int space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

/* Attributes whose value is a URL a browser follows or loads. */
static int urlAttr(const char *name) {
  static const char *const names[] = { "href", "src", "action", "formaction", "background", "poster", "cite",
                                       "xlink:href", "data", "srcset", "longdesc", "lowsrc", "dynsrc", "ping" };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) if (!strcmp(name, names[i])) return 1;
  return 0;
}

static void startAttr(HtmlScan *s, char c) {
  s->state = S_ATTRNAME;
  s->attr[0] = (char)tolower((unsigned char)c);
  s->attr[1] = 0;
}

/* One character of the author's text. */
static void step(HtmlScan *s, const char *p, const char *end) {
  char c = *p;
  switch (s->state) {
  case S_TEXT:
    if (c == '<' && end - p >= 4 && !strncmp(p, "<!--", 4)) { s->state = S_COMMENT; s->dashes = -2; }   /* "<!-->" does not close it */
    else if (c == '<' && p + 1 < end && (isalpha((unsigned char)p[1]) || p[1] == '/')) s->state = S_TAGNAME;
    return;
  case S_COMMENT:
    if (c == '>' && s->dashes >= 2) s->state = S_TEXT;
    s->dashes = c == '-' ? s->dashes + 1 : 0;
    return;
  case S_TAGNAME:
    if (c == '>') s->state = S_TEXT;
    else if (space(c) || c == '/') s->state = S_ATTRS;
    return;
  case S_ATTRS:
  case S_AFTERNAME:
    if (c == '>') s->state = S_TEXT;
    else if (c == '=' && s->state == S_AFTERNAME) { s->state = S_BEFOREVALUE; s->valueStarted = 0; }
    else if (!space(c) && c != '/') startAttr(s, c);
    return;
  case S_ATTRNAME: {
    if (c == '>') { s->state = S_TEXT; return; }
    if (c == '=') { s->state = S_BEFOREVALUE; s->valueStarted = 0; return; }
    if (space(c) || c == '/') { s->state = S_AFTERNAME; return; }
    size_t n = strlen(s->attr);
    if (n + 1 < sizeof s->attr) { s->attr[n] = (char)tolower((unsigned char)c); s->attr[n + 1] = 0; }
    else s->attr[0] = '-';                     /* too long to be one we know */
    return;
  }
  case S_BEFOREVALUE:
    if (space(c)) return;
    if (c == '>') { s->state = S_TEXT; return; }
    s->state = S_VALUE;
    s->quote = c == '"' || c == '\'' ? c : 0;
    s->valueStarted = !s->quote;
    return;
  case S_VALUE:
    if (s->quote ? c == s->quote : space(c)) { s->state = S_ATTRS; return; }
    if (!s->quote && c == '>') { s->state = S_TEXT; return; }
    if (!space(c)) s->valueStarted = 1;
    return;
  }
}

void campHtmlText(HtmlScan *s, const char *text, size_t n) {
  for (const char *p = text, *end = text + n; p < end; p++) {
    if (s->state == S_TEXT) {                 /* most of a body: skip to the next tag */
      const char *lt = memchr(p, '<', (size_t)(end - p));
      if (!lt) return;
      p = lt;
    }
    step(s, p, text + n);
  }
}

int campHtmlValue(HtmlScan *s) {
  switch (s->state) {
  case S_TEXT: case S_COMMENT: return ESC_HTML;
  case S_BEFOREVALUE:                          /* href={{ x }}: an unquoted value */
    s->state = S_VALUE;
    s->quote = 0;
    s->valueStarted = 1;
    return urlAttr(s->attr) ? ESC_URL : ESC_ATTR;
  case S_VALUE: {
    int mode = urlAttr(s->attr) && !s->valueStarted ? ESC_URL : s->quote ? ESC_HTML : ESC_ATTR;
    s->valueStarted = 1;
    return mode;
  }
  default:                                     /* in a tag, outside any value: <p {{ x }}> */
    return ESC_ATTR;
  }
}
