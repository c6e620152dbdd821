/*
** runtime/natives.c -- the functions and template filters campaign code may
** call (the FN and FLT rows of natives.def).  Actions are the host's.
**
** Each returns null for input it cannot use, so a template always renders.
** Case mapping (lower, upper, capitalize) is Unicode's, through GLib, on
** text that is valid UTF-8; text that is not (a stray Latin-1 byte from an
** import) is mapped in ASCII only, byte for byte, and never refused.
*/
#include <ctype.h>
#include <glib.h>
#include <string.h>
#include <time.h>
#include "runtime/natives.h"

#define NATIVE_FN_PTR_FN(f) f
#define NATIVE_FN_PTR_FLT(f) f
#define NATIVE_FN_PTR_ACT(f) NULL
const NativeFn campNativeFns[] = {
#define NATIVE(name, kind, result, params, cfunc, doc) NATIVE_FN_PTR_##kind(cfunc),
#include "stdlib/natives.def"
#undef NATIVE
};

static Value nullValue(void) { Value v = { 0 }; return v; }

static int text(NativeCtx *c, const Value *in, Value *out) {
  return campVmToText(c->vm, in, out);
}

/* n bytes of s into VM scratch as the text *out. */
static int setText(NativeCtx *c, const char *s, size_t n, Value *out) {
  char *p = n > UINT32_MAX ? NULL : campVmScratch(c->vm, n);
  if (!p) return -1;
  memcpy(p, s, n);
  p[n] = 0;
  out->tag = VAL_TEXT; out->len = (uint32_t)n; out->u.s = p;
  return 0;
}

static int isAscii(const char *s, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) if ((unsigned char)s[i] >= 0x80) return 0;
  return 1;
}

/* t is text GLib may case-map: valid UTF-8 with no NUL, not plain ASCII
** (which the C library maps alike, without an allocation). */
static int needsUnicode(const Value *t) {
  return !isAscii(t->u.s, t->len) && g_utf8_validate(t->u.s, (gssize)t->len, NULL);
}

/* The text of args[0] with each character case-mapped: by f (GLib's
** g_utf8_strdown or g_utf8_strup) when needsUnicode, else byte by byte by
** ascii (tolower or toupper: ASCII letters only in camp's C locale).  The
** result may be longer or shorter than the input (German sharp s). */
static int mapCase(NativeCtx *c, const Value *args, Value *out, int (*ascii)(int),
                   gchar *(*f)(const gchar *, gssize)) {
  Value t;
  if (args[0].tag == VAL_NULL) { *out = nullValue(); return 0; }
  if (text(c, &args[0], &t) < 0) return -1;
  if (f && needsUnicode(&t)) {
    gchar *m = f(t.u.s, (gssize)t.len);
    int rc = m ? setText(c, m, strlen(m), out) : -1;
    g_free(m);
    return rc;
  }
  char *s = campVmScratch(c->vm, t.len);
  if (!s) return -1;
  for (uint32_t i = 0; i < t.len; i++) s[i] = (char)ascii((unsigned char)t.u.s[i]);
  s[t.len] = 0;
  out->tag = VAL_TEXT; out->len = t.len; out->u.s = s;
  return 0;
}

int campNativeLower(NativeCtx *c, const Value *args, int argc, Value *out) {
  (void)argc;
  return mapCase(c, args, out, tolower, g_utf8_strdown);
}
int campNativeUpper(NativeCtx *c, const Value *args, int argc, Value *out) {
  (void)argc;
  return mapCase(c, args, out, toupper, g_utf8_strup);
}

int campNativeLength(NativeCtx *c, const Value *args, int argc, Value *out) {
  (void)c; (void)argc;
  if (args[0].tag != VAL_TEXT) { *out = nullValue(); return 0; }
  int64_t n = 0;
  for (uint32_t i = 0; i < args[0].len; i++) n += ((unsigned char)args[0].u.s[i] & 0xc0) != 0x80;
  out->tag = VAL_INT; out->u.i = n;
  return 0;
}

static int textPair(const Value *args) { return args[0].tag == VAL_TEXT && args[1].tag == VAL_TEXT; }

