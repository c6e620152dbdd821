/*
** runtime/chan_http.c -- the http(s):// SMS carrier and JSON POSTs
** (libcurl).
**
** Owns: sending each SMS of a batch as one JSON POST to a gateway,
**   {"to": "+33…", "text": "…", "message_id": "t12.…@camp", "campaign": "…"}
** with Content-Type: application/json and, when $CAMP_SMS_AUTH is set, that
** value as the Authorization header -- N requests at once on one multi
** handle whose connections stay open between batches; and the webhook
** carrier (campChanHttpPostHooks): the POSTs of one trace's webhook()
** actions, one by one, for the scheduler after its commit.  A 2xx is sent; a 429, a
** 5xx, a timeout or a lost connection is retried later; any other answer is
** an error with the gateway's words (status and the start of its body).
** Does not own: the text (the scheduler renders it, links already tracked),
** nor a webhook's body (runtime/actions.c builds it).
*/
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/message.h"

#define HTTP_DEFAULT_CONNECTIONS 4
#define HTTP_CONNECT_TIMEOUT_MS 10000L
#define HTTP_TIMEOUT_MS 30000L
#define HOOK_TIMEOUT_MS 10000L

/* One request slot: an easy handle, the body it posts, what came back. */
typedef struct Slot {
  CURL *h;
  int msg;                  /* index in the batch, -1 when idle */
  char *body;               /* the JSON posted */
  char answer[201];         /* the start of the gateway's answer */
  size_t nanswer;
  char errbuf[CURL_ERROR_SIZE];
} Slot;

typedef struct HttpChan {
  Channel base;
  char *url;
  CURLM *multi;
  Slot *slot;
  int nslot;
  struct curl_slist *headers;
} HttpChan;

static size_t keepAnswer(char *p, size_t size, size_t n, void *arg) {
  Slot *s = arg;
  size_t len = size * n, room = sizeof s->answer - 1 - s->nanswer;
  size_t k = len < room ? len : room;
  memcpy(s->answer + s->nanswer, p, k);
  s->nanswer += k;
  s->answer[s->nanswer] = 0;
  return len;
}

/* The answer as one line: control characters become spaces. */
static const char *oneLine(char *s) {
  for (char *p = s; *p; p++) if ((unsigned char)*p < 0x20) *p = ' ';
  return s;
}

/* What became of a finished request. */
static SendResult classify(CURL *h, CURLcode r, Slot *s, char *why, size_t whySize) {
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (r != CURLE_OK) {
    snprintf(why, whySize, "%s: %.200s", r == CURLE_OPERATION_TIMEDOUT ? "timed out" : "request failed",
             s->errbuf[0] ? s->errbuf : curl_easy_strerror(r));
    return SEND_RETRY;
  }
  if (status >= 200 && status < 300) { why[0] = 0; return SEND_OK; }
  snprintf(why, whySize, "HTTP %ld: %s", status, oneLine(s->answer));
  return status == 429 || status >= 500 ? SEND_RETRY : SEND_FAIL;
}

static void prepare(CURL *h, Slot *s, const char *url, struct curl_slist *headers, long timeoutMs) {
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, s->body);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keepAnswer);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, s->errbuf);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeoutMs < HTTP_CONNECT_TIMEOUT_MS ? timeoutMs : HTTP_CONNECT_TIMEOUT_MS);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeoutMs);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  s->nanswer = 0;
  s->answer[0] = 0;
  s->errbuf[0] = 0;
}

static struct curl_slist *jsonHeaders(const char *auth) {
  struct curl_slist *l = curl_slist_append(NULL, "Content-Type: application/json");
  l = curl_slist_append(l, "Expect:");                  /* no 100-continue round trip */
  if (auth && *auth && !strpbrk(auth, "\r\n")) {
    char line[1024];
    snprintf(line, sizeof line, "Authorization: %s", auth);
    l = curl_slist_append(l, line);
  }
  return l;
}

/* POST json to url with an optional Authorization header value and a
** timeout: SEND_OK on 2xx, SEND_RETRY on timeouts, dropped connections,
** 429 and 5xx, SEND_FAIL on other answers; why gets the status and the
** start of the answer. */
static SendResult postJson(const char *url, const char *json, const char *authHeader, long timeoutMs, char *why, size_t whySize) {
  campChanCurlInit();
  Slot s = { .body = (char *)json };
  CURL *h = curl_easy_init();
  struct curl_slist *headers = jsonHeaders(authHeader);
  if (!h || !headers) { curl_easy_cleanup(h); curl_slist_free_all(headers); snprintf(why, whySize, "out of memory"); return SEND_RETRY; }
  prepare(h, &s, url, headers, timeoutMs > 0 ? timeoutMs : HTTP_TIMEOUT_MS);
  SendResult r = classify(h, curl_easy_perform(h), &s, why, whySize);
  curl_easy_cleanup(h);
  curl_slist_free_all(headers);
  return r;
}

