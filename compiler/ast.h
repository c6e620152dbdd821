/*
** compiler/ast.h -- the syntax tree and the compilation unit.
**
** Owns: the node layout every compiler stage reads, node constructors (called
** from the grammar's actions, one call each) and the AST dump used by golden
** tests.  Does not own: tokenising (grammar/lexer.re), the grammar
** (grammar/parser.y), names and types (resolve.c) or code (codegen.c).
**
** Every node lives in the unit's arena and dies with it.
*/
#ifndef CAMP_AST_H
#define CAMP_AST_H

#include <stdint.h>
#include <stdio.h>
#include "compiler/arena.h"
#include "compiler/diag.h"
#include "runtime/value.h"

typedef enum {
  /* declarations and statements */
  AST_FILE = 1,   /* kids: top-level declarations of one source file */
  AST_USE,        /* a: AST_STR path */
  AST_MODEL,      /* name; kids: AST_FIELD; b: AST_PROP (PROP_OPTOUT) chain, in source order */
  AST_FIELD,      /* name; op: CampType (0 when the type name is unknown); a: AST_NAME of the type */
  AST_CAMPAIGN,   /* name; a: AST_STR title; kids: AST_PROP and AST_ACTIVITY */
  AST_LIST,       /* name; a: AST_STR title; kids: AST_PROP */
  AST_MAILING,    /* name; a: AST_STR title; kids: AST_PROP */
  AST_INITIATIVE, /* name; a: AST_STR title; kids: AST_PROP */
  AST_WEBSITE,    /* name; a: AST_STR title; kids: AST_PROP */
  AST_SYNC,       /* name; a: AST_STR title; kids: AST_PROP */
  AST_ACTIVITY,   /* name; op: ActKind; a: AST_DUR delay or NULL; b: AST_CLOCK `at` or NULL;
                     kids: AST_PROP, AST_BRANCH, AST_CALL.
                     A branch node is one too: op ACT_SPLIT, kids: AST_PATH; op ACT_IF, kids: the
                     condition (PROP_WHERE), the then AST_PATH, the else AST_PATH if any.  Their name
                     is the one given, else split_N / if_N (v.i: 1 given, 0 numbered) */
  AST_BRANCH,     /* op: Trigger; a: AST_DUR window or NULL; b: the visit condition, an AST_PROP
                     (PROP_URL: `where url like`, PROP_EVENT: `event`) or NULL; kids: AST_ACTIVITY */
  AST_PROP,       /* op: PropKind; a: the value (expression, AST_STR, AST_DUR, AST_NAME) */
  /* expressions */
  AST_STR,        /* name/nameLen: the decoded text */
  AST_INT,        /* v.i */
  AST_REAL,       /* v.r */
  AST_BOOL,       /* v.i: 0 or 1 */
  AST_TIME,       /* v.i: seconds since epoch (UTC) */
  AST_DUR,        /* v.i: seconds; op: the unit token (TK_MINUTES ...) */
  AST_ARRAY,      /* kids: elements */
  AST_NAME,       /* name: an identifier (a field, or a model/list name as an argument) */
  AST_NOW,
  AST_NULL,
  AST_BINARY,     /* op: token (TK_EQ, TK_AND, TK_IN, TK_LIKE, TK_PLUS ...); a, b */
  AST_UNARY,      /* op: TK_NOT or TK_MINUS; a */
  AST_ISSET,      /* op: 1 for `is set`, 0 for `is not set`; a */
  AST_CALL,       /* name: function; kids: arguments (expressions or AST_NAMEDARG) */
  AST_NAMEDARG,   /* name: the key; a: the value */
  AST_TEMPLATE,   /* kids: AST_STR pieces and expressions, in order */
  AST_PIPE,       /* a: input; name: filter; kids: extra arguments */
  AST_PATH,       /* a path of a branch node: index: its number (0-based; an if: 0 then, 1 else);
                     a: the share as written (AST_INT or AST_REAL percent) or NULL; kids: AST_ACTIVITY */
  AST_VARIANT,    /* an A/B test's variant: name; kids: AST_PROP (subject, body, text, from) */
  AST_CLOCK,      /* a time of day HH:MM: v.i minutes after midnight */
  /* tests (`test "name" { ... }`): checked by resolve, ignored by codegen */
  AST_TEST,       /* noff/nlen: the title; a: AST_STR title; kids: AST_RECORDS and AST_STEP, in order */
  AST_RECORDS,    /* name: the model; a: AST_STR CSV path (resolve: index, its source) or NULL; kids: AST_ROW */
  AST_ROW,        /* name: the record's name in the test; kids: AST_NAMEDARG (field, literal) */
  AST_STEP,       /* op: StepKind; name: the record (list for STEP_LIST) or NULL; a, b: see StepKind;
                     kids: STEP_EVENT: AST_NAME event kind; STEP_SENT: AST_PROP subject/text patterns */
  AST_REF,        /* CAMPAIGN.ACTIVITY (or MAILING.MAILING / MAILING.VARIANT): name; a: AST_NAME */
  AST_KIND_COUNT_
} AstKind;

