/*
** runtime/message.c -- composing an email: RFC 5322 headers, MIME
** multipart/alternative, quoted-printable UTF-8, RFC 2047 encoded words.
**
** Owns: the bytes of a message.  Header values are sanitised here, once:
** control characters (CR and LF among them) become spaces, so no record
** value can inject a header; long values are folded into lines of at most
** 78 characters, and a value past CAMP_HEADER_*_MAX is refused.
** Does not own: the plain part derived from the HTML (compose.c), tracking
** (track.c) or delivery (chan_*.c).
*/
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "runtime/compose.h"
#include "runtime/message.h"

/* -- headers ----------------------------------------------------------------
**
** A header is written through a Hdr, which knows the column of the line it
** is on.  Every value goes through hdrByte: a control character (CR, LF,
** TAB, any other C0 byte, DEL) becomes a space, so no value can end a
** header line.  Lines are folded (CRLF + space) to stay within 78
** characters: plain ASCII text at its spaces, anything else as RFC 2047
** encoded words of at most 75 characters, split on UTF-8 boundaries.  A
** value too long to be a header at all is refused before anything is
** written (campMessageCheck). */

#define LINE_SOFT 78                  /* RFC 5322 2.1.1: SHOULD */
#define WORD_MAX 75                   /* RFC 2047 2: an encoded word */
#define PLAIN_RUN_MAX 60              /* a longer word (or run of spaces) is encoded: it could not fold */

typedef struct Hdr { Buf *b; size_t col; } Hdr;

static unsigned char hdrByte(unsigned char c) { return c < 0x20 || c == 0x7f ? ' ' : c; }

static void hdrPut(Hdr *h, const char *s, size_t n) { campBufPut(h->b, s, n); h->col += n; }
static void hdrPuts(Hdr *h, const char *s) { hdrPut(h, s, strlen(s)); }
static void hdrFold(Hdr *h) { campBufPuts(h->b, "\r\n "); h->col = 1; }

/* Start header `name`: "Name: " at the beginning of a line. */
static void hdrStart(Hdr *h, const char *name) {
  h->col = 0;
  hdrPuts(h, name);
  hdrPuts(h, ": ");
}

static void hdrEnd(Hdr *h) { campBufPuts(h->b, "\r\n"); h->col = 0; }

/* Plain: printable ASCII without '=' or '?' (which could read as an
** encoded word) and no word too long to fold. */
static int plainHeader(const char *s) {
  size_t run = 0;
  for (unsigned char prev = 0; *s; s++) {
    unsigned char c = hdrByte((unsigned char)*s);
    if (c >= 0x7f || c == '=' || c == '?') return 0;
    run = (c == ' ') == (prev == ' ') ? run + 1 : 1;     /* a word, or a run of spaces */
    if (run > PLAIN_RUN_MAX) return 0;
    prev = c;
  }
  return 1;
}

/* Plain text, folded before a space when the next word would pass the
** soft limit. */
static void plainWords(Hdr *h, const char *s) {
  while (*s) {
    size_t sp = 0, w = 0;
    while (s[sp] && hdrByte((unsigned char)s[sp]) == ' ') sp++;
    while (s[sp + w] && hdrByte((unsigned char)s[sp + w]) != ' ') w++;
    if (sp && w && h->col + sp + w > LINE_SOFT) { hdrFold(h); sp--; s++; }   /* the fold's space is one of them */
    for (size_t i = 0; i < sp; i++) hdrPut(h, " ", 1);
    hdrPut(h, s + sp, w);
    s += sp + w;
  }
}

/* Length of the UTF-8 sequence starting with byte c (1 for a stray byte). */
static size_t seqLen(unsigned char c) { return c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1; }

/* RFC 2047 Q-encoded words.  In a phrase (the name of an address) an
** encoded word may hold only letters, digits and "!*+-/" unencoded (RFC
** 2047 5(3)): a raw ',', '@' or ':' there would let a strict parser read
** the name as more addresses or a group.  Each word holds whole UTF-8
** sequences and fits its line. */
static void encodedWords(Hdr *h, const char *s, int phrase) {
  const unsigned char *p = (const unsigned char *)s;
  int first = 1;
  while (*p) {
    if (!first) hdrFold(h);
    if (h->col + 24 > LINE_SOFT && h->col > 1) hdrFold(h);
    size_t budget = WORD_MAX - 12, room = LINE_SOFT - 12 - h->col;     /* 12: "=?UTF-8?Q?" and "?=" */
    if (room < budget) budget = room;
    size_t used = 0;
    hdrPuts(h, "=?UTF-8?Q?");
    while (*p) {
      size_t n = seqLen(*p), need = 0;
      for (size_t i = 0; i < n; i++) if (!p[i]) n = i;
      if (!n) break;
      for (size_t i = 0; i < n; i++) {
        unsigned char c = hdrByte(p[i]);
        need += c == ' ' || !(c >= 0x7f || c < 0x20 || c == '=' || c == '?' || c == '_' || c == '"' ||
                              (phrase && !(isalnum(c) || strchr("!*+-/", c)))) ? 1 : 3;
      }
      if (used && used + need > budget) break;
      for (size_t i = 0; i < n; i++) {
        unsigned char c = hdrByte(p[i]);
        char enc[4];
        if (c == ' ') hdrPut(h, "_", 1);
        else if (c >= 0x7f || c == '=' || c == '?' || c == '_' || c == '"' || (phrase && !(isalnum(c) || strchr("!*+-/", c)))) {
          snprintf(enc, sizeof enc, "=%02X", c);
          hdrPut(h, enc, 3);
        } else hdrPut(h, (const char *)&c, 1);
      }
      used += need;
      p += n;
    }
    hdrPuts(h, "?=");
    first = 0;
  }
}

