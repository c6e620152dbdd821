/*
** tests/unit/test_message.c -- composing emails and tracking links.
*/
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "runtime/message.h"
#include "test.h"

/* the caller's numbering: distinct URLs in order of first appearance */
static int links;
static const char *seen[8];
static size_t seenLen[8];
static char copies[8][256];
static uint32_t onLink(void *ctx, const char *url, size_t n) {
  (void)ctx;
  for (int i = 0; i < links; i++) if (seenLen[i] == n && !memcmp(seen[i], url, n)) return (uint32_t)i;
  if (links == 8 || n >= sizeof copies[0]) return UINT32_MAX;
  memcpy(copies[links], url, n);              /* the tracker may pass a URL it built: keep a copy */
  copies[links][n] = 0;
  seen[links] = copies[links];
  seenLen[links] = n;
  return (uint32_t)links++;
}

/* Was a link with this exact target registered? */
static int registered(const char *url) {
  for (int i = 0; i < links; i++) if (!strcmp(copies[i], url)) return 1;
  return 0;
}

/* The header block of a composed message is well formed: every line ends in
** CRLF, holds no other control character and at most `limit` characters;
** returns the number of lines that break a rule, or -1 without a header
** block.  *bcc counts lines that start a Bcc header. */
static int badHeaderLines(const char *msg, size_t limit, int *bcc) {
  const char *end = strstr(msg, "\r\n\r\n");
  if (!end) return -1;
  int bad = 0;
  *bcc = 0;
  for (const char *p = msg; p <= end;) {
    const char *eol = strstr(p, "\r\n");
    size_t n = (size_t)(eol - p);
    if (n > limit) bad++;
    for (const char *q = p; q < eol; q++) if ((unsigned char)*q < 0x20 || *q == 0x7f) { bad++; break; }
    if (!strncasecmp(p, "Bcc:", 4)) (*bcc)++;
    p = eol + 2;
  }
  return bad;
}

/* The value of header `name` with its folds undone (CRLF before a space
** removed), in a malloc'd string; NULL when absent. */
static char *unfolded(const char *msg, const char *name) {
  size_t nl = strlen(name);
  const char *p = msg;
  while (p && strncmp(p, name, nl)) { p = strstr(p, "\r\n"); if (p) p += 2; }
  if (!p) return NULL;
  p += nl;
  char *out = malloc(strlen(p) + 1), *o = out;
  for (; *p; p++) {
    if (p[0] == '\r' && p[1] == '\n') { if (p[2] != ' ' && p[2] != '\t') break; p++; continue; }
    *o++ = *p;
  }
  *o = 0;
  return out;
}

