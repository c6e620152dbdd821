/*
** runtime/compose.c -- the composer: rendering templates, a message's
** links and their UTM targets, the From value, the plain part.
**
** Owns: turning a Program's template block and a record's values into
** text, numbering the links of one message (campComposeLinkAdd, the
** TrackLinkFn the scheduler hands to track.c) with the URL each redirects
** to, splitting "Name <addr>", and the plain part of an email derived from
** its HTML with libxml2's HTML parser.
** Does not own: encoding the message (message.c), signing and rewriting
** links (track.c), storing link targets (the store), sending (chan_*.c).
** Touches no database: plain code over strings and VM values, unit-tested
** without one (tests/unit/test_compose.c).
*/
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "runtime/compose.h"

/* -- rendering ------------------------------------------------------------- */

char *campComposeRender(Vm *vm, const Program *p, uint32_t block, const VmRecord *r, int64_t now, VmHost *host,
                        char *err, size_t errSize) {
  if (block == CAMP_NONE) return NULL;
  Value out, t;
  if (campVmRun(vm, p, block, r, now, host, &out, err, errSize) < 0) return NULL;
  char *s = campVmToText(vm, &out, &t) == 0 ? malloc((size_t)t.len + 1) : NULL;
  if (!s) { snprintf(err, errSize, "out of memory"); return NULL; }
  memcpy(s, t.u.s, t.len);
  s[t.len] = 0;
  return s;
}

/* -- links and UTM ------------------------------------------------------------ */

/* "&name=" and value percent-encoded (RFC 3986: unreserved characters as
** they are, every other byte as %XX). */
static void utmParam(Buf *b, const char *name, const char *value) {
  static const char hex[] = "0123456789ABCDEF";
  campBufPrintf(b, "&%s=", name);
  for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-._~", *p)) campBufPut(b, (const char *)p, 1);
    else { char enc[3] = { '%', hex[*p >> 4], hex[*p & 15] }; campBufPut(b, enc, 3); }
  }
}

/* Does the query of url[0..base) set a utm_ parameter of its own? */
static int ownUtm(const char *url, size_t base) {
  for (size_t i = 1; i + 4 <= base; i++)
    if (!memcmp(url + i, "utm_", 4) && (url[i - 1] == '?' || url[i - 1] == '&' || url[i - 1] == ';')) return 1;
  return 0;
}

void campComposeUtm(const char *campaign, const char *medium, const char *source, const char *url, size_t len, Buf *b) {
  const char *hash = memchr(url, '#', len);
  size_t base = hash ? (size_t)(hash - url) : len;
  for (size_t i = 0; i < base; i++) {
    campBufPut(b, url + i, 1);
    if (url[i] == '&' && base - i >= 5 && !memcmp(url + i, "&amp;", 5)) i += 4;
  }
  if (!ownUtm(url, base)) {
    size_t mark = b->n;
    utmParam(b, "utm_campaign", campaign);
    utmParam(b, "utm_medium", medium);
    utmParam(b, "utm_source", source);
    if (!b->oom) b->p[mark] = memchr(url, '?', base) ? '&' : '?';
  }
  campBufPut(b, url + base, len - base);
}

uint32_t campComposeLinkAdd(void *ctx, const char *url, size_t len) {
  ComposeLinks *k = ctx;
  const char *p = k->seen.p;
  for (uint32_t i = 0; i < k->n; i++) {
    const char *nl = memchr(p, '\n', k->seen.n - (size_t)(p - k->seen.p));
    if ((size_t)(nl - p) == len && !memcmp(p, url, len)) return i;
    p = nl + 1;
  }
  if (k->n == CAMP_COMPOSE_LINKS_MAX || memchr(url, '\n', len) || memchr(url, '\r', len)) return UINT32_MAX;
  campBufPut(&k->seen, url, len);
  campBufPut(&k->seen, "\n", 1);
  campComposeUtm(k->campaign, k->medium, k->source, url, len, &k->targets);
  campBufPut(&k->targets, "\n", 1);
  if (k->seen.oom || k->targets.oom) return UINT32_MAX;
  return k->n++;
}

void campComposeLinksFree(ComposeLinks *k) {
  campBufFree(&k->seen);
  campBufFree(&k->targets);
  k->n = 0;
}

/* -- From ---------------------------------------------------------------------- */

static char *dupRange(const char *s, size_t n) {
  char *d = malloc(n + 1);
  if (d) { memcpy(d, s, n); d[n] = 0; }
  return d;
}

int campComposeSplitFrom(const char *from, char **name, char **addr) {
  const char *lt = from ? strrchr(from, '<') : NULL;     /* the last: a value in the name cannot name the address */
  const char *n = "", *a = from;
  size_t nn = 0, an = from ? strlen(from) : 0;
  if (!from || !*from) { n = "camp"; nn = 4; a = "noreply@camp.invalid"; an = strlen(a); }
  else if (lt) {
    n = from;
    nn = (size_t)(lt - from);
    while (nn && from[nn - 1] == ' ') nn--;
    if (nn && n[0] == '"') { n++; nn--; if (nn && n[nn - 1] == '"') nn--; }
    a = lt + 1;
    an = strcspn(a, ">");
  }
  *name = dupRange(n, nn);
  *addr = dupRange(a, an);
  if (*name && *addr) return 0;
  free(*name); free(*addr);
  *name = *addr = NULL;
  return -1;
}

