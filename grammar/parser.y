/*
** grammar/parser.y -- camp's grammar (lemon).
**
** Owns: the shape of the language.  Every action is one call into
** compiler/ast.c; nothing else happens here.  Lemon exits non-zero on a
** conflict: keep it so.  Nodes live in the unit's arena: no %destructor.
*/
%name campParser
%token_prefix TK_
%token_type { Token }
%extra_argument { ParseCtx *ctx }
%stack_size 400
%include {
#include <assert.h>
#include "compiler/ast.h"
}
%syntax_error { campParseSyntaxError(ctx, yymajor, TOKEN); }
%stack_overflow { campParseOverflow(ctx); }
%parse_failure { ctx->failed = 1; }

/* Tokens that have no grammar rule of their own: the lexer's extras. */
%token COMMENT ILLEGAL TPLSTART.

%left OR.
%left AND.
%right NOT.
%nonassoc EQ NE LT LE GT GE IN LIKE IS.
%left PLUS MINUS.
%left STAR SLASH PERCENT DIV.
%right UMINUS.

/* Keywords that may also stand where a name is expected. */
%fallback ID USE MODEL CAMPAIGN LIST MAILING TARGET WHERE UNIQUE CODE EMAIL SMS
              ACTION AFTER SUBJECT BODY TEXT FROM EXPIRE ON WITHIN DONE OPEN
              CLICK REPLY BOUNCE NO TO AT SET OPTOUT INITIATIVE KIND KEEP_CONTACTED
              START END BUDGET DESCRIPTION SCALE WEBSITE SITE_ID URL GOAL
              IDENTIFY LINK_TOKEN VISIT EVENT SYNC MAILCHIMP DOTDIGITAL
              AUDIENCE SEGMENT ADDRESS_BOOK FIELD EVERY VIA
              TIMEZONE SEND BETWEEN CAP PER PRIORITY SKIP EXEMPT SPLIT IF ELSE
              TEST VARIANT WINNER BY LOCAL DIV
              RECORDS EXPECT SENT TRACE FOR ADD REMOVE REFRESH.

%type decls   { AstChain }
%type fields  { AstChain }
%type citems  { AstChain }
%type aitems  { AstChain }
%type litems  { AstChain }
%type mitems  { AstChain }
%type iitems  { AstChain }
%type witems  { AstChain }
%type sitems  { AstChain }
%type acts    { AstChain }
%type paths   { AstChain }
%type titems  { AstChain }
%type vitems  { AstChain }
%type days    { AstChain }
%type args    { AstChain }
%type arglist { AstChain }
%type exprs   { AstChain }
%type exprlist { AstChain }
%type pipes   { AstChain }
%type tsteps  { AstChain }
%type rows    { AstChain }
%type rfields { AstChain }
%type pats    { AstChain }
%type tstep   { Ast * }
%type row     { Ast * }
%type rfield  { Ast * }
%type rvalue  { Ast * }
%type pat     { Ast * }
%type schan   { Ast * }
%type wsite   { Ast * }
%type ref     { Ast * }
%type decl    { Ast * }
%type field   { Ast * }
%type citem   { Ast * }
%type aitem   { Ast * }
%type litem   { Ast * }
%type mitem   { Ast * }
%type iitem   { Ast * }
%type witem   { Ast * }
%type sitem   { Ast * }
%type vcond   { Ast * }
%type activity { Ast * }
%type branch  { Ast * }
%type timing  { AstTiming }
%type path    { Ast * }
%type titem   { Ast * }
%type vitem   { Ast * }
%type day     { Ast * }
%type window  { Ast * }
%type cap     { Ast * }
%type zone    { Ast * }
%type elsearm { Ast * }
%type within  { Ast * }
%type arg     { Ast * }
%type expr    { Ast * }
%type pipe    { Ast * }
%type tpl     { Ast * }
%type trigger { int }
%type akind   { Token }

start ::= decls(D).                      { campParseDone(ctx, D.head); }
start ::= TPLSTART tpl(T).               { campParseDone(ctx, T); }

/* file := decl* */
decls(A) ::= .                           { A = campAstChain(ctx, 0, 0); }
decls(A) ::= decls(B) decl(C).           { A = campAstChain(ctx, &B, C); }

decl(A) ::= USE(K) STRING(S).            { A = campAstUse(ctx, K, S); }
decl(A) ::= MODEL(K) ID(N) LBRACE fields(F) RBRACE(E).
                                         { A = campAstModel(ctx, K, N, F.head, E); }
decl(A) ::= CAMPAIGN(K) ID(N) STRING(T) LBRACE citems(I) RBRACE(E).
                                         { A = campAstDecl(ctx, AST_CAMPAIGN, K, N, &T, I.head, E); }