typedef enum {
  PROP_TARGET = 1, PROP_WHERE, PROP_UNIQUE, PROP_CODE,
  PROP_SUBJECT, PROP_BODY, PROP_TEXT, PROP_FROM, PROP_EXPIRE,
  PROP_TO, PROP_AT,
  PROP_OPTOUT,          /* in a model: a: AST_NAME of its opt-out field; resolve sets index to the field */
  PROP_KIND, PROP_KEEP, /* a list's kind (AST_NAME) and keep_contacted (AST_BOOL) */
  PROP_INITIATIVE,      /* a campaign's or mailing's initiative (AST_NAME; resolve sets its index) */
  PROP_START, PROP_END, /* an initiative's period (AST_TIME) */
  PROP_BUDGET,          /* a: AST_INT or AST_REAL amount (negative when written so); b: AST_NAME currency */
  PROP_DESCRIPTION,     /* AST_STR */
  PROP_SCALE,           /* AST_NAME: hour, day or month */
  PROP_SITE_ID,         /* a website's identifier (AST_STR: Matomo's idsite) */
  PROP_URL,             /* a website's URL, or a visit branch's URL pattern (AST_STR) */
  PROP_GOAL,            /* a website's conversion event name (AST_STR; may repeat) */
  PROP_IDENTIFY,        /* a website's trusted user-id field (AST_NAME; resolve sets index to the field) */
  PROP_LINK_TOKEN,      /* a website's link_token (AST_BOOL) */
  PROP_EVENT,           /* a visit branch's event name (AST_STR) */
  PROP_ESP,             /* a sync's provider: v.i: EspKind; a: AST_STR audience id (Mailchimp) or address book name */
  PROP_SEGMENT,         /* a sync's Mailchimp static segment name (AST_STR) */
  PROP_FIELD,           /* a sync's field mapping: a: AST_NAME record field or AST_STR template; b: AST_NAME tag or NULL
                           (resolve sets .index to the field, or -1 for a template) */
  PROP_EVERY,           /* a sync's period in service mode (AST_DUR) */
  PROP_VIA,             /* a mailing's ESP: v.i: EspKind; a: AST_NAME of the sync (resolve sets its index) */
  PROP_TIMEZONE,        /* `timezone "Zone"` (AST_STR) */
  PROP_TZFIELD,         /* `timezone from FIELD` (AST_NAME; resolve sets index to the field) */
  PROP_WINDOW,          /* `send between A and B [on DAYS]`: a, b: AST_CLOCK; kids: days, AST_NAME each,
                           b: the AST_NAME ending a range (`mon-fri`); v.i: the day bits (bit 0 Monday) */
  PROP_CAP,             /* `cap CHANNEL N per DURATION`: a: AST_NAME channel; b: AST_INT; kids: AST_DUR */
  PROP_CAPMODE,         /* `cap skip` / `cap exempt` (a: AST_NAME) */
  PROP_PRIORITY,        /* AST_INT */
  PROP_TEST,            /* a mailing's A/B test: a: AST_INT percent; kids: AST_VARIANT and PROP_WINNER */
  PROP_WINNER,          /* `winner by METRIC after DURATION`: a: AST_NAME; b: AST_DUR */
  PROP_COUNT_
} PropKind;