/* An unstructured header value (Subject, X-Camp-Campaign, Message-ID). */
static void headerText(Hdr *h, const char *s) {
  if (plainHeader(s)) plainWords(h, s);
  else encodedWords(h, s, 0);
}

/* An address header: "Name <addr>" with the name quoted or encoded and the
** address stripped of anything that could break the header. */
static void address(Hdr *h, const char *name, const char *addr) {
  if (name && *name) {
    int quoted = 1;
    size_t n = 0;
    for (const char *p = name; *p; p++, n++) if ((unsigned char)*p >= 0x7f || *p == '=' || *p == '?') quoted = 0;
    if (quoted && h->col + n + 3 <= LINE_SOFT) {
      hdrPut(h, "\"", 1);
      for (const char *p = name; *p; p++) {
        char c = (char)hdrByte((unsigned char)*p);
        if (c == '"' || c == '\\') hdrPut(h, "\\", 1);
        hdrPut(h, &c, 1);
      }
      hdrPut(h, "\"", 1);
    } else encodedWords(h, name, 1);
    size_t alen = strlen(addr);
    if (h->col + 3 + alen > LINE_SOFT) hdrFold(h);
    else hdrPut(h, " ", 1);
  }
  hdrPut(h, "<", 1);
  for (const char *p = addr; *p; p++)
    if ((unsigned char)*p > 0x20 && *p != 0x7f && *p != '<' && *p != '>' && *p != ',') hdrPut(h, p, 1);
  hdrPut(h, ">", 1);
}

/* An id or URL in angle brackets (Message-ID, List-Unsubscribe): spaces,
** controls and '>' dropped. */
static void angleUrl(Hdr *h, const char *url) {
  hdrPut(h, "<", 1);
  for (const char *p = url; *p; p++)
    if ((unsigned char)*p > 0x20 && *p != 0x7f && *p != '>') hdrPut(h, p, 1);
  hdrPut(h, ">", 1);
}

static int tooLong(const char *what, const char *v, size_t max, char *why, size_t whySize) {
  size_t n = v ? strlen(v) : 0;
  if (n <= max) return 0;
  snprintf(why, whySize, "the %s is %zu bytes: a header holds at most %zu (RFC 5322 limits a line to 998)", what, n, max);
  return 1;
}

int campMessageCheck(const Message *m, char *why, size_t whySize) {
  if (tooLong("subject", m->subject, CAMP_HEADER_TEXT_MAX, why, whySize) ||
      tooLong("sender name", m->fromName, CAMP_HEADER_TEXT_MAX, why, whySize) ||
      tooLong("recipient name", m->toName, CAMP_HEADER_TEXT_MAX, why, whySize) ||
      tooLong("campaign code", m->campaignCode, CAMP_HEADER_TEXT_MAX, why, whySize) ||
      tooLong("sender address", m->fromAddr, CAMP_HEADER_ADDR_MAX, why, whySize) ||
      tooLong("recipient address", m->toAddr, CAMP_HEADER_ADDR_MAX, why, whySize) ||
      tooLong("Message-ID", m->messageId, CAMP_HEADER_ADDR_MAX, why, whySize) ||
      tooLong("unsubscribe URL", m->unsubscribeUrl, CAMP_HEADER_URL_MAX, why, whySize))
    return -1;
  return 0;
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

int campMessageCompose(const Message *m, Buf *out) {
  char date[64], why[160];
  if (campMessageCheck(m, why, sizeof why) < 0) return -2;
  time_t t = (time_t)m->date;
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  Hdr h = { out, 0 };
  hdrStart(&h, "Date"); hdrPuts(&h, date); hdrEnd(&h);
  hdrStart(&h, "Message-ID"); angleUrl(&h, m->messageId); hdrEnd(&h);
  hdrStart(&h, "From"); address(&h, m->fromName, m->fromAddr); hdrEnd(&h);
  hdrStart(&h, "To"); address(&h, m->toName, m->toAddr); hdrEnd(&h);
  hdrStart(&h, "Subject"); headerText(&h, m->subject ? m->subject : ""); hdrEnd(&h);
  campBufPuts(out, "MIME-Version: 1.0\r\n");
  if (m->unsubscribeUrl) {
    hdrStart(&h, "List-Unsubscribe"); angleUrl(&h, m->unsubscribeUrl); hdrEnd(&h);
    campBufPuts(out, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
  }
  if (m->campaignCode) { hdrStart(&h, "X-Camp-Campaign"); headerText(&h, m->campaignCode); hdrEnd(&h); }
  const char *boundary = "=_camp_alt_7f3a9c";   /* "=_" cannot occur in quoted-printable */
  campBufPrintf(out, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", boundary);
  campBufPrintf(out, "This is a multi-part message in MIME format.\r\n\r\n--%s\r\n", boundary);
  campBufPuts(out, "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n");
  char *derived = NULL;
  if (!m->text || !*m->text) derived = campComposeText(m->html ? m->html : "");   /* the plain part: compose.c */
  quotedPrintable(out, derived ? derived : m->text ? m->text : "");
  free(derived);
  campBufPrintf(out, "\r\n--%s\r\n", boundary);
  campBufPuts(out, "Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n");
  quotedPrintable(out, m->html ? m->html : "");
  campBufPrintf(out, "\r\n--%s--\r\n", boundary);
  return out->oom ? -1 : 0;
}