int campNativeContains(NativeCtx *c, const Value *args, int argc, Value *out) {
  (void)c; (void)argc;
  if (!textPair(args)) { *out = nullValue(); return 0; }
  out->tag = VAL_BOOL;
  out->u.i = args[1].len == 0 || memmem(args[0].u.s, args[0].len, args[1].u.s, args[1].len) != NULL;
  return 0;
}

int campNativeStartsWith(NativeCtx *c, const Value *args, int argc, Value *out) {
  (void)c; (void)argc;
  if (!textPair(args)) { *out = nullValue(); return 0; }
  out->tag = VAL_BOOL;
  out->u.i = args[1].len <= args[0].len && !memcmp(args[0].u.s, args[1].u.s, args[1].len);
  return 0;
}

int campNativeEndsWith(NativeCtx *c, const Value *args, int argc, Value *out) {
  (void)c; (void)argc;
  if (!textPair(args)) { *out = nullValue(); return 0; }
  out->tag = VAL_BOOL;
  out->u.i = args[1].len <= args[0].len && !memcmp(args[0].u.s + args[0].len - args[1].len, args[1].u.s, args[1].len);
  return 0;
}

int campNativeDomain(NativeCtx *c, const Value *args, int argc, Value *out) {
  (void)argc;
  const char *at = args[0].tag == VAL_TEXT ? memchr(args[0].u.s, '@', args[0].len) : NULL;
  if (!at) { *out = nullValue(); return 0; }
  Value d = { .tag = VAL_TEXT };
  d.u.s = at + 1;
  d.len = (uint32_t)(args[0].u.s + args[0].len - at - 1);
  return mapCase(c, &d, out, tolower, NULL);         /* a domain: ASCII, as before */
}

static int since(NativeCtx *c, const Value *args, Value *out, int64_t unit) {
  if (args[0].tag != VAL_TIME) { *out = nullValue(); return 0; }
  out->tag = VAL_INT;
  out->u.i = (c->now - args[0].u.i) / unit;
  return 0;
}
int campNativeDaysSince(NativeCtx *c, const Value *args, int argc, Value *out) { (void)argc; return since(c, args, out, 86400); }
int campNativeHoursSince(NativeCtx *c, const Value *args, int argc, Value *out) { (void)argc; return since(c, args, out, 3600); }

int campNativeCoalesce(NativeCtx *c, const Value *args, int argc, Value *out) {
  (void)c;
  for (int i = 0; i < argc; i++)
    if (args[i].tag != VAL_NULL && !(args[i].tag == VAL_TEXT && args[i].len == 0)) { *out = args[i]; return 0; }
  *out = argc ? args[argc - 1] : nullValue();
  return 0;
}

/* in_list(L): the host knows the members of list L. */
int campNativeInList(NativeCtx *c, const Value *args, int argc, Value *out) {
  (void)argc;
  if (!c->host || !c->host->inList) { *out = nullValue(); return 0; }
  int r = c->host->inList(c->host, (uint32_t)args[0].u.i, c->recordId);
  out->tag = VAL_BOOL;
  out->u.i = r > 0;
  return 0;
}

/* visited(pattern [, within]): the host reads the record's hits; a
** within that is not a duration (null) gives null, as no host does. */
int campNativeVisited(NativeCtx *c, const Value *args, int argc, Value *out) {
  *out = nullValue();
  if (!c->host || !c->host->visited || !c->model || c->recordId < 0 || args[0].tag != VAL_TEXT) return 0;
  int64_t since = INT64_MIN;
  if (argc > 1) {
    if (args[1].tag != VAL_DURATION) return 0;
    since = args[1].u.i > 0 && c->now > INT64_MIN + args[1].u.i ? c->now - args[1].u.i : c->now;
  }
  int r = c->host->visited(c->host, c->model, c->recordId, args[0].u.s, args[0].len, since);
  if (r < 0) return 0;
  out->tag = VAL_BOOL;
  out->u.i = r > 0;
  return 0;
}