decl(A) ::= LIST(K) ID(N) STRING(T) LBRACE litems(I) RBRACE(E).
                                         { A = campAstDecl(ctx, AST_LIST, K, N, &T, I.head, E); }
decl(A) ::= MAILING(K) ID(N) STRING(T) LBRACE mitems(I) RBRACE(E).
                                         { A = campAstDecl(ctx, AST_MAILING, K, N, &T, I.head, E); }
decl(A) ::= INITIATIVE(K) ID(N) STRING(T) LBRACE iitems(I) RBRACE(E).
                                         { A = campAstDecl(ctx, AST_INITIATIVE, K, N, &T, I.head, E); }
decl(A) ::= WEBSITE(K) ID(N) STRING(T) LBRACE witems(I) RBRACE(E).
                                         { A = campAstDecl(ctx, AST_WEBSITE, K, N, &T, I.head, E); }
decl(A) ::= SYNC(K) ID(N) STRING(T) LBRACE sitems(I) RBRACE(E).
                                         { A = campAstDecl(ctx, AST_SYNC, K, N, &T, I.head, E); }
decl(A) ::= TEST(K) STRING(T) LBRACE tsteps(S) RBRACE(E).
                                         { A = campAstDecl(ctx, AST_TEST, K, T, &T, S.head, E); }

/* test := test STRING { step* }; step := records MODEL { (NAME { (FIELD VALUE)* })* }
**   | records MODEL from STRING | at DATETIME | after DURATION
**   | event KIND [STRING] on CAMPAIGN.ACTIVITY for NAME | set NAME.FIELD = expr | send MAILING
**   | visit [event] STRING [on WEBSITE] for NAME | add NAME to LIST | remove NAME from LIST | refresh LIST
**   | expect NAME [not] sent CAMPAIGN.ACTIVITY [subject like STRING] [text like STRING]
**   | expect NAME trace CAMPAIGN.ACTIVITY STATE | expect NAME in CAMPAIGN STATE
**   | expect NAME.FIELD = expr | expect list LIST = expr | expect INT CHANNEL sent
**   | expect NAME [not] suppressed [email | sms]
** (resolve checks the words: event kinds, states, channels, and `suppressed`,
** a name here so that it is no keyword elsewhere) */
tsteps(A) ::= .                          { A = campAstChain(ctx, 0, 0); }
tsteps(A) ::= tsteps(B) tstep(C).        { A = campAstChain(ctx, &B, C); }
tstep(A) ::= RECORDS(K) ID(M) LBRACE rows(R) RBRACE(E).
                                         { A = campAstRecords(ctx, K, M, 0, R.head, E); }
