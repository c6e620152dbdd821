/*
** runtime/buf.c -- the growable byte buffer (see buf.h).
**
** Owns: growth (doubling from 1 KB), the trailing NUL and the sticky
** out-of-memory flag.  Does not own: any format of what is appended.
*/
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/buf.h"

void campBufPut(Buf *b, const void *s, size_t n) {
  if (b->oom) return;
  if (n > SIZE_MAX / 2 - b->n) { b->oom = 1; return; }
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 1024;
    while (cap < b->n + n + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) { b->oom = 1; return; }
    b->p = p; b->cap = cap;
  }
  if (n) memcpy(b->p + b->n, s, n);
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
