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
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "runtime/compose.h"

/* -- rendering ------------------------------------------------------------- */

char *campComposeValue(Vm *vm, const Value *v) {
  Value t;
  char *s = campVmToText(vm, v, &t) == 0 ? malloc((size_t)t.len + 1) : NULL;
  if (!s) return NULL;
  memcpy(s, t.u.s, t.len);
  s[t.len] = 0;
  return s;
}

char *campComposeRender(Vm *vm, const Program *p, uint32_t block, const VmRecord *r, int64_t now, VmHost *host,
                        char *err, size_t errSize) {
  if (block == CAMP_NONE) return NULL;
  Value out;
  if (campVmRun(vm, p, block, r, now, host, &out, err, errSize) < 0) return NULL;
  char *s = campComposeValue(vm, &out);
  if (!s) snprintf(err, errSize, "out of memory");
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
  *name = strndup(n, nn);
  *addr = strndup(a, an);
  if (*name && *addr) return 0;
  free(*name); free(*addr);
  *name = *addr = NULL;
  return -1;
}

/* -- the plain part -------------------------------------------------------------
**
** libxml2's HTML parser reads the HTML as a browser would (references
** decoded, broken markup recovered, every element it opens closed again)
** and calls back for each element and each run of text: no tree is built.
** Output rules: see campComposeText in compose.h. */

enum { EL_INLINE, EL_BLOCK, EL_CELL, EL_SKIP };

/* The elements that are not inline, sorted by name for bsearch. */
static const struct ElementKind { const char *name; int kind; } elementKinds[] = {
  { "address", EL_BLOCK }, { "article", EL_BLOCK }, { "aside", EL_BLOCK }, { "blockquote", EL_BLOCK },
  { "br", EL_BLOCK }, { "caption", EL_BLOCK }, { "center", EL_BLOCK }, { "dd", EL_BLOCK }, { "div", EL_BLOCK },
  { "dl", EL_BLOCK }, { "dt", EL_BLOCK }, { "fieldset", EL_BLOCK }, { "figcaption", EL_BLOCK }, { "figure", EL_BLOCK },
  { "footer", EL_BLOCK }, { "form", EL_BLOCK }, { "h1", EL_BLOCK }, { "h2", EL_BLOCK }, { "h3", EL_BLOCK },
  { "h4", EL_BLOCK }, { "h5", EL_BLOCK }, { "h6", EL_BLOCK }, { "head", EL_SKIP }, { "header", EL_BLOCK },
  { "hr", EL_BLOCK }, { "li", EL_BLOCK }, { "main", EL_BLOCK }, { "nav", EL_BLOCK }, { "ol", EL_BLOCK },
  { "p", EL_BLOCK }, { "pre", EL_BLOCK }, { "script", EL_SKIP }, { "section", EL_BLOCK }, { "style", EL_SKIP },
  { "table", EL_BLOCK }, { "td", EL_CELL }, { "template", EL_SKIP }, { "th", EL_CELL }, { "title", EL_SKIP },
  { "tr", EL_BLOCK }, { "ul", EL_BLOCK },
};

static int byName(const void *key, const void *e) { return strcmp(key, ((const struct ElementKind *)e)->name); }

static int elementKind(const char *name) {
  const struct ElementKind *k = bsearch(name, elementKinds, sizeof elementKinds / sizeof elementKinds[0], sizeof elementKinds[0], byName);
  return k ? k->kind : EL_INLINE;
}

typedef struct TextOut {
  Buf b;
  int space;          /* white space seen since the last character */
  int cell;           /* a table cell began since the last character */
  int skip;           /* elements open inside one whose content is not text */
  char *href;         /* the http(s) target of the <a> open, malloc'd */
} TextOut;

static TextOut *textOut(void *ctx) { return ((xmlParserCtxtPtr)ctx)->_private; }

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

