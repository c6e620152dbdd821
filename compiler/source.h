/*
** compiler/source.h -- the source of what a deploy stores, property by
** property, for `camp plan` to compare with the version it replaces.
**
** Owns: walking the campaigns and mailings of a resolved unit's root file
** and handing out each property's text as `camp fmt` prints it, so that an
** edit of layout alone changes no text.  Does not own: storing or comparing
** the texts (runtime/store_deploy.c) or printing them (runtime/plan.c).
*/
#ifndef CAMP_SOURCE_H
#define CAMP_SOURCE_H

#include <stddef.h>
#include "compiler/ast.h"

/* Called once per property: campaign (or mailing) name, activity name ("" for
** the campaign's own properties: title, target, where, unique, code, to,
** at), field ("subject", "body", "body file", "text", "from", "where",
** "actions", ...) and its text: a string's decoded text, a body file's
** content, an expression or the activity's action calls (one a line) as
** fmt prints them.  The strings live until u is freed; copy what you keep. */
typedef void (*SourceEmit)(void *ctx, const char *campaign, const char *activity, const char *field,
                           const char *text, size_t len);

/* Emit every property of the campaigns and mailings of u's root file (u
** resolved without errors).  A mailing's message properties belong to its
** one activity, named like the mailing; its list's filter is its `where`. */
void campSourceEach(Unit *u, SourceEmit emit, void *ctx);

#endif
