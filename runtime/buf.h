/*
** runtime/buf.h -- the one growable byte buffer.
**
** Owns: Buf and appending to it.  A leaf: whoever builds bytes of unknown
** size (a message, SQL text, an image, a JSON body) uses it without
** including anything else.  Does not own: what goes in.
**
** Every function appends.  b->p is NUL-terminated after each append (so
** text can be used as a C string) and the NUL is not counted in b->n.  Out
** of memory is sticky: b->oom is set, later appends do nothing, and the
** caller checks b->oom once at the end.  A zeroed Buf is empty; campBufFree
** empties it again.
*/
#ifndef CAMP_BUF_H
#define CAMP_BUF_H

#include <stddef.h>

typedef struct Buf { char *p; size_t n, cap; int oom; } Buf;

/* Append the n bytes at s (any bytes, NULs included). */
void campBufPut(Buf *b, const void *s, size_t n);
/* Append the C string s. */
void campBufPuts(Buf *b, const char *s);
/* Append printf-formatted text. */
void campBufPrintf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Release the bytes; b is empty and usable again. */
void campBufFree(Buf *b);

#endif
