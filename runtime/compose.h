/*
** runtime/compose.h -- the composer: what a message says, before it is
** encoded or carried.
**
** Owns: rendering a template block of a Program into text, numbering a
** message's links and the URL each redirects to (UTM parameters), splitting
** a From value into name and address, and the plain part of an email
** derived from its HTML (libxml2's HTML parser).
** Does not own: the bytes of the message (message.c), signing and
** rewriting links (track.c), where records come from or where the links are
** kept (the store), carrying the message (chan_*.c).
**
** Touches no database and no network: its inputs are a Program, a Vm and a
** record's values, or strings; its outputs are malloc'd strings and Bufs.
*/
#ifndef CAMP_COMPOSE_H
#define CAMP_COMPOSE_H

#include <stddef.h>
#include <stdint.h>
#include "runtime/message.h"
#include "runtime/vm.h"

/* A value as text (malloc'd, the caller frees; NULL when out of memory). */
char *campComposeValue(Vm *vm, const Value *v);

/* Run template block `block` of p on the VM against record r at `now` and
** return its value as text (malloc'd, the caller frees).  NULL when block
** is CAMP_NONE (the template is absent: err is untouched), on a run-time
** error (one line in err) or when out of memory. */
char *campComposeRender(Vm *vm, const Program *p, uint32_t block, const VmRecord *r, int64_t now, VmHost *host,
                        char *err, size_t errSize);

/* The links of one message, numbered across its HTML and text parts in
** order of first appearance.  Set the three UTM values, zero the rest
** ({ campaign, medium, source } as an initializer does it), pass it as ctx
** with campComposeLinkAdd to campTrackHtml / campTrackText, then keep
** `targets` (n lines, each a redirect target) and free it with
** campComposeLinksFree. */
#define CAMP_COMPOSE_LINKS_MAX 256      /* links of one message past this stay untracked */
typedef struct ComposeLinks {
  const char *campaign, *medium, *source;   /* UTM values: not copied, must outlive the struct's use */
  Buf seen;           /* the URLs as written, each followed by '\n' */
  Buf targets;        /* where each redirects (with UTM), each followed by '\n': kept on the trace */
  uint32_t n;         /* how many links */
} ComposeLinks;

/* A TrackLinkFn (message.h) over a ComposeLinks: the index of url among
** the message's links, adding it (and its target) when new.  UINT32_MAX --
** the link stays untracked -- past CAMP_COMPOSE_LINKS_MAX links, for a URL
** holding CR or LF (it could not be one line of targets), or when out of
** memory (seen.oom or targets.oom is then set). */
uint32_t campComposeLinkAdd(void *ctx, const char *url, size_t len);

/* Free the buffers of k (not k itself); k is then empty. */
void campComposeLinksFree(ComposeLinks *k);

/* Append to out the URL a tracked link redirects to: url (len bytes, with
** HTML's "&amp;" read as '&') plus utm_campaign, utm_medium and utm_source
** (each value percent-encoded, RFC 3986 unreserved characters left as
** they are), before any #fragment -- unless url already carries a utm_
** parameter of its own, then url alone.  None of the values may be NULL.
** Out of memory is sticky in out (out->oom). */
void campComposeUtm(const char *campaign, const char *medium, const char *source, const char *url, size_t len, Buf *out);

/* Split a rendered From value: `Name <addr>` or `"Name" <addr>` into name
** and addr (the last '<' starts the address: a value in the name cannot
** name it), a value without '<' into an empty name and that address, an
** absent or empty value into camp / noreply@camp.invalid.  *name and *addr
** are malloc'd (the caller frees both), each sized to what it holds.
** 0, or -1 when out of memory (both NULL). */
int campComposeSplitFrom(const char *from, char **name, char **addr);

/* The plain part of an email whose campaign gives none: the visible text
** of html (parsed by libxml2 as a browser would, so character references
** are decoded and broken markup recovered).  Comments and the content of
** <head>, <title>, <script>, <style> and <template> are left out.  White
** space runs become one space; a block element (p, div, h1-h6, li, tr,
** table, br, ...) starts and ends a line, never leaving an empty one (nor
** a line break at the very end); the
** cells of a table row are separated by a TAB; &nbsp; is a space.  Every
** http(s) link's target follows its text: "Read more (https://...)".
** Returns a malloc'd string (the caller frees; "" for empty or unparsable
** html), or NULL when out of memory. */
char *campComposeText(const char *html);

#endif