/* A test's steps (AST_STEP op): STEP_SENT to STEP_COUNT and STEP_SUPPRESSED
** are expectations, the others act (values stay stable: a new kind goes last). */
typedef enum {
  STEP_AT = 1,          /* a: AST_TIME */
  STEP_AFTER,           /* a: AST_DUR */
  STEP_EVENT,           /* name: record; a: AST_REF; b: AST_STR URL or NULL; kids: AST_NAME kind */
  STEP_SET,             /* name: record; a: AST_NAME field; b: expression */
  STEP_SENT,            /* name: record; a: AST_REF; v.i: 1 `not sent`; kids: patterns */
  STEP_TRACE,           /* name: record; a: AST_REF; b: AST_NAME state */
  STEP_IN,              /* name: record; a: AST_NAME campaign; b: AST_NAME state, or NULL and v.i 1: `not in` */
  STEP_FIELD,           /* name: record; a: AST_NAME field; b: expression */
  STEP_LIST,            /* name: list; b: expression (an array of record names) */
  STEP_COUNT,           /* a: AST_INT; b: AST_NAME channel */
  STEP_SEND,            /* a: AST_NAME mailing (a step, not an expectation) */
  STEP_SUPPRESSED,      /* name: record; v.i: 1 `not`; a: AST_NAME `suppressed`; b: AST_NAME channel or NULL */
  STEP_VISIT,           /* name: record; a: AST_STR URL, or the event's name when v.i is 1 (`visit event`);
                           b: AST_NAME website or NULL (the file's only one) */
  STEP_ADD,             /* name: record; a: AST_NAME list */
  STEP_REMOVE,          /* name: record; a: AST_NAME list */
  STEP_REFRESH,         /* a: AST_NAME list */
  STEP_COUNT_
} StepKind;

typedef struct Ast Ast;
struct Ast {
  uint8_t kind;         /* AstKind */
  uint8_t type;         /* CampType, set by resolve for expressions */
  uint16_t op;
  uint32_t file;        /* source index in the unit's Diags */
  uint32_t off, len;    /* span of the whole construct */
  uint32_t noff, nlen;  /* span of the name (declarations), for carets */
  const char *name;     /* identifier or decoded string (NUL-terminated) */
  uint32_t nameLen;
  Ast *a, *b;
  Ast *kids;            /* first child */
  Ast *next;            /* next sibling */
  union { int64_t i; double r; } v;
  int32_t index;        /* resolve: field, native, model, list or activity index; -1 unset */
  Ast *tpl;             /* resolve: the parsed template of an AST_STR, or NULL */
};

/* Token as the lexer hands it to the parser: a type (TK_*) and a span. */
typedef struct Token {
  int type;
  uint32_t off, len;
} Token;

/* One compilation: everything loaded and built for one root file. */
typedef struct Unit {
  Arena arena;
  Diags *diags;         /* shared across the files of one `camp check` */
  Ast *files;           /* AST_FILE per loaded source, `use`d files first */
  uint32_t root;        /* source index of the root file */
  int depth;            /* nesting of parse calls (limit checks) */
  void *resolved;       /* resolve.c's tables (a Resolved) */
} Unit;

/* Node constructors (arena-allocated, index = -1). */
Ast *campAstNew(Unit *u, AstKind kind, uint32_t file, uint32_t off, uint32_t len);
/* Append kid to parent's kids; returns parent. */
Ast *campAstAppend(Ast *parent, Ast *kid);
/* Extend n's span to cover through end (a later token or node). */
void campAstSpan(Ast *n, uint32_t endOff, uint32_t endLen);

