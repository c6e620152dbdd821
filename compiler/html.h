/*
** compiler/html.h -- where in an HTML document a template value lands.
**
** Owns: a small scanner of the author's literal HTML that tells, for each
** `{{ }}` of an HTML body, how its value must be escaped there (text or
** quoted attribute, unquoted attribute, link target).  Used by codegen (the
** OP_ESCAPE it emits) and by resolve (lint).  Does not own: escaping
** (runtime/vm.c) or link tracking (runtime/track.c).
*/
#ifndef CAMP_HTML_H
#define CAMP_HTML_H

#include <stddef.h>

typedef struct HtmlScan {
  int state;                 /* private: where the scanner is */
  char quote;                /* the quote of the attribute value being read */
  char attr[16];             /* the attribute's name, lower case (cut) */
  int valueStarted;          /* the value holds something but white space */
  int dashes;                /* in a comment: '-' just seen in a row */
} HtmlScan;

void campHtmlInit(HtmlScan *s);

/* Feed literal text of the template (the author's). */
void campHtmlText(HtmlScan *s, const char *text, size_t n);

/* The escape mode (ESC_HTML, ESC_ATTR or ESC_URL of runtime/opcodes.h) for a
** value interpolated where the scanner is now; then note that a value was
** written there. */
int campHtmlValue(HtmlScan *s);

#endif