tstep(A) ::= RECORDS(K) ID(M) FROM STRING(S). { A = campAstRecords(ctx, K, M, &S, 0, S); }
tstep(A) ::= AT(K) DATETIME(D).          { A = campAstStep(ctx, K, STEP_AT, 0, campAstLeaf(ctx, D), 0); }
tstep(A) ::= AFTER(K) DURATION(D).       { A = campAstStep(ctx, K, STEP_AFTER, 0, campAstLeaf(ctx, D), 0); }
tstep(A) ::= EVENT(K) ID(V) ON ref(X) FOR ID(R). { A = campAstEvent(ctx, K, V, 0, X, R); }
tstep(A) ::= EVENT(K) ID(V) STRING(U) ON ref(X) FOR ID(R). { A = campAstEvent(ctx, K, V, &U, X, R); }
tstep(A) ::= SEND(K) ID(M).             { A = campAstStep(ctx, K, STEP_SEND, 0, campAstLeaf(ctx, M), 0); }
tstep(A) ::= VISIT(K) STRING(U) wsite(W) FOR ID(R). { A = campAstVisit(ctx, K, 0, U, W, R); }
tstep(A) ::= VISIT(K) EVENT STRING(U) wsite(W) FOR ID(R). { A = campAstVisit(ctx, K, 1, U, W, R); }
tstep(A) ::= ADD(K) ID(R) TO ID(L).      { A = campAstStep(ctx, K, STEP_ADD, &R, campAstLeaf(ctx, L), 0); }
tstep(A) ::= REMOVE(K) ID(R) FROM ID(L). { A = campAstStep(ctx, K, STEP_REMOVE, &R, campAstLeaf(ctx, L), 0); }
tstep(A) ::= REFRESH(K) ID(L).           { A = campAstStep(ctx, K, STEP_REFRESH, 0, campAstLeaf(ctx, L), 0); }
tstep(A) ::= SET(K) ID(R) DOT ID(F) EQ expr(E). { A = campAstStep(ctx, K, STEP_SET, &R, campAstLeaf(ctx, F), E); }
tstep(A) ::= EXPECT(K) ID(R) SENT ref(X) pats(P). { A = campAstSent(ctx, K, R, 0, X, P.head); }
tstep(A) ::= EXPECT(K) ID(R) NOT SENT ref(X). { A = campAstSent(ctx, K, R, 1, X, 0); }
tstep(A) ::= EXPECT(K) ID(R) TRACE ref(X) ID(S). { A = campAstStep(ctx, K, STEP_TRACE, &R, X, campAstLeaf(ctx, S)); }
tstep(A) ::= EXPECT(K) ID(R) IN ID(C) ID(S). { A = campAstStep(ctx, K, STEP_IN, &R, campAstLeaf(ctx, C), campAstLeaf(ctx, S)); }
tstep(A) ::= EXPECT(K) ID(R) NOT IN ID(C). { A = campAstStep(ctx, K, STEP_IN, &R, campAstLeaf(ctx, C), 0); A->v.i = 1; }
tstep(A) ::= EXPECT(K) ID(R) DOT ID(F) EQ expr(E). { A = campAstStep(ctx, K, STEP_FIELD, &R, campAstLeaf(ctx, F), E); }
tstep(A) ::= EXPECT(K) LIST ID(L) EQ expr(E). { A = campAstStep(ctx, K, STEP_LIST, &L, 0, E); }
tstep(A) ::= EXPECT(K) INT(N) ID(C) SENT(E). { A = campAstCount(ctx, K, N, C, E); }
tstep(A) ::= EXPECT(K) ID(R) ID(W) schan(C). { A = campAstSuppressed(ctx, K, R, 0, W, C); }
tstep(A) ::= EXPECT(K) ID(R) NOT ID(W) schan(C). { A = campAstSuppressed(ctx, K, R, 1, W, C); }
rows(A) ::= .                            { A = campAstChain(ctx, 0, 0); }
rows(A) ::= rows(B) row(C).              { A = campAstChain(ctx, &B, C); }
row(A) ::= ID(N) LBRACE rfields(F) RBRACE(E). { A = campAstDecl(ctx, AST_ROW, N, N, 0, F.head, E); }
rfields(A) ::= .                         { A = campAstChain(ctx, 0, 0); }
rfields(A) ::= rfields(B) rfield(C).     { A = campAstChain(ctx, &B, C); }
rfield(A) ::= ID(N) rvalue(V).           { A = campAstNamedArg(ctx, N, V); }
rvalue(A) ::= STRING(T).                 { A = campAstLeaf(ctx, T); }
rvalue(A) ::= INT(T).                    { A = campAstLeaf(ctx, T); }
rvalue(A) ::= REAL(T).                   { A = campAstLeaf(ctx, T); }
rvalue(A) ::= TRUE(T).                   { A = campAstLeaf(ctx, T); }
rvalue(A) ::= FALSE(T).                  { A = campAstLeaf(ctx, T); }
rvalue(A) ::= DATETIME(T).               { A = campAstLeaf(ctx, T); }
rvalue(A) ::= MINUS(K) INT(T).           { A = campAstUnary(ctx, K, campAstLeaf(ctx, T)); }
rvalue(A) ::= MINUS(K) REAL(T).          { A = campAstUnary(ctx, K, campAstLeaf(ctx, T)); }
/* The channel after `suppressed`: the keywords only.  An ID here would take
** the next step's keyword (they fall back to ID) as a channel. */
schan(A) ::= .                           { A = 0; }
schan(A) ::= EMAIL(T).                   { A = campAstLeaf(ctx, T); }
schan(A) ::= SMS(T).                     { A = campAstLeaf(ctx, T); }
wsite(A) ::= .                           { A = 0; }
wsite(A) ::= ON ID(W).                   { A = campAstLeaf(ctx, W); }
pats(A) ::= .                            { A = campAstChain(ctx, 0, 0); }
pats(A) ::= pats(B) pat(C).              { A = campAstChain(ctx, &B, C); }
pat(A) ::= SUBJECT(K) LIKE STRING(S).    { A = campAstPropToken(ctx, K, PROP_SUBJECT, S); }
pat(A) ::= TEXT(K) LIKE STRING(S).       { A = campAstPropToken(ctx, K, PROP_TEXT, S); }
ref(A) ::= ID(C) DOT ID(X).              { A = campAstRef(ctx, C, X); }

/* field := IDENT TYPE | optout IDENT (names the model's opt-out field) */
fields(A) ::= .                          { A = campAstChain(ctx, 0, 0); }
fields(A) ::= fields(B) field(C).        { A = campAstChain(ctx, &B, C); }
field(A) ::= ID(N) ID(T).                { A = campAstField(ctx, N, T); }
field(A) ::= OPTOUT(K) ID(N).            { A = campAstPropId(ctx, K, PROP_OPTOUT, N); }