const char *campAstKindName(AstKind k);
const char *campAstPropName(PropKind p);   /* "subject" ... */
const char *campAstTriggerName(int trig);  /* "done", "open", "no open" ... */
const char *campAstActKindName(int kind);  /* "email", "sms", "action", "split", "if" */
const char *campAstStepName(int step);     /* "at", "after", "event", "set", "sent" ... */
/* The calendar parts of an `after` duration (AST_DUR): months, days (weeks
** as 7) and the seconds of minutes and hours, as the image keeps them. */
void campAstDelayParts(const Ast *dur, int64_t *secs, int32_t *days, int32_t *months);
/* s[0..n) as the AST dump and the disassembly print string contents: " and
** \ backslashed, \n \t, other control bytes \xHH (no quotes around). */
void campAstEscape(const char *s, uint32_t n, FILE *out);

/* S-expression dump, one node per line, for golden tests. */
void campAstDump(const Unit *u, const Ast *n, FILE *out);

/* -- grammar actions (compiler/ast.c) ------------------------------------
** Each grammar action is one of these calls.  They build arena nodes and
** convert literals (reporting E004 on a malformed one). */

typedef struct ParseCtx {
  Unit *u;
  uint32_t file;
  Ast *result;          /* AST_FILE or AST_TEMPLATE when the parse succeeds */
  int failed;           /* a syntax error was reported */
  int silent;           /* replaying to find expected tokens: report nothing */
  const char *text;     /* the bytes token offsets point into ... */
  uint32_t textBase;    /* ... minus this (templates lex decoded strings) */
} ParseCtx;

typedef struct AstChain { Ast *head, *tail; } AstChain;
typedef struct AstTiming { Ast *after, *at; } AstTiming;   /* an activity's `after DURATION` and `at HH:MM` */

AstChain campAstChain(ParseCtx *c, AstChain *prev, Ast *item);
Ast *campAstUse(ParseCtx *c, Token kw, Token path);
Ast *campAstDecl(ParseCtx *c, AstKind kind, Token kw, Token name, const Token *title, Ast *kids, Token end);
Ast *campAstModel(ParseCtx *c, Token kw, Token name, Ast *items, Token end);
Ast *campAstField(ParseCtx *c, Token name, Token type);
Ast *campAstProp(ParseCtx *c, Token kw, PropKind prop, Ast *value);
Ast *campAstPropId(ParseCtx *c, Token kw, PropKind prop, Token name);
Ast *campAstPropToken(ParseCtx *c, Token kw, PropKind prop, Token value);
Ast *campAstBudget(ParseCtx *c, Token kw, int negative, Token amount, Token currency);
Ast *campAstEsp(ParseCtx *c, Token kw, int esp, Token remote);
Ast *campAstVia(ParseCtx *c, Token kw, int esp, Token sync);
Ast *campAstSyncField(ParseCtx *c, Token kw, const Token *tag, Token value);
Ast *campAstActivity(ParseCtx *c, Token kind, Token name, AstTiming timing, Ast *kids, Token end);
Ast *campAstSplit(ParseCtx *c, Token kw, const Token *name, Ast *paths, Token end);
Ast *campAstIf(ParseCtx *c, Token kw, Ast *cond, Token open, Ast *then, Token close, Ast *elseArm);
Ast *campAstPath(ParseCtx *c, Token start, Ast *share, Ast *acts, Token end);
Ast *campAstWindow(ParseCtx *c, Token kw, Token from, Token to, Ast *days);
/* A day of the week by its name (mon … sun, any case): 0 Monday .. 6, -1 unknown. */
int campAstDayIndex(const char *name);
Ast *campAstDay(ParseCtx *c, Token first, const Token *last);
Ast *campAstCap(ParseCtx *c, Token kw, Token channel, Token n, Token period);
Ast *campAstLocal(ParseCtx *c, Token kw, Token at, Token local);
Ast *campAstTest(ParseCtx *c, Token kw, Token percent, Ast *items, Token end);
Ast *campAstWinner(ParseCtx *c, Token kw, Token metric, Token after);
Ast *campAstRecords(ParseCtx *c, Token kw, Token model, const Token *path, Ast *rows, Token end);
Ast *campAstStep(ParseCtx *c, Token kw, int step, const Token *name, Ast *a, Ast *b);
Ast *campAstEvent(ParseCtx *c, Token kw, Token kind, const Token *url, Ast *ref, Token record);
Ast *campAstSent(ParseCtx *c, Token kw, Token record, int negated, Ast *ref, Ast *patterns);
/* visit [event] STRING [on WEBSITE] for NAME (event: 1 for `visit event`). */
Ast *campAstVisit(ParseCtx *c, Token kw, int event, Token text, Ast *website, Token record);
/* expect R [not] suppressed [email|sms]: word should be `suppressed` (resolve
** checks it); channel an AST_NAME or NULL. */
Ast *campAstSuppressed(ParseCtx *c, Token kw, Token record, int negated, Token word, Ast *channel);
Ast *campAstCount(ParseCtx *c, Token kw, Token n, Token channel, Token end);
Ast *campAstRef(ParseCtx *c, Token first, Token second);
Ast *campAstBranch(ParseCtx *c, Token on, int trigger, Ast *cond, Ast *within, Ast *kids, Token end);
Ast *campAstCall(ParseCtx *c, Token name, Ast *args, Token end);
Ast *campAstNamedArg(ParseCtx *c, Token name, Ast *value);
Ast *campAstBinary(ParseCtx *c, Token op, Ast *a, Ast *b);
Ast *campAstNotIn(ParseCtx *c, Token op, Ast *a, Ast *b);
Ast *campAstUnary(ParseCtx *c, Token op, Ast *a);
Ast *campAstIsSet(ParseCtx *c, Ast *a, int set, Token end);
Ast *campAstParen(ParseCtx *c, Token open, Ast *a, Token close);
Ast *campAstArray(ParseCtx *c, Token open, Ast *items, Token close);
Ast *campAstLeaf(ParseCtx *c, Token t);
Ast *campAstPipe(ParseCtx *c, Token name, Ast *args);
Ast *campAstPipes(ParseCtx *c, Ast *input, Ast *pipes);
void campParseDone(ParseCtx *c, Ast *root);
void campParseSyntaxError(ParseCtx *c, int major, Token t);
void campParseOverflow(ParseCtx *c);

