/*
** compiler/resolve.h -- what resolve.c leaves for codegen.c.
**
** After campResolveUnit without errors:
**  - Resolved.models[] / lists[] hold the declarations in unit order (the
**    image's model and list indexes);
**  - expression nodes carry .type; AST_NAME fields carry .index = field
**    index (0 = id); AST_NAME arguments of M / L parameters carry the model
**    or list index; AST_CALL and AST_PIPE carry .index = native index;
**  - every AST_STR used as a template (subject, body, text, from, string
**    arguments of actions) carries .tpl, an AST_TEMPLATE whose pieces are
**    AST_STR and typed expressions; a body file's template is on the
**    PROP_BODY value's .tpl;
**  - AST_CAMPAIGN, AST_LIST and AST_MAILING carry .index = their model
**    index (a mailing: its list's model), and .b = their list (mailing,
**    or campaign with `target list`);
**  - AST_LIST carries .op = its ListKind and .v.i = keep_contacted (0/1);
**  - PROP_INITIATIVE values carry .index = the initiative's index;
**  - AST_WEBSITE carries .index = its target model or -1, PROP_IDENTIFY's
**    value .index = the field;
**  - AST_SYNC carries .index = its list's model or -1; its PROP_TO value
**    .index = the list; each PROP_FIELD value .index = the model's field,
**    or -1 for a template; a mailing's PROP_VIA value .index = the sync;
**  - a PROP_TZFIELD value carries .index = the text field; each AST_PATH of
**    a split carries .v.i = its share in basis points (summing to 10000);
**    a PROP_WINDOW's day bits are the parser's (.v.i).
*/
#ifndef CAMP_RESOLVE_H
#define CAMP_RESOLVE_H

#include "compiler/ast.h"

typedef struct Resolved {
  Ast **models; uint32_t nmodel;
  Ast **lists; uint32_t nlist;
  Ast **inits; uint32_t ninit;      /* initiatives, in unit order (the image's indexes) */
  Ast **sites; uint32_t nsite;      /* websites, in unit order */
  Ast **syncs; uint32_t nsync;      /* syncs, in unit order */
} Resolved;

/* The marketing codes (initiatives' and campaigns') met across the root
** files of one `camp check`: a code is unique across all of them. */
typedef struct CodeBook {
  struct CodeSeen { char *code, *name; uint32_t file, off, len; int initiative; } *v;
  size_t n, cap;
} CodeBook;

/* Report E048 for each code of u's declarations that an earlier unit's
** different declaration (another file, or another place) already has, then
** add u's codes to b.  Call after campResolveUnit. */
void campResolveCodeBook(Unit *u, CodeBook *b);
void campResolveCodeBookFree(CodeBook *b);

/* The symbol tables of the last campResolveUnit on u (arena-allocated). */
const Resolved *campResolveTables(const Unit *u);

/* Find the PROP_* child of a declaration or activity, or NULL. */
Ast *campResolveProp(const Ast *decl, PropKind prop);

/* Is v a sender as `from` takes it: "Name <user@example.com>" or
** "user@example.com" (an '@' inside, a '.' after it, no space in the
** address)?  1 yes, 0 no.  checkFrom (E039), camp init --sender and camp
** config sender. */
int campResolveFromValid(const char *v);

/* The merge tag / data field name a sync's `field` line (a PROP_FIELD)
** goes by for provider esp (EspKind): as written, else derived from the
** record field's name (Mailchimp: Oro's E_ rule). */
void campResolveSyncTag(const Ast *field, int esp, char *out, size_t size);

#endif
