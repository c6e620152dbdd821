/*
** runtime/ingest.c -- bounces, abuse reports and replies from received mail.
**
** Owns: reading a received message with GMime (MIME structure, folded
** headers, transfer encodings, Message-ID lists) and deciding what it says
** about a message camp sent:
**   - a delivery status notification (RFC 3464: multipart/report;
**     report-type=delivery-status): the original Message-ID comes from its
**     message/rfc822 or text/rfc822-headers part; a recipient Status 5.x.x
**     is a hard bounce, recorded; 4.x.x is a soft one (the relay is still
**     trying), counted only;
**   - an abuse report (RFC 5965 ARF: multipart/report;
**     report-type=feedback-report) of type abuse, fraud or virus: an
**     "abuse" event on the original message (its Message-ID as above);
**   - a reply: In-Reply-To, then References from the last to the first,
**     matched against what camp sent; Auto-Submitted answers (out of
**     office, vacation) are not replies;
**   - anything else is unmatched: counted and reported, never guessed.
** And fetching unread mail over IMAP with libcurl, marking what was read.
** Does not own: what an event changes (store_event.c).
*/
#include <curl/curl.h>
#include <gmime/gmime.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "runtime/ingest.h"
#include "runtime/message.h"
#include "runtime/sched.h"

static void initOnce(void) {
  static int done;
  if (!done) { g_mime_init(); done = 1; }
}

/* What the parts of a report say. */
typedef struct Report {
  GString *status;          /* the message/delivery-status part, decoded */
  GString *feedback;        /* the message/feedback-report part (ARF), decoded */
  char *original;           /* the original Message-ID (malloc'd), or NULL */
} Report;

/* The decoded content of a leaf part. */
static GString *partText(GMimePart *part) {
  GMimeDataWrapper *w = g_mime_part_get_content(part);
  GString *s = g_string_new(NULL);
  if (!w) return s;
  GMimeStream *mem = g_mime_stream_mem_new();
  g_mime_data_wrapper_write_to_stream(w, mem);
  GByteArray *bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
  g_string_append_len(s, (const char *)bytes->data, (gssize)bytes->len);
  g_object_unref(mem);
  return s;
}

/* The value of header `name` in a header block (folded lines joined), or
** NULL; malloc'd. */
static char *headerIn(const char *block, const char *name) {
  size_t n = strlen(name);
  for (const char *p = block; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
    if (strncasecmp(p, name, n) || p[n] != ':') continue;
    GString *v = g_string_new(NULL);
    const char *q = p + n + 1;
    for (;;) {
      const char *end = strchr(q, '\n');
      size_t len = end ? (size_t)(end - q) : strlen(q);
      g_string_append_len(v, q, (gssize)len);
      if (!end || (end[1] != ' ' && end[1] != '\t')) break;      /* not folded: done */
      q = end + 1;
    }
    char *out = strdup(g_strstrip(v->str));
    g_string_free(v, TRUE);
    return out;
  }
  return NULL;
}

/* A Message-ID without its angle brackets; malloc'd. */
static char *bareId(const char *v) {
  const char *lt = strchr(v, '<'), *gt = lt ? strchr(lt, '>') : NULL;
  if (lt && gt) return strndup(lt + 1, (size_t)(gt - lt - 1));
  return strndup(v, strcspn(v, " \t\r\n"));
}

static void reportPart(GMimeObject *parent, GMimeObject *part, gpointer data) {
  (void)parent;
  Report *r = data;
  GMimeContentType *ct = g_mime_object_get_content_type(part);
  if (GMIME_IS_MESSAGE_PART(part) && !r->original) {
    GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(part));
    const char *id = inner ? g_mime_message_get_message_id(inner) : NULL;
    if (id) r->original = strdup(id);
  } else if (GMIME_IS_PART(part) && g_mime_content_type_is_type(ct, "message", "delivery-status") && !r->status) {
    r->status = partText(GMIME_PART(part));
  } else if (GMIME_IS_PART(part) && g_mime_content_type_is_type(ct, "message", "feedback-report") && !r->feedback) {
    r->feedback = partText(GMIME_PART(part));
  } else if (GMIME_IS_PART(part) && g_mime_content_type_is_type(ct, "text", "rfc822-headers") && !r->original) {
    GString *h = partText(GMIME_PART(part));
    char *v = headerIn(h->str, "Message-ID");
    if (v) { r->original = bareId(v); free(v); }
    g_string_free(h, TRUE);
  }
}

/* The worst recipient Status of a delivery-status part: 5 (permanent), 4
** (transient), or 0 when none is given. */
static int worstStatus(const char *fields, char *status, size_t size) {
  int worst = 0;
  for (const char *p = fields; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
    if (strncasecmp(p, "Status:", 7)) continue;
    const char *v = p + 7;
    while (*v == ' ' || *v == '\t') v++;
    int cls = (*v == '5' || *v == '4' || *v == '2') && v[1] == '.' ? *v - '0' : 0;
    if (cls > worst || (cls && !worst)) {
      worst = cls;
      snprintf(status, size, "%.*s", (int)strcspn(v, " \t\r\n;"), v);
    }
  }
  return worst == 2 ? 0 : worst;
}

