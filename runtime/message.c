/*
** runtime/message.c -- composing an email: RFC 5322 headers, MIME
** multipart/alternative, quoted-printable UTF-8, RFC 2047 encoded words.
**
** Owns: the bytes of a message.  Header values are sanitised here, once:
** CR and LF become spaces, so no record value can inject a header.
** Does not own: tracking (track.c) or delivery (chan_*.c).
*/
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "runtime/message.h"

void campBufPut(Buf *b, const char *s, size_t n) {
  if (b->oom) return;
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 1024;
    while (cap < b->n + n + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) { b->oom = 1; return; }
    b->p = p; b->cap = cap;
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = 0;
}

void campBufPuts(Buf *b, const char *s) { campBufPut(b, s, strlen(s)); }

void campBufPrintf(Buf *b, const char *fmt, ...) {
  char small[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) { b->oom = 1; return; }
  if ((size_t)n < sizeof small) { campBufPut(b, small, (size_t)n); return; }
  char *big = malloc((size_t)n + 1);
  if (!big) { b->oom = 1; return; }
  va_start(ap, fmt);
  vsnprintf(big, (size_t)n + 1, fmt, ap);
  va_end(ap);
  campBufPut(b, big, (size_t)n);
  free(big);
}

void campBufFree(Buf *b) { free(b->p); memset(b, 0, sizeof *b); }

static int needsEncoding(const char *s) {
  for (; *s; s++) if ((unsigned char)*s >= 0x7f || *s == '\r' || *s == '\n' || *s == '=' || *s == '?') return 1;
  return 0;
}

/* A header value: plain when it is plain ASCII, else RFC 2047 Q-encoded
** words of at most 75 characters (split on UTF-8 boundaries).  In a phrase
** (the name of an address) an encoded word may hold only letters, digits
** and "!*+-/" unencoded (RFC 2047 5(3)): a raw ',', '@' or ':' there would
** let a strict parser read the name as more addresses or a group. */
static void headerWords(Buf *b, const char *s, int phrase) {
  if (!needsEncoding(s)) {
    for (; *s; s++) campBufPut(b, (*s == '\t') ? " " : s, 1);
    return;
  }
  size_t col = 0;
  campBufPuts(b, "=?UTF-8?Q?");
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    char enc[4];
    unsigned char c = (*p == '\r' || *p == '\n') ? ' ' : *p;
    int seqStart = (c & 0xc0) != 0x80;
    if (seqStart && col > 60) { campBufPuts(b, "?=\r\n =?UTF-8?Q?"); col = 0; }
    if (c == ' ') { campBufPut(b, "_", 1); col++; }
    else if (c >= 0x7f || c < 0x20 || c == '=' || c == '?' || c == '_' || c == '"' ||
             (phrase && !(isalnum(c) || strchr("!*+-/", c)))) {
      snprintf(enc, sizeof enc, "=%02X", c);
      campBufPut(b, enc, 3);
      col += 3;
    } else { campBufPut(b, (const char *)&c, 1); col++; }
  }
  campBufPuts(b, "?=");
}

static void headerText(Buf *b, const char *s) { headerWords(b, s, 0); }

/* An address header: "Name <addr>" with the name encoded and the address
** stripped of anything that could break the header. */
static void address(Buf *b, const char *name, const char *addr) {
  if (name && *name) {
    if (needsEncoding(name)) headerWords(b, name, 1);
    else {
      campBufPut(b, "\"", 1);
      for (const char *p = name; *p; p++) {
        if (*p == '"' || *p == '\\') campBufPut(b, "\\", 1);
        campBufPut(b, p, 1);
      }
      campBufPut(b, "\"", 1);
    }
    campBufPut(b, " ", 1);
  }
  campBufPut(b, "<", 1);
  for (const char *p = addr; *p; p++)
    if (*p != '\r' && *p != '\n' && *p != '<' && *p != '>' && *p != ' ' && *p != ',') campBufPut(b, p, 1);
  campBufPut(b, ">", 1);
}

/* Quoted-printable (RFC 2045): lines of at most 76, CRLF line ends. */
static void quotedPrintable(Buf *b, const char *s) {
  size_t col = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '\r') continue;
    if (*p == '\n') { campBufPuts(b, "\r\n"); col = 0; continue; }
    char enc[4];
    int plain = (*p >= 33 && *p <= 126 && *p != '=') || ((*p == ' ' || *p == '\t') && p[1] && p[1] != '\n' && p[1] != '\r');
    size_t w = plain ? 1 : 3;
    if (col + w > 75) { campBufPuts(b, "=\r\n"); col = 0; }
    if (plain) campBufPut(b, (const char *)p, 1);
    else { snprintf(enc, sizeof enc, "=%02X", *p); campBufPut(b, enc, 3); }
    col += w;
  }
  campBufPuts(b, "\r\n");
}

