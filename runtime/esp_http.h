/*
** runtime/esp_http.h -- HTTP for the ESP drivers (libcurl + jansson): one
** connection to one provider, JSON in and out, polite retries.
**
** A call is retried on 429 (waiting Retry-After, seconds or an HTTP date,
** up to 120 s; else backing off) and on 500, 502, 503, 504 and transport
** errors (backoff 0.5 s doubling up to 30 s, times CAMP_ESP_BACKOFF when
** set -- the tests make it small), at most maxTries times.  One request at
** a time per connection: Mailchimp's limit of 10 concurrent connections is
** never reached.  Every request is counted (requests, retries) for the
** figures `camp sync` prints.
*/
#ifndef CAMP_ESP_HTTP_H
#define CAMP_ESP_HTTP_H
#include <stddef.h>
#include <jansson.h>

typedef struct EspHttp {
  void *curl;                 /* CURL * */
  char *base;                 /* e.g. https://us6.api.mailchimp.com/3.0, no trailing '/' */
  char *user, *password;      /* HTTP Basic */
  const char *provider;       /* "mailchimp", for messages */
  int readOnly;               /* a dry run: anything but GET fails (a bug if reached) */
  int maxTries;               /* default 8 */
  long requests, retries;     /* every request sent, and how many of them were retries */
  double waited;              /* seconds slept before retries */
  volatile const int *stop;   /* non-zero (a signal): stop retrying */
} EspHttp;

int campEspHttpOpen(EspHttp *h, const char *provider, const char *base, const char *user, const char *password,
                    char *err, size_t errSize);
void campEspHttpClose(EspHttp *h);
/* method path?query (path appended to base; escape values with
** campEspHttpEscape), body (NULL: none) sent as JSON; *out the JSON
** answer (NULL when empty; a body that is not JSON, such as Dotdigital's
** CSV faults report, as a JSON string of its text; the caller json_decref's it) -- also for an
** error status, so the driver can quote the provider.  The final HTTP
** status, or -1 (transport failure after every try, or readOnly) with
** the reason in err.  A status >= 400 also writes err:
** "<provider>: <status> <the body's title/message/detail>". */
int campEspHttpJson(EspHttp *h, const char *method, const char *path, json_t *body, json_t **out, char *err, size_t errSize);
/* A multipart/form-data POST of one file (Dotdigital's CSV import);
** the same answer and retries as campEspHttpJson. */
int campEspHttpUpload(EspHttp *h, const char *path, const char *field, const char *fileName, const char *type,
                      const char *data, size_t len, json_t **out, char *err, size_t errSize);
/* s percent-escaped for a URL path or query (malloc'd). */
char *campEspHttpEscape(const char *s);

#endif
