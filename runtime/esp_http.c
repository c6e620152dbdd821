/*
** runtime/esp_http.c -- HTTP for the ESP drivers (libcurl + jansson).
**
** Owns: one reused curl easy handle per provider connection, HTTP Basic,
** JSON bodies in and out, multipart uploads, the retry policy of
** esp_http.h (429 + Retry-After, 5xx and transport errors with backoff,
** CAMP_ESP_BACKOFF), the request counters, and the one-line error text
** "<provider>: <status> <the body's title/detail/message>".
** Does not own: any provider's paths or shapes (esp_mailchimp.c,
** esp_dotdigital.c).
*/
#include <curl/curl.h>
#include <errno.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "runtime/esp_http.h"
#include "runtime/message.h"

#define CONNECT_TIMEOUT_S 10L
#define TOTAL_TIMEOUT_S 120L
#define RETRY_AFTER_CAP 120.0
#define BACKOFF_FIRST 0.5
#define BACKOFF_CAP 30.0
#define WORDS_CAP 300          /* the provider's words quoted in an error, at most */

/* What one try brought back: the body (grown to its size) and Retry-After. */
typedef struct Answer {
  char *data;
  size_t len, cap;
  double retryAfter;           /* seconds, < 0 when absent */
} Answer;

/* The multipart part of an upload (NULL for a JSON call). */
typedef struct Upload {
  const char *field, *fileName, *type, *data;
  size_t len;
} Upload;

static size_t keepBody(char *p, size_t size, size_t n, void *arg) {
  Answer *a = arg;
  size_t len = size * n;
  if (a->len + len + 1 > a->cap) {
    size_t cap = a->cap ? a->cap : 4096;
    while (cap < a->len + len + 1) cap *= 2;
    char *d = realloc(a->data, cap);
    if (!d) return 0;            /* curl fails the transfer: a write error */
    a->data = d;
    a->cap = cap;
  }
  memcpy(a->data + a->len, p, len);
  a->len += len;
  a->data[a->len] = 0;
  return len;
}

/* Retry-After: delta-seconds or an HTTP date. */
static size_t keepHeader(char *p, size_t size, size_t n, void *arg) {
  Answer *a = arg;
  size_t len = size * n;
  static const char name[] = "retry-after:";
  if (len > sizeof name - 1 && !strncasecmp(p, name, sizeof name - 1)) {
    char *v = strndup(p + sizeof name - 1, len - (sizeof name - 1));
    if (!v) return len;
    char *s = v + strspn(v, " \t");
    s[strcspn(s, "\r\n")] = 0;
    char *end;
    errno = 0;
    double secs = strtod(s, &end);
    if (end != s && !*end && !errno && secs >= 0) a->retryAfter = secs;
    else {
      time_t t = curl_getdate(s, NULL);
      if (t != (time_t)-1) a->retryAfter = difftime(t, time(NULL)) > 0 ? difftime(t, time(NULL)) : 0;
    }
    free(v);
  }
  return len;
}

static double backoffFactor(void) {
  const char *f = getenv("CAMP_ESP_BACKOFF");
  if (!f || !*f) return 1.0;
  char *end;
  double v = strtod(f, &end);
  return end != f && v >= 0 ? v : 1.0;
}

/* Sleeps secs in short steps, giving up early when *stop becomes set. */
static void waitFor(EspHttp *h, double secs) {
  h->waited += secs;
  while (secs > 0 && !(h->stop && *h->stop)) {
    double step = secs < 0.1 ? secs : 0.1;
    struct timespec ts = { (time_t)step, (long)((step - (time_t)step) * 1e9) };
    nanosleep(&ts, NULL);
    secs -= step;
  }
}

int campEspHttpOpen(EspHttp *h, const char *provider, const char *base, const char *user, const char *password,
                    char *err, size_t errSize) {
  memset(h, 0, sizeof *h);
  h->provider = provider;
  h->maxTries = 8;
  if (campChanCurlInit() < 0 || !(h->curl = curl_easy_init())) {
    snprintf(err, errSize, "%s: cannot start libcurl", provider);
    return -1;
  }
  h->base = strdup(base);
  h->user = strdup(user ? user : "");
  h->password = strdup(password ? password : "");
  if (!h->base || !h->user || !h->password) {
    campEspHttpClose(h);
    snprintf(err, errSize, "%s: out of memory", provider);
    return -1;
  }
  size_t n = strlen(h->base);
  while (n && h->base[n - 1] == '/') h->base[--n] = 0;
  return 0;
}

void campEspHttpClose(EspHttp *h) {
  if (h->curl) curl_easy_cleanup(h->curl);
  free(h->base);
  free(h->user);
  free(h->password);
  h->curl = NULL;
  h->base = h->user = h->password = NULL;
}

char *campEspHttpEscape(const char *s) {
  char *e = curl_easy_escape(NULL, s, 0);
  if (!e) return NULL;
  char *r = strdup(e);
  curl_free(e);
  return r;
}