/* If p opens one of the elements whose content is not text (<head>,
** <title>, <style>, <script>), the end of its closing tag; else NULL. */
static const char *skipInvisible(const char *p) {
  static const char *const names[] = { "head", "title", "style", "script" };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    size_t n = strlen(names[i]);
    if (strncasecmp(p + 1, names[i], n) || (p[n + 1] != '>' && p[n + 1] != ' ' && p[n + 1] != '\t' && p[n + 1] != '\n')) continue;
    char close[16];
    snprintf(close, sizeof close, "</%s", names[i]);
    for (const char *q = p + n + 1; *q; q++)
      if (*q == '<' && !strncasecmp(q, close, n + 2)) {
        const char *gt = strchr(q, '>');
        return gt ? gt + 1 : q + strlen(q);
      }
    return p + strlen(p);
  }
  return NULL;
}

/* The plain part when the campaign gives none: the visible text of the
** HTML, paragraphs on their own lines, each link's target after its text
** ("Read more (https://…)"). */
static char *textFromHtml(const char *html) {
  size_t n = strlen(html);
  char *out = malloc(2 * n + 1), *o = out;      /* link targets can at most double it */
  if (!out) return NULL;
  int space = 0;
  const char *href = NULL;
  size_t hrefLen = 0;
  for (const char *p = html; *p; p++) {
    if (*p == '<') {
      const char *skip = skipInvisible(p);
      if (skip) { p = skip - 1; continue; }
      if (!strncasecmp(p, "<br", 3) || !strncasecmp(p, "<p", 2) || !strncasecmp(p, "</p", 3) || !strncasecmp(p, "<h", 2) ||
          !strncasecmp(p, "<tr", 3) || !strncasecmp(p, "<li", 3) || !strncasecmp(p, "<div", 4))
        { if (o > out && o[-1] != '\n') *o++ = '\n'; space = 0; }
      const char *gt = strchr(p, '>');
      if (!gt) break;
      if (!strncasecmp(p, "<a ", 3)) {
        const char *h = strstr(p, "href=");
        href = NULL;
        if (h && h < gt && (h[5] == '"' || h[5] == '\'')) {
          const char *end = strchr(h + 6, h[5]);
          if (end && end < gt && (!strncmp(h + 6, "http://", 7) || !strncmp(h + 6, "https://", 8))) { href = h + 6; hrefLen = (size_t)(end - href); }
        }
      } else if (!strncasecmp(p, "</a", 3) && href) {
        o += sprintf(o, " (%.*s)", (int)hrefLen, href);
        href = NULL;
      }
      p = gt;
      continue;
    }
    if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') { space = 1; continue; }
    if (space && o > out && o[-1] != '\n') *o++ = ' ';
    space = 0;
    if (!strncmp(p, "&amp;", 5)) { *o++ = '&'; p += 4; }
    else if (!strncmp(p, "&lt;", 4)) { *o++ = '<'; p += 3; }
    else if (!strncmp(p, "&gt;", 4)) { *o++ = '>'; p += 3; }
    else if (!strncmp(p, "&nbsp;", 6)) { *o++ = ' '; p += 5; }
    else if (!strncmp(p, "&quot;", 6)) { *o++ = '"'; p += 5; }
    else *o++ = *p;
  }
  *o = 0;
  return out;
}

int campMessageCompose(const Message *m, Buf *out) {
  char date[64];
  time_t t = (time_t)m->date;
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  campBufPrintf(out, "Date: %s\r\nMessage-ID: <", date);
  headerText(out, m->messageId);
  campBufPuts(out, ">\r\nFrom: ");
  address(out, m->fromName, m->fromAddr);
  campBufPuts(out, "\r\nTo: ");
  address(out, m->toName, m->toAddr);
  campBufPuts(out, "\r\nSubject: ");
  headerText(out, m->subject ? m->subject : "");
  campBufPuts(out, "\r\nMIME-Version: 1.0\r\n");
  if (m->unsubscribeUrl) {
    campBufPuts(out, "List-Unsubscribe: <");
    for (const char *p = m->unsubscribeUrl; *p; p++) if (*p != '\r' && *p != '\n' && *p != '>') campBufPut(out, p, 1);
    campBufPuts(out, ">\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
  }
  if (m->campaignCode) { campBufPuts(out, "X-Camp-Campaign: "); headerText(out, m->campaignCode); campBufPuts(out, "\r\n"); }
  const char *boundary = "=_camp_alt_7f3a9c";   /* "=_" cannot occur in quoted-printable */
  campBufPrintf(out, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", boundary);
  campBufPrintf(out, "This is a multi-part message in MIME format.\r\n\r\n--%s\r\n", boundary);
  campBufPuts(out, "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n");
  char *derived = NULL;
  if (!m->text || !*m->text) derived = textFromHtml(m->html ? m->html : "");
  quotedPrintable(out, derived ? derived : m->text ? m->text : "");
  free(derived);
  campBufPrintf(out, "\r\n--%s\r\n", boundary);
  campBufPuts(out, "Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n");
  quotedPrintable(out, m->html ? m->html : "");
  campBufPrintf(out, "\r\n--%s--\r\n", boundary);
  return out->oom ? -1 : 0;
}