/* campitem := target IDENT | target list IDENT | where | unique | code | initiative | activity */
citems(A) ::= .                          { A = campAstChain(ctx, 0, 0); }
citems(A) ::= citems(B) citem(C).        { A = campAstChain(ctx, &B, C); }
citem(A) ::= TARGET(K) ID(N).            { A = campAstPropId(ctx, K, PROP_TARGET, N); }
citem(A) ::= TARGET(K) LIST ID(N).       { A = campAstPropId(ctx, K, PROP_TO, N); }
citem(A) ::= INITIATIVE(K) ID(N).        { A = campAstPropId(ctx, K, PROP_INITIATIVE, N); }
citem(A) ::= WHERE(K) expr(E).           { A = campAstProp(ctx, K, PROP_WHERE, E); }
citem(A) ::= UNIQUE(K) ID(N).            { A = campAstPropId(ctx, K, PROP_UNIQUE, N); }
citem(A) ::= CODE(K) STRING(S).          { A = campAstPropToken(ctx, K, PROP_CODE, S); }
citem(A) ::= activity(X).                { A = X; }
citem(A) ::= zone(X).                    { A = X; }
citem(A) ::= window(X).                  { A = X; }
citem(A) ::= cap(X).                     { A = X; }
citem(A) ::= PRIORITY(K) INT(V).         { A = campAstPropToken(ctx, K, PROP_PRIORITY, V); }

/* timing items (campaigns, mailings, activities; resolve says which where):
** timezone "Zone" | timezone from FIELD | send between HH:MM and HH:MM [on DAYS]
** | cap CHANNEL N per DURATION | cap skip | cap exempt.  DAYS: `on mon-fri`,
** `on mon, wed, fri`; the lexer gives `on` and the first day as one token
** (ONDAY), so a window's days and a branch's `on` need no lookahead. */
zone(A) ::= TIMEZONE(K) STRING(S).       { A = campAstPropToken(ctx, K, PROP_TIMEZONE, S); }
zone(A) ::= TIMEZONE(K) FROM ID(N).      { A = campAstPropId(ctx, K, PROP_TZFIELD, N); }
window(A) ::= SEND(K) BETWEEN CLOCK(F) AND CLOCK(T). { A = campAstWindow(ctx, K, F, T, 0); }
window(A) ::= SEND(K) BETWEEN CLOCK(F) AND CLOCK(T) days(D). { A = campAstWindow(ctx, K, F, T, D.head); }
cap(A) ::= CAP(K) SKIP(M).               { A = campAstPropToken(ctx, K, PROP_CAPMODE, M); }
cap(A) ::= CAP(K) EXEMPT(M).             { A = campAstPropToken(ctx, K, PROP_CAPMODE, M); }
cap(A) ::= CAP(K) ID(C) INT(N) PER DURATION(D). { A = campAstCap(ctx, K, C, N, D); }
days(A) ::= ONDAY(F).                    { A = campAstChain(ctx, 0, campAstDay(ctx, F, 0)); }
days(A) ::= ONDAY(F) MINUS ID(T).        { A = campAstChain(ctx, 0, campAstDay(ctx, F, &T)); }
days(A) ::= days(B) COMMA day(C).        { A = campAstChain(ctx, &B, C); }
day(A) ::= ID(F).                        { A = campAstDay(ctx, F, 0); }
day(A) ::= ID(F) MINUS ID(T).            { A = campAstDay(ctx, F, &T); }

/* activity := (email|sms|action) IDENT [after DURATION] [at HH:MM] { actitem* }
**           | split [IDENT] { (NUMBER % { activity* })* }
**           | if expr { activity* } [else { activity* }] */
activity(A) ::= akind(K) ID(N) timing(D) LBRACE aitems(I) RBRACE(E).
                                         { A = campAstActivity(ctx, K, N, D, I.head, E); }
activity(A) ::= SPLIT(K) LBRACE paths(P) RBRACE(E).
                                         { A = campAstSplit(ctx, K, 0, P.head, E); }
activity(A) ::= SPLIT(K) ID(N) LBRACE paths(P) RBRACE(E).
                                         { A = campAstSplit(ctx, K, &N, P.head, E); }
activity(A) ::= IF(K) expr(C) LBRACE(L) acts(T) RBRACE(R) elsearm(F).
                                         { A = campAstIf(ctx, K, C, L, T.head, R, F); }