/* The first character in title case (Unicode's: "ǆ" gives "ǅ"), the rest
** as it is; invalid UTF-8: the first byte, if an ASCII letter. */
int campNativeCapitalize(NativeCtx *c, const Value *args, int argc, Value *out) {
  (void)argc;
  if (args[0].tag == VAL_NULL) { *out = nullValue(); return 0; }
  Value t;
  if (text(c, &args[0], &t) < 0) return -1;
  if (needsUnicode(&t)) {
    const char *rest = g_utf8_next_char(t.u.s);
    size_t tail = t.len - (size_t)(rest - t.u.s);
    char first[6];
    size_t n = (size_t)g_unichar_to_utf8(g_unichar_totitle(g_utf8_get_char(t.u.s)), first);
    char *s = n + tail > UINT32_MAX ? NULL : campVmScratch(c->vm, n + tail);
    if (!s) return -1;
    memcpy(s, first, n);
    memcpy(s + n, rest, tail);
    s[n + tail] = 0;
    out->tag = VAL_TEXT; out->len = (uint32_t)(n + tail); out->u.s = s;
    return 0;
  }
  if (setText(c, t.u.s, t.len, out) < 0) return -1;
  if (t.len) ((char *)out->u.s)[0] = (char)toupper((unsigned char)t.u.s[0]);
  return 0;
}

int campNativeTruncate(NativeCtx *c, const Value *args, int argc, Value *out) {
  (void)argc;
  Value t;
  if (args[0].tag == VAL_NULL || args[1].tag != VAL_INT || args[1].u.i < 0) { *out = args[0]; return 0; }
  if (text(c, &args[0], &t) < 0) return -1;
  /* count code points, cut on a boundary */
  uint32_t i = 0;
  int64_t n = 0;
  while (i < t.len && n < args[1].u.i) { i++; while (i < t.len && ((unsigned char)t.u.s[i] & 0xc0) == 0x80) i++; n++; }
  if (i >= t.len) { *out = t; return 0; }
  char *s = campVmScratch(c->vm, i + 3);
  if (!s) return -1;
  memcpy(s, t.u.s, i);
  memcpy(s + i, "\xe2\x80\xa6", 3);     /* … */
  s[i + 3] = 0;
  out->tag = VAL_TEXT; out->len = i + 3; out->u.s = s;
  return 0;
}

int campNativeDate(NativeCtx *c, const Value *args, int argc, Value *out) {
  if (args[0].tag != VAL_TIME) { *out = nullValue(); return 0; }
  char fmt[64] = "%Y-%m-%d";
  if (argc > 1 && args[1].tag == VAL_TEXT && args[1].len < sizeof fmt) {
    memcpy(fmt, args[1].u.s, args[1].len);
    fmt[args[1].len] = 0;
  }
  time_t t = (time_t)args[0].u.i;
  struct tm tm;
  char buf[128];
  gmtime_r(&t, &tm);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  size_t n = strftime(buf, sizeof buf, fmt, &tm);     /* the format is the campaign author's */
#pragma GCC diagnostic pop
  char *s = campVmScratch(c->vm, n);
  if (!s) return -1;
  memcpy(s, buf, n);
  s[n] = 0;
  out->tag = VAL_TEXT; out->len = (uint32_t)n; out->u.s = s;
  return 0;
}

int campNativeFirstWord(NativeCtx *c, const Value *args, int argc, Value *out) {
  (void)c; (void)argc;
  if (args[0].tag != VAL_TEXT) { *out = args[0]; return 0; }
  uint32_t a = 0, b;
  while (a < args[0].len && isspace((unsigned char)args[0].u.s[a])) a++;
  for (b = a; b < args[0].len && !isspace((unsigned char)args[0].u.s[b]); b++) {}
  out->tag = VAL_TEXT; out->u.s = args[0].u.s + a; out->len = b - a;
  return 0;
}

/* raw: the value as text.  What makes it raw is the compiler's: an HTML
** body's `{{ x | raw }}` gets no escaping, only the value marks. */
int campNativeRaw(NativeCtx *c, const Value *args, int argc, Value *out) {
  (void)argc;
  return text(c, &args[0], out);
}