/* -- the webhook carrier ------------------------------------------------------ */

void campChanHttpPostHooks(const char *const *url, const char *const *body, int n, volatile sig_atomic_t *stop,
                           SendStatus *status) {
  status->result = SEND_OK;
  status->why[0] = 0;
  for (int i = 0; i < n && status->result == SEND_OK; i++) {
    char why[200] = "";
    if (stop && *stop) {
      status->result = SEND_UNSENT;
      snprintf(status->why, sizeof status->why, "not started: the run is stopping");
      break;
    }
    status->result = postJson(url[i], body[i], getenv("CAMP_WEBHOOK_AUTH"), HOOK_TIMEOUT_MS, why, sizeof why);
    if (status->result != SEND_OK) snprintf(status->why, sizeof status->why, "webhook %.40s: %s", url[i], why);
  }
}

/* -- the SMS channel ------------------------------------------------------------ */

static char *smsJson(const Message *m) {
  json_t *o = json_pack("{s:s,s:s,s:s}", "to", m->toAddr, "text", m->text ? m->text : "", "message_id", m->messageId);
  if (o && m->campaignCode) json_object_set_new(o, "campaign", json_string(m->campaignCode));
  char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  json_decref(o);
  return s;
}

static void httpSend(Channel *ch, const Message *m, int n, SendStatus *status) {
  HttpChan *c = (HttpChan *)ch;
  int next = 0, running = 0, left = n;
  while (left > 0) {
    for (int k = 0; k < c->nslot && next < n; k++) {     /* idle slots take the next messages */
      Slot *s = &c->slot[k];
      if (s->msg >= 0) continue;
      if (campChanStopping(ch)) {
        status[next].result = SEND_UNSENT;
        snprintf(status[next].why, sizeof status[next].why, "not started: the run is stopping");
        campChanSettled(ch, next++);
        left--;
        continue;
      }
      free(s->body);
      s->body = smsJson(&m[next]);
      if (!s->body) { status[next].result = SEND_RETRY; snprintf(status[next].why, sizeof status[next].why, "out of memory"); campChanSettled(ch, next++); left--; continue; }
      prepare(s->h, s, c->url, c->headers, HTTP_TIMEOUT_MS);
      s->msg = next++;
      curl_multi_add_handle(c->multi, s->h);
    }
    curl_multi_perform(c->multi, &running);
    CURLMsg *done;
    int q;
    while ((done = curl_multi_info_read(c->multi, &q))) {
      if (done->msg != CURLMSG_DONE) continue;
      Slot *s = NULL;
      for (int k = 0; k < c->nslot && !s; k++) if (c->slot[k].h == done->easy_handle) s = &c->slot[k];
      if (!s || s->msg < 0) continue;
      SendStatus *st = &status[s->msg];
      st->result = classify(s->h, done->data.result, s, st->why, sizeof st->why);
      if (st->result == SEND_OK) ch->sent++;
      campChanSettled(ch, s->msg);
      curl_multi_remove_handle(c->multi, s->h);
      s->msg = -1;
      left--;
    }
    if (left > 0 && running) curl_multi_poll(c->multi, NULL, 0, 1000, NULL);
  }
}

static void httpClose(Channel *ch) {
  HttpChan *c = (HttpChan *)ch;
  for (int k = 0; k < c->nslot; k++) { curl_easy_cleanup(c->slot[k].h); free(c->slot[k].body); }
  curl_multi_cleanup(c->multi);
  curl_slist_free_all(c->headers);
  free(c->slot);
  free(c->url);
  free(c);
}

Channel *campChanHttpOpen(const char *url, int connections, char *err, size_t errSize) {
  campChanCurlInit();
  if (strpbrk(url, "\r\n ") || strchr(url, '@')) {
    snprintf(err, errSize, "'%s': not a gateway URL (credentials go in $CAMP_SMS_AUTH, not the URL)", url);
    return NULL;
  }
  HttpChan *c = calloc(1, sizeof *c);
  int n = connections > 0 ? connections : HTTP_DEFAULT_CONNECTIONS;
  if (!c || !(c->slot = calloc((size_t)n, sizeof *c->slot)) || !(c->url = strdup(url)) || !(c->multi = curl_multi_init()) ||
      !(c->headers = jsonHeaders(getenv("CAMP_SMS_AUTH")))) {
    if (c) { free(c->slot); free(c->url); curl_multi_cleanup(c->multi); free(c); }
    snprintf(err, errSize, "out of memory");
    return NULL;
  }
  c->nslot = n;
  for (int k = 0; k < n; k++) {
    c->slot[k].msg = -1;
    if (!(c->slot[k].h = curl_easy_init())) { c->nslot = k; httpClose(&c->base); snprintf(err, errSize, "out of memory"); return NULL; }
  }
  curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)n);
  c->base.kind = "http";
  c->base.send = httpSend;
  c->base.close = httpClose;
  return &c->base;
}