elsearm(A) ::= .                         { A = 0; }
elsearm(A) ::= ELSE(K) LBRACE acts(F) RBRACE(E). { A = campAstPath(ctx, K, 0, F.head, E); }
paths(A) ::= .                           { A = campAstChain(ctx, 0, 0); }
paths(A) ::= paths(B) path(C).           { A = campAstChain(ctx, &B, C); }
path(A) ::= INT(V) PERCENT LBRACE acts(X) RBRACE(E).  { A = campAstPath(ctx, V, campAstLeaf(ctx, V), X.head, E); }
path(A) ::= REAL(V) PERCENT LBRACE acts(X) RBRACE(E). { A = campAstPath(ctx, V, campAstLeaf(ctx, V), X.head, E); }
timing(A) ::= .                          { A.after = 0; A.at = 0; }
timing(A) ::= AFTER DURATION(D).         { A.after = campAstLeaf(ctx, D); A.at = 0; }
timing(A) ::= AT CLOCK(T).               { A.after = 0; A.at = campAstLeaf(ctx, T); }
timing(A) ::= AFTER DURATION(D) AT CLOCK(T). { A.after = campAstLeaf(ctx, D); A.at = campAstLeaf(ctx, T); }
akind(A) ::= EMAIL(K).                   { A = K; }
akind(A) ::= SMS(K).                     { A = K; }
akind(A) ::= ACTION(K).                  { A = K; }

aitems(A) ::= .                          { A = campAstChain(ctx, 0, 0); }
aitems(A) ::= aitems(B) aitem(C).        { A = campAstChain(ctx, &B, C); }
aitem(A) ::= SUBJECT(K) STRING(S).       { A = campAstPropToken(ctx, K, PROP_SUBJECT, S); }
aitem(A) ::= BODY(K) STRING(S).          { A = campAstPropToken(ctx, K, PROP_BODY, S); }
aitem(A) ::= TEXT(K) STRING(S).          { A = campAstPropToken(ctx, K, PROP_TEXT, S); }
aitem(A) ::= FROM(K) STRING(S).          { A = campAstPropToken(ctx, K, PROP_FROM, S); }
aitem(A) ::= WHERE(K) expr(E).           { A = campAstProp(ctx, K, PROP_WHERE, E); }
aitem(A) ::= EXPIRE(K) DURATION(D).      { A = campAstPropToken(ctx, K, PROP_EXPIRE, D); }
aitem(A) ::= ID(N) LPAREN args(X) RPAREN(E).
                                         { A = campAstCall(ctx, N, X.head, E); }
aitem(A) ::= branch(B).                  { A = B; }
aitem(A) ::= window(X).                  { A = X; }
aitem(A) ::= cap(X).                     { A = X; }

/* branch := on trigger [where url like STRING | event STRING] [within DURATION] { activity* }
** (the condition is for `on visit` and `on no visit`; resolve refuses it elsewhere) */
branch(A) ::= ON(K) trigger(T) vcond(C) within(W) LBRACE acts(X) RBRACE(E).
                                         { A = campAstBranch(ctx, K, T, C, W, X.head, E); }
vcond(A) ::= .                           { A = 0; }
vcond(A) ::= WHERE(K) URL LIKE STRING(S). { A = campAstPropToken(ctx, K, PROP_URL, S); }
vcond(A) ::= EVENT(K) STRING(S).         { A = campAstPropToken(ctx, K, PROP_EVENT, S); }
trigger(A) ::= DONE.                     { A = TRIG_DONE; }
trigger(A) ::= OPEN.                     { A = TRIG_OPEN; }
trigger(A) ::= CLICK.                    { A = TRIG_CLICK; }
trigger(A) ::= REPLY.                    { A = TRIG_REPLY; }
trigger(A) ::= BOUNCE.                   { A = TRIG_BOUNCE; }
trigger(A) ::= NO OPEN.                  { A = TRIG_NO_OPEN; }
trigger(A) ::= NO CLICK.                 { A = TRIG_NO_CLICK; }
trigger(A) ::= NO REPLY.                 { A = TRIG_NO_REPLY; }
trigger(A) ::= VISIT.                    { A = TRIG_VISIT; }
trigger(A) ::= NO VISIT.                 { A = TRIG_NO_VISIT; }
within(A) ::= .                          { A = 0; }
within(A) ::= WITHIN DURATION(D).        { A = campAstLeaf(ctx, D); }
acts(A) ::= .                            { A = campAstChain(ctx, 0, 0); }
acts(A) ::= acts(B) activity(C).         { A = campAstChain(ctx, &B, C); }