int main(void) {
  Buf b = { 0 };
  Message m = {
    .messageId = "t42.abc@camp.test", .fromName = "Camp Team", .fromAddr = "team@example.com",
    .toName = "Zoë \"Z\"\r\nBcc: evil@x.com", .toAddr = "zoe@example.com\r\nBcc: evil@x.com",
    .subject = "Hello Zoë\r\nBcc: evil@example.com", .html = "<p>Hi <b>Zoë</b></p>", .text = NULL,
    .unsubscribeUrl = "https://t.example/u/TOKEN", .date = 1767225600,
  };
  CHECK_EQ_INT(campMessageCompose(&m, &b), 0);
  /* no header injection: no line starts with Bcc */
  CHECK(strstr(b.p, "\r\nBcc:") == NULL);
  CHECK(strstr(b.p, "\nBcc:") == NULL);
  CHECK(strstr(b.p, "Subject: =?UTF-8?Q?Hello_Zo=C3=AB__Bcc:_evil@example.com?=\r\n") != NULL);
  CHECK(strstr(b.p, "Message-ID: <t42.abc@camp.test>\r\n") != NULL);
  CHECK(strstr(b.p, "Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n") != NULL);
  CHECK(strstr(b.p, "List-Unsubscribe: <https://t.example/u/TOKEN>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n") != NULL);
  CHECK(strstr(b.p, "multipart/alternative") != NULL);
  CHECK(strstr(b.p, "Content-Type: text/plain; charset=UTF-8") != NULL);
  CHECK(strstr(b.p, "Hi Zo=C3=AB") != NULL);             /* text part derived from the HTML */
  CHECK(strstr(b.p, "<p>Hi <b>Zo=C3=AB</b></p>") != NULL);
  campBufFree(&b);


  /* headers: control characters never reach a header line; long values
  ** fold into lines of at most 78; a value past the limit is refused */
  {
    int bcc = 0;
    Buf h = { 0 };
    Message x = m;
    x.html = "<p>x</p>";
    x.subject = "Hi\r\nBcc: x@evil.example\x0b\x0c\x1b[31m\x7f end";
    x.toName = "Eve\nBcc: y@evil.example\tTab";
    x.fromName = "Camp\rBcc: z@evil.example";
    CHECK_EQ_INT(campMessageCompose(&x, &h), 0);
    CHECK_EQ_INT(badHeaderLines(h.p, 78, &bcc), 0);
    CHECK_EQ_INT(bcc, 0);
    campBufFree(&h);

    char words[2000] = "";
    for (int i = 0; i < 150; i++) strcat(words, i ? " word" : "word");
    x.subject = words;
    x.toName = words;
    CHECK_EQ_INT(campMessageCompose(&x, &h), 0);
    CHECK_EQ_INT(badHeaderLines(h.p, 78, &bcc), 0);
    char *subj = unfolded(h.p, "Subject: ");
    CHECK_EQ_STR(subj, words);                     /* plain ASCII: folded at its spaces, nothing lost */
    free(subj);
    campBufFree(&h);

    char utf[3000] = "";
    for (int i = 0; i < 300; i++) strcat(utf, "\xc3\xa9");        /* é, no spaces */
    x.subject = utf;
    x.toName = utf;
    CHECK_EQ_INT(campMessageCompose(&x, &h), 0);
    CHECK_EQ_INT(badHeaderLines(h.p, 78, &bcc), 0);
    subj = unfolded(h.p, "Subject: ");
    CHECK(subj && !strncmp(subj, "=?UTF-8?Q?=C3=A9", 16) && !strstr(subj, "=C3?=") && !strstr(subj, "?= =?UTF-8?Q?=A9"));
    free(subj);
    campBufFree(&h);

    size_t big = 10u << 20;                        /* a 10 MB subject */
    char *huge = malloc(big + 1);
    memset(huge, 'a', big);
    huge[big] = 0;
    x.subject = huge;
    char why[200] = "";
    CHECK_EQ_INT(campMessageCheck(&x, why, sizeof why), -1);
    CHECK(strstr(why, "subject is 10485760 bytes") != NULL);
    CHECK_EQ_INT(campMessageCompose(&x, &h), -2);
    CHECK_EQ_INT(h.n, 0);
    huge[CAMP_HEADER_TEXT_MAX] = 0;                /* at the limit: folded, every line within 78 */
    CHECK_EQ_INT(campMessageCheck(&x, why, sizeof why), 0);
    CHECK_EQ_INT(campMessageCompose(&x, &h), 0);
    CHECK_EQ_INT(badHeaderLines(h.p, 78, &bcc), 0);
    campBufFree(&h);
    free(huge);
  }

  /* the derived plain part: no <title>, <style> or <script> text; link
  ** targets after the link text */
  Buf d = { 0 };
  m.html = "<html><head><title>Secret Title</title><style>p{color:red}</style></head>"
           "<body><p>Read <a href=\"https://x.example/a\">this</a></p><script>var z=1;</script><p>Bye</p></body></html>";
  CHECK_EQ_INT(campMessageCompose(&m, &d), 0);
  const char *plain = strstr(d.p, "quoted-printable\r\n\r\n");
  const char *htmlPart = plain ? strstr(plain + 1, "quoted-printable\r\n\r\n") : NULL;
  CHECK(plain && htmlPart);
  if (plain && htmlPart) {
    char text[512];
    snprintf(text, sizeof text, "%.*s", (int)(htmlPart - plain), plain);
    CHECK(strstr(text, "Secret Title") == NULL);
    CHECK(strstr(text, "color") == NULL);
    CHECK(strstr(text, "var z") == NULL);
    CHECK(strstr(text, "Read this (https://x.example/a)\r\nBye") != NULL);
  }
  campBufFree(&d);

  /* tokens: round trip, and every single-character change is rejected */
  char tok[64];
  int64_t trace;
  uint32_t link;
  campTrackToken("s3cret", 'r', 123456789, 7, tok);
  CHECK_EQ_INT(campTrackVerify("s3cret", 'r', tok, &trace, &link), 0);
  CHECK_EQ_INT(trace, 123456789);
  CHECK_EQ_INT(link, 7);
  CHECK_EQ_INT(campTrackVerify("other", 'r', tok, &trace, &link), -1);
  CHECK_EQ_INT(campTrackVerify("s3cret", 'o', tok, &trace, &link), -1);
  int forged = 0;
  for (size_t i = 0; i < strlen(tok); i++) {
    char t2[64];
    strcpy(t2, tok);
    t2[i] = t2[i] == 'A' ? 'B' : 'A';
    forged += campTrackVerify("s3cret", 'r', t2, &trace, &link) == 0;
  }
  CHECK_EQ_INT(forged, 0);
  CHECK_EQ_INT(campTrackVerify("s3cret", 'r', "", &trace, &link), -1);
  /* the MAC in a token is HMAC-SHA256 as OpenSSL's HMAC() computes it, for
  ** short keys and for keys longer than SHA-256's block (hashed first) */
  const char *keys[] = { "s3cret", "k", "a secret longer than sixty-four bytes, which HMAC hashes before it is used" };
  for (int k = 0; k < 3; k++) {
    uint8_t payload[13] = { 'r' }, want[32];
    unsigned wantLen = 0;
    for (int i = 0; i < 8; i++) payload[1 + i] = (uint8_t)(123456789ull >> (8 * i));
    payload[9] = 7;
    HMAC(EVP_sha256(), keys[k], (int)strlen(keys[k]), payload, sizeof payload, want, &wantLen);
    static const char a64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    uint8_t raw[24];
    memcpy(raw, payload + 1, 12);
    memcpy(raw + 12, want, 12);
    char expect[64];
    size_t o = 0;
    for (int i = 0; i < 24; i += 3) {
      uint32_t v = (uint32_t)raw[i] << 16 | (uint32_t)raw[i + 1] << 8 | raw[i + 2];
      for (int j = 3; j >= 0; j--) expect[o++] = a64[v >> (6 * j) & 63];
    }
    expect[o] = 0;
    campTrackToken(keys[k], 'r', 123456789, 7, tok);
    CHECK_EQ_STR(tok, expect);
  }
  CHECK_EQ_INT(campTrackVerify("s3cret", 'r', "!!!!", &trace, &link), -1);

  /* link rewriting: two distinct links, one repeated, mailto untouched, pixel added */
  const char *html = "<body><a href=\"https://a.example/x?y=1\">a</a> <a href='mailto:z@x'>m</a>"
                     "<a href=\"https://b.example/\">b</a><a href=\"https://a.example/x?y=1\">again</a></body>";
  CHECK_EQ_INT(campTrackHtml(html, "https://t.example", "s3cret", 5, onLink, NULL, &b), 0);
  CHECK_EQ_INT(links, 2);
  CHECK(strstr(b.p, "a.example") == NULL);
  CHECK(strstr(b.p, "href='mailto:z@x'") != NULL);
  CHECK(strstr(b.p, "https://t.example/o/") != NULL);
  CHECK(strstr(b.p, "<img") < strstr(b.p, "</body>"));
  campBufFree(&b);
  links = 0;
  CHECK_EQ_INT(campTrackText("Go https://s.example/a. Or http://s.example/b", "https://t.example", "k", 9, onLink, NULL, &b), 0);
  CHECK_EQ_INT(links, 2);
  CHECK(strstr(b.p, "s.example") == NULL);
  CHECK(strstr(b.p, ". Or https://t.example/r/") != NULL);
  campBufFree(&b);

  /* links inside values (between the VM's value marks) are never tracked;
  ** a link whose scheme or host comes from a value is not either; the
  ** author's link with a value in its path is, with the value in its
  ** target; character references are decoded in the target; the marks
  ** never reach the output */
  links = 0;
  const char *marked =
    "<body><p>\xfe<a href=\"https://evil.example/in-value\">x</a> href=https://evil.example/bare\xff</p>"
    "<a href=\"\xfehttps://evil.example/whole\xff\">w</a>"
    "<a href=\"https://\xfe" "evil.example\xff/host\">h</a>"
    "<a href=\"https://shop.example\xfe.evil.example\xff/suffix\">s</a>"
    "<a href=\"https://shop.example/p/\xfe" "7\xff?a=1&amp;b=&#39;x&#39;\">p</a>"
    "\xfe</body>\xff<a href=https://shop.example/u/\xfe" "8\xff>u</a></body>";
  CHECK_EQ_INT(campTrackHtml(marked, "https://t.example", "s3cret", 5, onLink, NULL, &b), 0);
  CHECK_EQ_INT(links, 2);
  CHECK(registered("https://shop.example/p/7?a=1&b='x'"));
  CHECK(registered("https://shop.example/u/8"));
  for (int i = 0; i < links; i++) CHECK(strstr(copies[i], "evil") == NULL);
  CHECK(strstr(b.p, "<a href=\"https://evil.example/in-value\">x</a> href=https://evil.example/bare</p>") != NULL);
  CHECK(strstr(b.p, "href=\"https://evil.example/whole\"") != NULL);
  CHECK(strstr(b.p, "href=\"https://evil.example/host\"") != NULL);
  CHECK(strstr(b.p, "href=\"https://shop.example.evil.example/suffix\"") != NULL);
  CHECK(strchr(b.p, '\xfe') == NULL && strchr(b.p, '\xff') == NULL);
  {
    const char *pix = strstr(b.p, "/o/"), *first = strstr(b.p, "</body>");
    CHECK(pix && first && pix > first);         /* a value's </body> is not where the pixel goes */
  }
  campBufFree(&b);
  links = 0;
  CHECK_EQ_INT(campTrackText("Hi \xfehttps://evil.example/z\xff, see https://shop.example/t/\xfe" "7\xff. Or https://\xfe" "evil.example\xff",
                             "https://t.example", "k", 9, onLink, NULL, &b), 0);
  CHECK_EQ_INT(links, 1);
  CHECK(registered("https://shop.example/t/7"));
  CHECK(strstr(b.p, "Hi https://evil.example/z, see https://t.example/r/") != NULL);
  CHECK(strstr(b.p, ". Or https://evil.example") != NULL);
  CHECK(strchr(b.p, '\xfe') == NULL && strchr(b.p, '\xff') == NULL);
  campBufFree(&b);

  /* the derived plain part decodes numeric references (&#10; is white
  ** space; &#0;, no character, is dropped) and named ones */
  {
    Buf d2 = { 0 };
    Message x = m;
    x.html = "<p>O&#39;Neil &#x27;&#233;&#10;&#0;</p><p>caf&eacute; &amp; th&eacute;</p>";
    x.text = NULL;
    CHECK_EQ_INT(campMessageCompose(&x, &d2), 0);
    CHECK(strstr(d2.p, "quoted-printable\r\n\r\nO'Neil '=C3=A9\r\ncaf=C3=A9 & th=C3=A9\r\n\r\n--") != NULL);
    campBufFree(&d2);
  }
  return TEST_END();
}