/* -- the parser driver (compiler/parse.c) -------------------------------- */

/* Parse source `file` into an AST_FILE.  Syntax errors are reported to
** u->diags; the first one stops the file and NULL is returned. */
Ast *campParseFile(Unit *u, uint32_t file);

/* Parse the text of a template (a string's decoded text, or a body file)
** into an AST_TEMPLATE.  base is the offset of text[0] in `file` (inline
** strings: positions are approximate after escapes).  Returns NULL after
** reporting an E038 or syntax error. */
Ast *campParseTemplate(Unit *u, uint32_t file, uint32_t base, const char *text, uint32_t len);

/* Load root file and, recursively, its `use`s (relative to the using file;
** missing files and cycles are reported).  Fills u->files.  Returns the
** number of errors reported. */
int campParseUnit(Unit *u, const char *path);

void campUnitInit(Unit *u, Diags *d);
void campUnitFree(Unit *u);
/* Ready u for the next root file, keeping its arena's memory. */
void campUnitReset(Unit *u);

/* -- tokens (grammar/lexer.re) ---------------------------------------- */

/* The lexer state over one buffer; text must be NUL-terminated at len. */
typedef struct Lexer {
  const char *text; uint32_t len;
  uint32_t pos;         /* next byte */
  uint32_t base;        /* added to every offset reported */
  int comments;         /* 1: return TK_COMMENT tokens (fmt); 0: skip them */
  int inTemplate;       /* 1: `}}` ends the expression, `|` is a pipe */
} Lexer;

/* Next token.  At end returns type 0.  An invalid character or unterminated
** string returns TK_ILLEGAL with the span and a message in *why. */
Token campLexToken(Lexer *lx, const char **why);
const char *campLexTokenName(int type);   /* "'{'", "identifier", ... */

#endif