/* SAX characters: a run of decoded text (UTF-8). */
static void onText(void *ctx, const xmlChar *s, int len) {
  TextOut *t = textOut(ctx);
  if (t->skip) return;
  for (int i = 0; i < len;) {
    int run = 0;
    while (i + run < len && s[i + run] > ' ' && !(s[i + run] == 0xc2 && i + run + 1 < len && s[i + run + 1] == 0xa0)) run++;
    if (run) { separate(t); campBufPut(&t->b, (const char *)s + i, (size_t)run); i += run; }
    else if (s[i] == 0xc2) { separate(t); campBufPut(&t->b, " ", 1); i += 2; }   /* &nbsp;: a space that stays */
    else { t->space = 1; i++; }                                                 /* white space, control characters */
  }
}

/* The http(s) target among the attributes of an <a>, trimmed and malloc'd;
** NULL for any other link. */
static char *httpTarget(const xmlChar **atts) {
  for (int i = 0; atts && atts[i]; i += 2) {
    if (strcmp((const char *)atts[i], "href") || !atts[i + 1]) continue;
    const char *h = (const char *)atts[i + 1];
    h += strspn(h, " \t\r\n\f");
    size_t n = strlen(h);
    while (n && strchr(" \t\r\n\f", h[n - 1])) n--;
    if (strncasecmp(h, "http://", 7) && strncasecmp(h, "https://", 8)) return NULL;
    return strndup(h, n);
  }
  return NULL;
}

static void onStart(void *ctx, const xmlChar *name, const xmlChar **atts) {
  TextOut *t = textOut(ctx);
  int kind = elementKind((const char *)name);
  if (t->skip || kind == EL_SKIP) { t->skip++; return; }
  if (kind == EL_BLOCK) breakLine(t);
  else if (kind == EL_CELL) t->cell = lineHasText(t);
  else if (!strcmp((const char *)name, "a")) { free(t->href); t->href = httpTarget(atts); }
}

static void onEnd(void *ctx, const xmlChar *name) {
  TextOut *t = textOut(ctx);
  if (t->skip) { t->skip--; return; }
  if (elementKind((const char *)name) == EL_BLOCK) breakLine(t);
  else if (!strcmp((const char *)name, "a") && t->href) {
    campBufPut(&t->b, " (", 2);                   /* after the link's text: its target */
    campBufPuts(&t->b, t->href);
    campBufPut(&t->b, ")", 1);
    free(t->href);
    t->href = NULL;
  }
}

static void onIgnored(void *ctx, const xmlChar *s, int len) { (void)ctx; (void)s; (void)len; }

static pthread_once_t parserOnce = PTHREAD_ONCE_INIT;
static void initParser(void) { xmlInitParser(); }

char *campComposeText(const char *html) {
  TextOut t = { { 0 }, 0, 0, 0, NULL };
  size_t len = strlen(html);
  pthread_once(&parserOnce, initParser);
  htmlParserCtxtPtr ctxt = len && len <= INT_MAX ? htmlNewParserCtxt() : NULL;
  if (ctxt) {
    htmlSAXHandler sax = { 0 };
    sax.startElement = onStart;
    sax.endElement = onEnd;
    sax.characters = onText;
    sax.ignorableWhitespace = onText;            /* a blank between elements still separates words */
    sax.cdataBlock = onIgnored;                  /* <script> and <style> bodies */
    memcpy(ctxt->sax, &sax, sizeof sax);
    ctxt->_private = &t;
    htmlDocPtr doc = htmlCtxtReadMemory(ctxt, html, (int)len, NULL, "UTF-8",
                                        HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET | HTML_PARSE_RECOVER);
    xmlFreeDoc(doc);                             /* NULL: the callbacks build none */
    htmlFreeParserCtxt(ctxt);
  }
  free(t.href);
  while (t.b.n && t.b.p[t.b.n - 1] == '\n') t.b.p[--t.b.n] = 0;     /* the last line's break is the encoder's */
  campBufPut(&t.b, "", 0);                                          /* "" rather than NULL when nothing was written */
  if (t.b.oom) { campBufFree(&t.b); return NULL; }
  return t.b.p;
}