/* list := list IDENT STRING { (target IDENT | where expr | kind IDENT | keep_contacted BOOL)* } */
litems(A) ::= .                          { A = campAstChain(ctx, 0, 0); }
litems(A) ::= litems(B) litem(C).        { A = campAstChain(ctx, &B, C); }
litem(A) ::= TARGET(K) ID(N).            { A = campAstPropId(ctx, K, PROP_TARGET, N); }
litem(A) ::= WHERE(K) expr(E).           { A = campAstProp(ctx, K, PROP_WHERE, E); }
litem(A) ::= KIND(K) ID(N).              { A = campAstPropId(ctx, K, PROP_KIND, N); }
litem(A) ::= KEEP_CONTACTED(K) TRUE(V).  { A = campAstPropToken(ctx, K, PROP_KEEP, V); }
litem(A) ::= KEEP_CONTACTED(K) FALSE(V). { A = campAstPropToken(ctx, K, PROP_KEEP, V); }

/* mailing := mailing IDENT STRING { (to list IDENT | at DATETIME | initiative IDENT | subject … )* } */
mitems(A) ::= .                          { A = campAstChain(ctx, 0, 0); }
mitems(A) ::= mitems(B) mitem(C).        { A = campAstChain(ctx, &B, C); }
mitem(A) ::= TO(K) LIST ID(N).           { A = campAstPropId(ctx, K, PROP_TO, N); }
mitem(A) ::= AT(K) DATETIME(D).          { A = campAstPropToken(ctx, K, PROP_AT, D); }
mitem(A) ::= AT(K) DATETIME(D) LOCAL(L). { A = campAstLocal(ctx, K, D, L); }
mitem(A) ::= zone(X).                    { A = X; }
mitem(A) ::= window(X).                  { A = X; }
mitem(A) ::= cap(X).                     { A = X; }
mitem(A) ::= PRIORITY(K) INT(V).         { A = campAstPropToken(ctx, K, PROP_PRIORITY, V); }
mitem(A) ::= TEST(K) INT(V) PERCENT LBRACE titems(I) RBRACE(E).
                                         { A = campAstTest(ctx, K, V, I.head, E); }

/* test N% { variant IDENT { (subject|body|text|from STRING)* }* winner by IDENT after DURATION } */
titems(A) ::= .                          { A = campAstChain(ctx, 0, 0); }
titems(A) ::= titems(B) titem(C).        { A = campAstChain(ctx, &B, C); }
titem(A) ::= VARIANT(K) ID(N) LBRACE vitems(I) RBRACE(E).
                                         { A = campAstDecl(ctx, AST_VARIANT, K, N, 0, I.head, E); }
titem(A) ::= WINNER(K) BY ID(M) AFTER DURATION(D). { A = campAstWinner(ctx, K, M, D); }
vitems(A) ::= .                          { A = campAstChain(ctx, 0, 0); }
vitems(A) ::= vitems(B) vitem(C).        { A = campAstChain(ctx, &B, C); }
vitem(A) ::= SUBJECT(K) STRING(S).       { A = campAstPropToken(ctx, K, PROP_SUBJECT, S); }
vitem(A) ::= BODY(K) STRING(S).          { A = campAstPropToken(ctx, K, PROP_BODY, S); }
vitem(A) ::= TEXT(K) STRING(S).          { A = campAstPropToken(ctx, K, PROP_TEXT, S); }
vitem(A) ::= FROM(K) STRING(S).          { A = campAstPropToken(ctx, K, PROP_FROM, S); }
mitem(A) ::= INITIATIVE(K) ID(N).        { A = campAstPropId(ctx, K, PROP_INITIATIVE, N); }
mitem(A) ::= SUBJECT(K) STRING(S).       { A = campAstPropToken(ctx, K, PROP_SUBJECT, S); }
mitem(A) ::= BODY(K) STRING(S).          { A = campAstPropToken(ctx, K, PROP_BODY, S); }
mitem(A) ::= TEXT(K) STRING(S).          { A = campAstPropToken(ctx, K, PROP_TEXT, S); }
mitem(A) ::= FROM(K) STRING(S).          { A = campAstPropToken(ctx, K, PROP_FROM, S); }
mitem(A) ::= VIA(K) MAILCHIMP ID(N).     { A = campAstVia(ctx, K, ESP_MAILCHIMP, N); }
mitem(A) ::= VIA(K) DOTDIGITAL ID(N).    { A = campAstVia(ctx, K, ESP_DOTDIGITAL, N); }