static void unmatched(FILE *report, const char *name, IngestStats *st, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void unmatched(FILE *report, const char *name, IngestStats *st, const char *fmt, ...) {
  st->unmatched++;
  if (!report) return;
  va_list ap;
  va_start(ap, fmt);
  fprintf(report, "%s: unmatched: ", name);
  vfprintf(report, fmt, ap);
  fputc('\n', report);
  va_end(ap);
}

/* An abuse report (RFC 5965 ARF: multipart/report; report-type=
** feedback-report): a Feedback-Type of abuse, fraud or virus on a message
** camp sent records an "abuse" event on it (a complaint: the address is
** suppressed); other types (not-spam, auth-failure, other) complain of
** nothing and are unmatched.  0, or -1 on a database error. */
static int feedbackReport(Engine *e, GMimeMessage *m, int64_t at, const char *name, FILE *report, IngestStats *st,
                          char *err, size_t errSize) {
  Report r = { 0 };
  g_mime_message_foreach(m, reportPart, &r);
  char *type = r.feedback ? headerIn(r.feedback->str, "Feedback-Type") : NULL;
  int rc = 0, complaint = type && (!strcasecmp(type, "abuse") || !strcasecmp(type, "fraud") || !strcasecmp(type, "virus"));
  if (!r.original) unmatched(report, name, st, "%s", "an abuse report without the original message's Message-ID");
  else if (!complaint) unmatched(report, name, st, "a feedback report of type '%s', not a complaint", type ? type : "(none)");
  else {
    int got = campSchedEvent(e, "abuse", r.original, at, NULL, err, errSize);
    if (got < 0) rc = -1;
    else if (got == 1) unmatched(report, name, st, "abuse report on '%s', which camp did not send", r.original);
    else st->abuse++;
  }
  free(type);
  if (r.status) g_string_free(r.status, TRUE);
  if (r.feedback) g_string_free(r.feedback, TRUE);
  free(r.original);
  return rc;
}

int campIngestMessage(Engine *e, const char *raw, size_t len, const char *name, FILE *report, IngestStats *st,
                      char *err, size_t errSize) {
  initOnce();
  st->read++;
  GMimeStream *stream = g_mime_stream_mem_new_with_buffer(raw, len);
  GMimeParser *parser = g_mime_parser_new_with_stream(stream);
  GMimeMessage *m = g_mime_parser_construct_message(parser, NULL);
  g_object_unref(parser);
  g_object_unref(stream);
  if (!m) { unmatched(report, name, st, "%s", "not a mail message"); return 0; }
  int64_t at = campEngineNow(e);
  GDateTime *date = g_mime_message_get_date(m);
  if (date && !campEngineIsSimulated(e)) at = (int64_t)g_date_time_to_unix(date);   /* a simulated clock keeps its own time */
  GMimeObject *top = g_mime_message_get_mime_part(m);
  GMimeContentType *ct = top ? g_mime_object_get_content_type(top) : NULL;
  const char *rt = ct ? g_mime_content_type_get_parameter(ct, "report-type") : NULL;
  int rc = 0;
  if (ct && g_mime_content_type_is_type(ct, "multipart", "report") && rt && !strcasecmp(rt, "feedback-report")) {
    rc = feedbackReport(e, m, at, name, report, st, err, errSize);
    g_object_unref(m);
    return rc;
  }
  if (ct && g_mime_content_type_is_type(ct, "multipart", "report") && rt && !strcasecmp(rt, "delivery-status")) {
    Report r = { 0 };
    g_mime_message_foreach(m, reportPart, &r);
    char status[32] = "";
    int cls = r.status ? worstStatus(r.status->str, status, sizeof status) : 0;
    if (!r.original) unmatched(report, name, st, "%s", "a delivery report without the original message's Message-ID");
    else if (cls == 4) st->soft++;
    else if (cls != 5) unmatched(report, name, st, "%s", "a delivery report without a failed recipient (no Status 4.x.x or 5.x.x)");
    else {
      int got = campSchedEvent(e, "bounce", r.original, at, NULL, err, errSize);
      if (got < 0) rc = -1;
      else if (got == 1) unmatched(report, name, st, "bounce of '%s', which camp did not send", r.original);
      else st->hard++;
    }
    if (r.status) g_string_free(r.status, TRUE);
    if (r.feedback) g_string_free(r.feedback, TRUE);
    free(r.original);
    g_object_unref(m);
    return rc;
  }
  const char *auto_ = g_mime_object_get_header(GMIME_OBJECT(m), "Auto-Submitted");
  const char *inReplyTo = g_mime_object_get_header(GMIME_OBJECT(m), "In-Reply-To");
  const char *refs = g_mime_object_get_header(GMIME_OBJECT(m), "References");
  if (auto_ && strncasecmp(auto_, "no", 2)) { st->autoReplies++; g_object_unref(m); return 0; }
  /* candidates: In-Reply-To, then References from the last */
  GMimeReferences *a = inReplyTo ? g_mime_references_parse(NULL, inReplyTo) : NULL;
  GMimeReferences *b = refs ? g_mime_references_parse(NULL, refs) : NULL;
  int found = 0, na = a ? g_mime_references_length(a) : 0, nb = b ? g_mime_references_length(b) : 0;
  for (int i = 0; i < na + nb && !found && rc == 0; i++) {
    const char *id = i < na ? g_mime_references_get_message_id(a, i) : g_mime_references_get_message_id(b, nb - 1 - (i - na));
    int got = campSchedEvent(e, "reply", id, at, NULL, err, errSize);
    if (got < 0) rc = -1;
    else if (got == 0) found = 1;
  }
  if (found) st->replies++;
  else if (rc == 0) unmatched(report, name, st, "%s", na + nb ? "replies to nothing camp sent" : "neither a delivery report nor a reply");
  if (a) g_mime_references_free(a);
  if (b) g_mime_references_free(b);
  g_object_unref(m);
  return rc;
}

/* -- IMAP -------------------------------------------------------------------- */

static size_t collect(char *p, size_t size, size_t n, void *arg) {
  g_string_append_len(arg, p, (gssize)(size * n));
  return size * n;
}

/* One IMAP request: url, and a command (NULL: fetch url).  The answer
** (untagged lines, or the message) goes to out.  cafile: a CA to trust
** besides the system's, or NULL. */
static int imap(const char *url, const char *command, const char *cafile, GString *out, char *err, size_t errSize) {
  CURL *h = curl_easy_init();
  if (!h) { snprintf(err, errSize, "out of memory"); return -1; }
  char errbuf[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(h, CURLOPT_URL, url);
  if (command) curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, command);
  if (getenv("CAMP_IMAP_USER")) curl_easy_setopt(h, CURLOPT_USERNAME, getenv("CAMP_IMAP_USER"));
  if (getenv("CAMP_IMAP_PASSWORD")) curl_easy_setopt(h, CURLOPT_PASSWORD, getenv("CAMP_IMAP_PASSWORD"));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "imap,imaps");
  if (cafile) curl_easy_setopt(h, CURLOPT_CAINFO, cafile);
  CURLcode r = curl_easy_perform(h);
  curl_easy_cleanup(h);
  if (r != CURLE_OK) { snprintf(err, errSize, "%s: %s", url, errbuf[0] ? errbuf : curl_easy_strerror(r)); return -1; }
  return 0;
}