/* Sets up the easy handle for one try of method base+path; *mime the
** multipart body it built (freed by the caller after the transfer). */
static int prepare(EspHttp *h, const char *method, const char *url, const char *json, const Upload *up,
                   struct curl_slist **hdr, curl_mime **mime, Answer *a, char *curlErr) {
  CURL *c = h->curl;
  curl_easy_reset(c);
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, TOTAL_TIMEOUT_S);
  curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
  curl_easy_setopt(c, CURLOPT_USERNAME, h->user);
  curl_easy_setopt(c, CURLOPT_PASSWORD, h->password);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "camp (esp sync)");
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keepBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, keepHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curlErr);
  *hdr = curl_slist_append(NULL, "Accept: application/json");
  if (json && *hdr) *hdr = curl_slist_append(*hdr, "Content-Type: application/json");
  if (!*hdr) return -1;
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, *hdr);
  if (up) {
    if (!(*mime = curl_mime_init(c))) return -1;
    curl_mimepart *part = curl_mime_addpart(*mime);
    if (!part) return -1;
    curl_mime_name(part, up->field);
    curl_mime_filename(part, up->fileName);
    curl_mime_type(part, up->type);
    curl_mime_data(part, up->data, up->len);
    curl_easy_setopt(c, CURLOPT_MIMEPOST, *mime);
  } else if (json) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(json));
  }
  if (strcmp(method, "GET") && strcmp(method, "POST")) curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  else if (!strcmp(method, "POST") && !json && !up) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
  }
  return 0;
}

/* The words of an error body: title + detail (Mailchimp), message
** (Dotdigital), else the start of the body, on one line and capped. */
static void errorText(EspHttp *h, long status, json_t *body, const Answer *a, char *err, size_t errSize) {
  const char *title = json_string_value(json_object_get(body, "title"));
  const char *detail = json_string_value(json_object_get(body, "detail"));
  const char *message = json_string_value(json_object_get(body, "message"));
  if (!message) message = json_string_value(json_object_get(body, "Message"));
  char words[WORDS_CAP + 1];
  if (title && detail) snprintf(words, sizeof words, "%s: %s", title, detail);
  else if (title || detail || message) snprintf(words, sizeof words, "%s", title ? title : detail ? detail : message);
  else snprintf(words, sizeof words, "%.*s", (int)(a->len < WORDS_CAP ? a->len : WORDS_CAP), a->data ? a->data : "");
  for (char *p = words; *p; p++) if ((unsigned char)*p < 0x20) *p = ' ';
  snprintf(err, errSize, "%s: %ld %s", h->provider, status, words);
  size_t n = strlen(err);
  while (n && err[n - 1] == ' ') err[--n] = 0;
}

static int retryable(long status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

/* One request, tried up to maxTries times (esp_http.h). */
static int request(EspHttp *h, const char *method, const char *path, const char *json, const Upload *up,
                   json_t **out, char *err, size_t errSize) {
  *out = NULL;
  if (h->readOnly && strcmp(method, "GET")) {
    snprintf(err, errSize, "%s: %s %s refused: a dry run only reads", h->provider, method, path);
    return -1;
  }
  char *url = malloc(strlen(h->base) + strlen(path) + 1);
  if (!url) {
    snprintf(err, errSize, "%s: out of memory", h->provider);
    return -1;
  }
  strcpy(url, h->base);
  strcat(url, path);
  double factor = backoffFactor(), backoff = BACKOFF_FIRST;
  int tries = h->maxTries > 0 ? h->maxTries : 1, result = -1;
  for (int t = 0; t < tries; t++) {
    if (t > 0 && h->stop && *h->stop) {
      snprintf(err, errSize, "%s: interrupted while retrying %s %s", h->provider, method, path);
      break;
    }
    Answer a = { .retryAfter = -1 };
    char curlErr[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdr = NULL;
    curl_mime *mime = NULL;
    long status = 0;
    CURLcode rc = CURLE_OUT_OF_MEMORY;
    if (prepare(h, method, url, json, up, &hdr, &mime, &a, curlErr) == 0) {
      h->requests++;
      if (t > 0) h->retries++;
      rc = curl_easy_perform(h->curl);
      if (rc == CURLE_OK) curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
    }
    curl_slist_free_all(hdr);
    curl_mime_free(mime);
    if (rc != CURLE_OK || retryable(status)) {
      if (rc != CURLE_OK)
        snprintf(err, errSize, "%s: %s %s: %s", h->provider, method, path, *curlErr ? curlErr : curl_easy_strerror(rc));
      else {
        json_t *body = a.data ? json_loads(a.data, 0, NULL) : NULL;
        errorText(h, status, body, &a, err, errSize);
        json_decref(body);
      }
      double wait = backoff;
      if (status == 429 && a.retryAfter >= 0) wait = a.retryAfter < RETRY_AFTER_CAP ? a.retryAfter : RETRY_AFTER_CAP;
      else backoff = backoff * 2 < BACKOFF_CAP ? backoff * 2 : BACKOFF_CAP;
      free(a.data);
      if (t + 1 < tries) waitFor(h, wait * factor);
      continue;
    }
    *out = a.data && a.len ? json_loads(a.data, 0, NULL) : NULL;
    if (!*out && a.data && a.len) *out = json_stringn(a.data, a.len);     /* not JSON (a CSV file): its text */
    if (status >= 400) errorText(h, status, *out, &a, err, errSize);
    free(a.data);
    result = (int)status;
    break;
  }
  free(url);
  return result;
}

int campEspHttpJson(EspHttp *h, const char *method, const char *path, json_t *body, json_t **out, char *err,
                    size_t errSize) {
  char *json = NULL;
  if (body && !(json = json_dumps(body, JSON_COMPACT))) {
    *out = NULL;
    snprintf(err, errSize, "%s: out of memory", h->provider);
    return -1;
  }
  int status = request(h, method, path, json, NULL, out, err, errSize);
  free(json);
  return status;
}

int campEspHttpUpload(EspHttp *h, const char *path, const char *field, const char *fileName, const char *type,
                      const char *data, size_t len, json_t **out, char *err, size_t errSize) {
  Upload up = { field, fileName, type, data, len };
  return request(h, "POST", path, NULL, &up, out, err, errSize);
}