/* initiative := initiative IDENT STRING { (code STRING | start DATETIME | end DATETIME
**                 | budget NUMBER CURRENCY | description STRING | scale IDENT)* } */
iitems(A) ::= .                          { A = campAstChain(ctx, 0, 0); }
iitems(A) ::= iitems(B) iitem(C).        { A = campAstChain(ctx, &B, C); }
iitem(A) ::= CODE(K) STRING(S).          { A = campAstPropToken(ctx, K, PROP_CODE, S); }
iitem(A) ::= START(K) DATETIME(D).       { A = campAstPropToken(ctx, K, PROP_START, D); }
iitem(A) ::= END(K) DATETIME(D).         { A = campAstPropToken(ctx, K, PROP_END, D); }
iitem(A) ::= BUDGET(K) INT(V) ID(C).     { A = campAstBudget(ctx, K, 0, V, C); }
iitem(A) ::= BUDGET(K) REAL(V) ID(C).    { A = campAstBudget(ctx, K, 0, V, C); }
iitem(A) ::= BUDGET(K) MINUS INT(V) ID(C).  { A = campAstBudget(ctx, K, 1, V, C); }
iitem(A) ::= BUDGET(K) MINUS REAL(V) ID(C). { A = campAstBudget(ctx, K, 1, V, C); }
iitem(A) ::= DESCRIPTION(K) STRING(S).   { A = campAstPropToken(ctx, K, PROP_DESCRIPTION, S); }
iitem(A) ::= SCALE(K) ID(N).             { A = campAstPropId(ctx, K, PROP_SCALE, N); }

/* website := website IDENT STRING { (site_id STRING | url STRING | target IDENT | initiative IDENT
**              | code STRING | goal STRING | identify IDENT | link_token BOOL)* } */
witems(A) ::= .                          { A = campAstChain(ctx, 0, 0); }
witems(A) ::= witems(B) witem(C).        { A = campAstChain(ctx, &B, C); }
witem(A) ::= SITE_ID(K) STRING(S).       { A = campAstPropToken(ctx, K, PROP_SITE_ID, S); }
witem(A) ::= URL(K) STRING(S).           { A = campAstPropToken(ctx, K, PROP_URL, S); }
witem(A) ::= TARGET(K) ID(N).            { A = campAstPropId(ctx, K, PROP_TARGET, N); }
witem(A) ::= INITIATIVE(K) ID(N).        { A = campAstPropId(ctx, K, PROP_INITIATIVE, N); }
witem(A) ::= CODE(K) STRING(S).          { A = campAstPropToken(ctx, K, PROP_CODE, S); }
witem(A) ::= GOAL(K) STRING(S).          { A = campAstPropToken(ctx, K, PROP_GOAL, S); }
witem(A) ::= IDENTIFY(K) ID(N).          { A = campAstPropId(ctx, K, PROP_IDENTIFY, N); }
witem(A) ::= LINK_TOKEN(K) TRUE(V).      { A = campAstPropToken(ctx, K, PROP_LINK_TOKEN, V); }
witem(A) ::= LINK_TOKEN(K) FALSE(V).     { A = campAstPropToken(ctx, K, PROP_LINK_TOKEN, V); }

/* sync := sync IDENT STRING { (list IDENT | mailchimp audience STRING | segment STRING
**           | dotdigital address_book STRING | field [IDENT =] IDENT | field IDENT = STRING
**           | every DURATION)* } */
sitems(A) ::= .                          { A = campAstChain(ctx, 0, 0); }
sitems(A) ::= sitems(B) sitem(C).        { A = campAstChain(ctx, &B, C); }
sitem(A) ::= LIST(K) ID(N).              { A = campAstPropId(ctx, K, PROP_TO, N); }
sitem(A) ::= MAILCHIMP(K) AUDIENCE STRING(S). { A = campAstEsp(ctx, K, ESP_MAILCHIMP, S); }
sitem(A) ::= DOTDIGITAL(K) ADDRESS_BOOK STRING(S). { A = campAstEsp(ctx, K, ESP_DOTDIGITAL, S); }
sitem(A) ::= SEGMENT(K) STRING(S).       { A = campAstPropToken(ctx, K, PROP_SEGMENT, S); }
sitem(A) ::= FIELD(K) ID(N).             { A = campAstSyncField(ctx, K, 0, N); }
sitem(A) ::= FIELD(K) ID(T) EQ ID(N).    { A = campAstSyncField(ctx, K, &T, N); }
sitem(A) ::= FIELD(K) ID(T) EQ STRING(S). { A = campAstSyncField(ctx, K, &T, S); }
sitem(A) ::= EVERY(K) DURATION(D).       { A = campAstPropToken(ctx, K, PROP_EVERY, D); }

/* arguments: expr | IDENT ':' expr */
args(A) ::= .                            { A = campAstChain(ctx, 0, 0); }
args(A) ::= arglist(L).                  { A = L; }
arglist(A) ::= arg(C).                   { A = campAstChain(ctx, 0, C); }
arglist(A) ::= arglist(B) COMMA arg(C).  { A = campAstChain(ctx, &B, C); }
arg(A) ::= expr(E).                      { A = E; }
arg(A) ::= ID(N) COLON expr(E).          { A = campAstNamedArg(ctx, N, E); }

