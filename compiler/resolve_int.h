/*
** compiler/resolve_int.h -- what resolve.c and resolve_timing.c share.
**
** Private to the two files: the resolver's state and the checks and
** reports each calls in the other, under the short names resolve.c uses
** (each macro names the campResolve function behind it).
*/
#ifndef CAMP_RESOLVE_INT_H
#define CAMP_RESOLVE_INT_H

#include <string.h>
#include "compiler/resolve.h"

#define MAX_DURATION (5LL * 365 * 86400)   /* longer than this is a mistake */

typedef struct Resolver {
  Unit *u;
  Diags *d;
  Resolved t;
  uint32_t capModel, capList, capInit, capSite, capSync;
  int model;            /* the record type of the expression being typed, -1 none */
} Resolver;

static inline int nameIs(const Ast *n, const char *s) { return n && n->name && !strcmp(n->name, s); }

/* Reports: at n's span, at its name, and a note at its name. */
#define err campResolveErr
#define errName campResolveErrName
#define noteAt campResolveNote
void campResolveErr(Resolver *r, DiagCode code, const Ast *n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void campResolveErrName(Resolver *r, DiagCode code, const Ast *n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void campResolveNote(Resolver *r, const Ast *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* resolve.c: fields, durations, conditions, templates, properties, activities. */
#define findField campResolveFindField
#define fieldType campResolveFieldType
#define checkDuration campResolveDuration
#define checkCondition campResolveCondition
#define checkTemplateString campResolveTemplate
#define checkBody campResolveBody
#define checkFrom campResolveFrom
#define onceProps campResolveOnceProps
#define propNotAllowed campResolvePropNotAllowed
#define checkActivity campResolveActivity
#define findModel campResolveFindModel
#define findList campResolveFindList
#define unknownModel campResolveUnknownModel
#define unknownField campResolveUnknownField
#define unknownList campResolveUnknownList
#define fits campResolveFits
int campResolveFindModel(Resolver *r, const char *name);             /* model index, -1 */
int campResolveFindList(Resolver *r, const char *name);              /* list index, -1 */
void campResolveUnknownModel(Resolver *r, const Ast *n);             /* E010 and a did-you-mean */
void campResolveUnknownField(Resolver *r, const Ast *n, int m);      /* E011 and a did-you-mean */
void campResolveUnknownList(Resolver *r, const Ast *n);              /* E014 and a did-you-mean */
int campResolveFits(int want, int have);
#define besideFile campResolveBesideFile
char *campResolveBesideFile(Resolver *r, const Ast *s);              /* AST_STR s's path, relative to its file (arena) */                             /* a `have` value stands where `want` is expected */
int campResolveFindField(Resolver *r, int m, const char *name, Ast **decl);   /* field index, -1 */
int campResolveFieldType(Resolver *r, int m, int idx);
void campResolveDuration(Resolver *r, Ast *d, const char *what, int zeroOk);
void campResolveCondition(Resolver *r, Ast *e, const char *where);
void campResolveTemplate(Resolver *r, Ast *s);
void campResolveBody(Resolver *r, Ast *s);
void campResolveFrom(Resolver *r, Ast *s);
int campResolveOnceProps(Resolver *r, Ast *decl);
void campResolvePropNotAllowed(Resolver *r, Ast *p, const char *where);
void campResolveActivity(Resolver *r, Ast *act, const Ast *parent, Ast *campaign);

/* resolve_timing.c: a timing property of a campaign, mailing or activity
** (what: "campaign", "mailing" or the activity's kind; m its model; caps
** [2] the campaign's caps seen so far), 1 when p is one; a branch node
** (split or if) and its paths; a mailing's A/B test. */
#define checkTimingProp campResolveTimingProp
#define checkNode campResolveNode
#define checkTest campResolveTest
#define checkViaTiming campResolveViaTiming
int campResolveTimingProp(Resolver *r, Ast *p, const char *what, int m, Ast **caps);
void campResolveNode(Resolver *r, Ast *node, Ast *campaign);
void campResolveTest(Resolver *r, Ast *ml, Ast *t);
void campResolveViaTiming(Resolver *r, Ast *ml);   /* a `via` mailing has none of camp's own timing (E081) */

/* resolve_test.c: a `test` block (records, steps, expectations). */
#define checkTestBlock campResolveTestBlock
void campResolveTestBlock(Resolver *r, Ast *test);

#endif