/* -- the plain part -------------------------------------------------------------
**
** libxml2 parses the HTML as a browser would (entities decoded, comments
** as comment nodes, unclosed elements closed, nesting past its depth limit
** dropped); the tree is then walked without recursion, so no input can
** exhaust the stack.  Output rules: see campComposeText in compose.h. */

enum { EL_INLINE, EL_BLOCK, EL_CELL, EL_SKIP };

static int elementKind(const char *name) {
  static const char *const blocks[] = {
    "address", "article", "aside", "blockquote", "br", "caption", "center", "dd", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tr", "ul",
  };
  static const char *const skipped[] = { "head", "script", "style", "template", "title" };
  for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++) if (!strcmp(name, blocks[i])) return EL_BLOCK;
  if (!strcmp(name, "td") || !strcmp(name, "th")) return EL_CELL;
  for (size_t i = 0; i < sizeof skipped / sizeof skipped[0]; i++) if (!strcmp(name, skipped[i])) return EL_SKIP;
  return EL_INLINE;
}

typedef struct TextOut {
  Buf b;
  int space;          /* white space seen since the last character */
  int cell;           /* a table cell began since the last character */
} TextOut;

static int lineHasText(const TextOut *t) { return t->b.n && t->b.p[t->b.n - 1] != '\n'; }

/* A block starts or ends: end the line unless it is empty. */
static void breakLine(TextOut *t) {
  if (lineHasText(t)) campBufPut(&t->b, "\n", 1);
  t->space = t->cell = 0;
}

/* Before a character: the TAB of a cell, or the space of a white-space run,
** unless at the start of a line. */
static void separate(TextOut *t) {
  if (lineHasText(t) && (t->cell || t->space)) campBufPut(&t->b, t->cell ? "\t" : " ", 1);
  t->space = t->cell = 0;
}

static void textNode(TextOut *t, const unsigned char *s) {
  while (*s) {
    size_t run = 0;
    while (s[run] > ' ' && !(s[run] == 0xc2 && s[run + 1] == 0xa0)) run++;
    if (run) { separate(t); campBufPut(&t->b, (const char *)s, run); s += run; }
    else if (*s == 0xc2) { separate(t); campBufPut(&t->b, " ", 1); s += 2; }   /* &nbsp;: a space that stays */
    else { t->space = 1; s++; }                                                 /* white space, control characters */
  }
}

/* After an <a>: " (target)" when its href is an http(s) URL. */
static void linkTarget(TextOut *t, xmlNode *a) {
  xmlChar *href = xmlGetProp(a, (const xmlChar *)"href");
  if (!href) return;
  const char *h = (const char *)href;
  h += strspn(h, " \t\r\n\f");
  size_t n = strlen(h);
  while (n && strchr(" \t\r\n\f", h[n - 1])) n--;
  if (!strncasecmp(h, "http://", 7) || !strncasecmp(h, "https://", 8)) {
    campBufPut(&t->b, " (", 2);
    campBufPut(&t->b, h, n);
    campBufPut(&t->b, ")", 1);
  }
  xmlFree(href);
}

static void enterElement(TextOut *t, xmlNode *e, int kind) {
  if (kind == EL_BLOCK) breakLine(t);
  else if (kind == EL_CELL) t->cell = lineHasText(t);
}

static void leaveElement(TextOut *t, xmlNode *e) {
  int kind = elementKind((const char *)e->name);
  if (kind == EL_BLOCK) breakLine(t);
  else if (!strcmp((const char *)e->name, "a")) linkTarget(t, e);
}

/* Every node below doc, in document order. */
static void walk(TextOut *t, xmlDoc *doc) {
  xmlNode *n = doc->children;
  while (n) {
    if (n->type == XML_TEXT_NODE && n->content) textNode(t, n->content);
    else if (n->type == XML_ELEMENT_NODE) {
      int kind = elementKind((const char *)n->name);
      if (kind != EL_SKIP) {
        enterElement(t, n, kind);
        if (n->children) { n = n->children; continue; }
        leaveElement(t, n);
      }
    }
    while (!n->next && n->parent && n->parent != (xmlNode *)doc) {
      n = n->parent;
      leaveElement(t, n);
    }
    n = n->next;
  }
}

static pthread_once_t parserOnce = PTHREAD_ONCE_INIT;
static void initParser(void) { xmlInitParser(); }

char *campComposeText(const char *html) {
  TextOut t = { { 0 }, 0, 0 };
  size_t len = strlen(html);
  if (len && len <= INT_MAX) {
    pthread_once(&parserOnce, initParser);
    htmlDocPtr doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
                                    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET | HTML_PARSE_RECOVER);
    if (doc) { walk(&t, doc); xmlFreeDoc(doc); }
  }
  while (t.b.n && t.b.p[t.b.n - 1] == '\n') t.b.p[--t.b.n] = 0;     /* the last line's break is the encoder's */
  campBufPut(&t.b, "", 0);              /* "" rather than NULL when nothing was written */
  if (t.b.oom) { campBufFree(&t.b); return NULL; }
  return t.b.p;
}