exprs(A) ::= .                           { A = campAstChain(ctx, 0, 0); }
exprs(A) ::= exprlist(L).                { A = L; }
exprlist(A) ::= expr(C).                 { A = campAstChain(ctx, 0, C); }
exprlist(A) ::= exprlist(B) COMMA expr(C). { A = campAstChain(ctx, &B, C); }

/* expressions */
expr(A) ::= expr(B) OR(K) expr(C).       { A = campAstBinary(ctx, K, B, C); }
expr(A) ::= expr(B) AND(K) expr(C).      { A = campAstBinary(ctx, K, B, C); }
expr(A) ::= NOT(K) expr(B).              { A = campAstUnary(ctx, K, B); }
expr(A) ::= expr(B) EQ(K) expr(C).       { A = campAstBinary(ctx, K, B, C); }
expr(A) ::= expr(B) NE(K) expr(C).       { A = campAstBinary(ctx, K, B, C); }
expr(A) ::= expr(B) LT(K) expr(C).       { A = campAstBinary(ctx, K, B, C); }
expr(A) ::= expr(B) LE(K) expr(C).       { A = campAstBinary(ctx, K, B, C); }
expr(A) ::= expr(B) GT(K) expr(C).       { A = campAstBinary(ctx, K, B, C); }
expr(A) ::= expr(B) GE(K) expr(C).       { A = campAstBinary(ctx, K, B, C); }
expr(A) ::= expr(B) IN(K) expr(C).       { A = campAstBinary(ctx, K, B, C); }
expr(A) ::= expr(B) NOT(K) IN expr(C). [IN] { A = campAstNotIn(ctx, K, B, C); }
expr(A) ::= expr(B) LIKE(K) expr(C).     { A = campAstBinary(ctx, K, B, C); }
expr(A) ::= expr(B) IS SET(E).           { A = campAstIsSet(ctx, B, 1, E); }
expr(A) ::= expr(B) IS NOT SET(E).       { A = campAstIsSet(ctx, B, 0, E); }
expr(A) ::= expr(B) PLUS(K) expr(C).     { A = campAstBinary(ctx, K, B, C); }
expr(A) ::= expr(B) MINUS(K) expr(C).    { A = campAstBinary(ctx, K, B, C); }
expr(A) ::= expr(B) STAR(K) expr(C).     { A = campAstBinary(ctx, K, B, C); }
expr(A) ::= expr(B) SLASH(K) expr(C).    { A = campAstBinary(ctx, K, B, C); }
expr(A) ::= expr(B) PERCENT(K) expr(C).  { A = campAstBinary(ctx, K, B, C); }
expr(A) ::= expr(B) DIV(K) expr(C).      { A = campAstBinary(ctx, K, B, C); }
expr(A) ::= MINUS(K) expr(B). [UMINUS]   { A = campAstUnary(ctx, K, B); }
expr(A) ::= LPAREN(L) expr(B) RPAREN(R). { A = campAstParen(ctx, L, B, R); }
expr(A) ::= ID(N) LPAREN args(X) RPAREN(E). { A = campAstCall(ctx, N, X.head, E); }
expr(A) ::= LBRACKET(L) exprs(X) RBRACKET(R). { A = campAstArray(ctx, L, X.head, R); }
expr(A) ::= ID(T).                       { A = campAstLeaf(ctx, T); }
expr(A) ::= STRING(T).                   { A = campAstLeaf(ctx, T); }
expr(A) ::= INT(T).                      { A = campAstLeaf(ctx, T); }
expr(A) ::= REAL(T).                     { A = campAstLeaf(ctx, T); }
expr(A) ::= DATETIME(T).                 { A = campAstLeaf(ctx, T); }
expr(A) ::= DURATION(T).                 { A = campAstLeaf(ctx, T); }
expr(A) ::= TRUE(T).                     { A = campAstLeaf(ctx, T); }
expr(A) ::= FALSE(T).                    { A = campAstLeaf(ctx, T); }
expr(A) ::= NULL(T).                     { A = campAstLeaf(ctx, T); }
expr(A) ::= NOW(T).                      { A = campAstLeaf(ctx, T); }

/* template := expr ('|' IDENT [':' expr (',' expr)*])* */
tpl(A) ::= expr(E) pipes(P).             { A = campAstPipes(ctx, E, P.head); }
pipes(A) ::= .                           { A = campAstChain(ctx, 0, 0); }
pipes(A) ::= pipes(B) pipe(C).           { A = campAstChain(ctx, &B, C); }
pipe(A) ::= PIPE ID(N).                  { A = campAstPipe(ctx, N, 0); }
pipe(A) ::= PIPE ID(N) COLON exprlist(X). { A = campAstPipe(ctx, N, X.head); }