int campIngestImap(Engine *e, const char *given, FILE *report, IngestStats *st, char *err, size_t errSize) {
  /* ?cafile=PATH is camp's (libcurl would read a query as SEARCH criteria) */
  char url[2048], cafile[1024] = "";
  snprintf(url, sizeof url, "%s", given);
  char *query = strchr(url, '?');
  if (query) {
    if (strncmp(query, "?cafile=", 8) || !query[8]) {
      snprintf(err, errSize, "'%s': the only option is ?cafile=PATH", given);
      return -1;
    }
    snprintf(cafile, sizeof cafile, "%s", query + 8);
    *query = 0;
  }
  const char *ca = cafile[0] ? cafile : NULL;
  if (strncmp(url, "imap://", 7) && strncmp(url, "imaps://", 8)) {
    snprintf(err, errSize, "'%s': give imap://HOST/MAILBOX or imaps://HOST/MAILBOX", url);
    return -1;
  }
  const char *host = strstr(url, "://") + 3;
  if (strchr(host, '@') || !strchr(host, '/') || !strchr(host, '/')[1]) {
    snprintf(err, errSize, "'%s': give the mailbox (imaps://HOST/INBOX); credentials go in CAMP_IMAP_USER and CAMP_IMAP_PASSWORD", url);
    return -1;
  }
  campChanCurlInit();
  GString *found = g_string_new(NULL);
  int rc = imap(url, "UID SEARCH UNSEEN", ca, found, err, errSize);
  const char *line = rc == 0 ? strstr(found->str, "* SEARCH") : NULL;
  char *p = line ? (char *)line + 8 : NULL;
  while (rc == 0 && p && *p && *p != '\r' && *p != '\n') {
    char *end;
    unsigned long uid = strtoul(p, &end, 10);
    if (end == p) break;
    p = end;
    char one[2100], name[64];
    snprintf(one, sizeof one, "%s;UID=%lu", url, uid);
    snprintf(name, sizeof name, "UID %lu", uid);
    GString *msg = g_string_new(NULL);
    if (imap(one, NULL, ca, msg, err, errSize) < 0 ||
        campIngestMessage(e, msg->str, msg->len, name, report, st, err, errSize) < 0) rc = -1;
    g_string_free(msg, TRUE);
    /* read: mark it, whether it matched or not (unmatched ones were reported) */
    GString *ign = g_string_new(NULL);
    char store[64];
    snprintf(store, sizeof store, "UID STORE %lu %cFLAGS (\\Seen)", uid, rc == 0 ? '+' : '-');
    char storeErr[256];
    if (imap(url, store, ca, ign, storeErr, sizeof storeErr) < 0 && rc == 0) { snprintf(err, errSize, "%s", storeErr); rc = -1; }
    g_string_free(ign, TRUE);
  }
  g_string_free(found, TRUE);
  return rc;
}
