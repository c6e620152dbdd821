/*
** grammar/lexer.re -- camp's tokenizer (re2c).
**
** Owns: turning bytes into tokens with byte offsets.  Does not own: what the
** tokens mean (parser.y) or line/column numbers (diag.c computes them when a
** diagnostic is printed).  Keywords are contextual: the parser falls back to
** an identifier where a keyword cannot stand, so a field may be called
** `email`, `text` or `body`.
*/
#include <string.h>
#include "compiler/ast.h"
#include "parser.h"

/* Scan a """...""" string whose opening quotes end at p; returns the end
** (after the closing quotes) or NULL when the file ends first. */
static const unsigned char *scanTriple(const unsigned char *p, const unsigned char *end) {
  for (; p + 3 <= end; p++) {
    if (p[0] == '"' && p[1] == '"' && p[2] == '"') return p + 3;
    if (p[0] == '\\') p++;
  }
  return NULL;
}

Token campLexToken(Lexer *lx, const char **why) {
  const unsigned char *base = (const unsigned char *)lx->text;
  const unsigned char *end = base + lx->len;
  const unsigned char *YYCURSOR, *YYMARKER, *tok;
  Token t;
  *why = NULL;
again:
  YYCURSOR = tok = base + lx->pos;
  t.off = lx->base + lx->pos;
/*!re2c
  re2c:define:YYCTYPE = "unsigned char";
  re2c:yyfill:enable = 0;
  re2c:indent:top = 1;

  digit = [0-9];
  id    = [a-zA-Z_][a-zA-Z0-9_]*;
  ws    = [ \t\r\f\v]+;
  unit  = ("minute" | "hour" | "day" | "week" | "month") "s"?;
  date  = digit{4} "-" digit{2} "-" digit{2};
  clock = digit{2} ":" digit{2} (":" digit{2})?;
  zone  = "Z" | [+-] digit{2} ":" digit{2};

  "\x00"      { if (tok >= end) { t.type = 0; t.off = lx->base + lx->len; t.len = 0; return t; }
                *why = "NUL byte"; t.type = TK_ILLEGAL; goto done; }
  ws | "\n"   { lx->pos = (uint32_t)(YYCURSOR - base); goto again; }
  "#" [^\n\x00]*  { if (!lx->comments) { lx->pos = (uint32_t)(YYCURSOR - base); goto again; }
                t.type = TK_COMMENT; goto done; }

  "use"       { t.type = TK_USE; goto done; }
  "model"     { t.type = TK_MODEL; goto done; }
  "campaign"  { t.type = TK_CAMPAIGN; goto done; }
  "list"      { t.type = TK_LIST; goto done; }
  "mailing"   { t.type = TK_MAILING; goto done; }
  "initiative" { t.type = TK_INITIATIVE; goto done; }
  "kind"      { t.type = TK_KIND; goto done; }
  "keep_contacted" { t.type = TK_KEEP_CONTACTED; goto done; }
  "start"     { t.type = TK_START; goto done; }
  "end"       { t.type = TK_END; goto done; }
  "budget"    { t.type = TK_BUDGET; goto done; }
  "description" { t.type = TK_DESCRIPTION; goto done; }
  "scale"     { t.type = TK_SCALE; goto done; }
  "website"   { t.type = TK_WEBSITE; goto done; }
  "site_id"   { t.type = TK_SITE_ID; goto done; }
  "url"       { t.type = TK_URL; goto done; }
  "goal"      { t.type = TK_GOAL; goto done; }
  "identify"  { t.type = TK_IDENTIFY; goto done; }
  "link_token" { t.type = TK_LINK_TOKEN; goto done; }
  "visit"     { t.type = TK_VISIT; goto done; }
  "event"     { t.type = TK_EVENT; goto done; }
  "sync"      { t.type = TK_SYNC; goto done; }
  "mailchimp" { t.type = TK_MAILCHIMP; goto done; }
  "dotdigital" { t.type = TK_DOTDIGITAL; goto done; }
  "audience"  { t.type = TK_AUDIENCE; goto done; }
  "segment"   { t.type = TK_SEGMENT; goto done; }
  "address_book" { t.type = TK_ADDRESS_BOOK; goto done; }
  "field"     { t.type = TK_FIELD; goto done; }
  "every"     { t.type = TK_EVERY; goto done; }
  "via"       { t.type = TK_VIA; goto done; }
  "timezone"  { t.type = TK_TIMEZONE; goto done; }
  "send"      { t.type = TK_SEND; goto done; }
  "between"   { t.type = TK_BETWEEN; goto done; }
  "cap"       { t.type = TK_CAP; goto done; }
  "per"       { t.type = TK_PER; goto done; }
  "priority"  { t.type = TK_PRIORITY; goto done; }
  "skip"      { t.type = TK_SKIP; goto done; }
  "exempt"    { t.type = TK_EXEMPT; goto done; }
  "split"     { t.type = TK_SPLIT; goto done; }
  "if"        { t.type = TK_IF; goto done; }
  "else"      { t.type = TK_ELSE; goto done; }
  "test"      { t.type = TK_TEST; goto done; }
  "variant"   { t.type = TK_VARIANT; goto done; }
  "winner"    { t.type = TK_WINNER; goto done; }
  "by"        { t.type = TK_BY; goto done; }
  "local"     { t.type = TK_LOCAL; goto done; }
  "div"       { t.type = TK_DIV; goto done; }
  "records"   { t.type = TK_RECORDS; goto done; }
  "expect"    { t.type = TK_EXPECT; goto done; }
  "add"       { t.type = TK_ADD; goto done; }
  "remove"    { t.type = TK_REMOVE; goto done; }
  "refresh"   { t.type = TK_REFRESH; goto done; }
  "sent"      { t.type = TK_SENT; goto done; }
  "trace"     { t.type = TK_TRACE; goto done; }
  "for"       { t.type = TK_FOR; goto done; }
  "target"    { t.type = TK_TARGET; goto done; }
  "where"     { t.type = TK_WHERE; goto done; }
  "unique"    { t.type = TK_UNIQUE; goto done; }
  "code"      { t.type = TK_CODE; goto done; }
  "email"     { t.type = TK_EMAIL; goto done; }
  "sms"       { t.type = TK_SMS; goto done; }
  "action"    { t.type = TK_ACTION; goto done; }
  "after"     { t.type = TK_AFTER; goto done; }
  "subject"   { t.type = TK_SUBJECT; goto done; }
  "body"      { t.type = TK_BODY; goto done; }
  "text"      { t.type = TK_TEXT; goto done; }
  "from"      { t.type = TK_FROM; goto done; }
  "expire"    { t.type = TK_EXPIRE; goto done; }
  "on" ws ('mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun')
              { /* a window's days: `on` and the first day, unless the word goes on (`on monday`) */
                if (YYCURSOR < end && (*YYCURSOR == '_' || (*YYCURSOR | 0x20) - 'a' < 26u || *YYCURSOR - '0' < 10u)) {
                  YYCURSOR = tok + 2; t.type = TK_ON; goto done;
                }
                t.type = TK_ONDAY; goto done; }
  "on"        { t.type = TK_ON; goto done; }
  "within"    { t.type = TK_WITHIN; goto done; }
  "done"      { t.type = TK_DONE; goto done; }
  "open"      { t.type = TK_OPEN; goto done; }
  "click"     { t.type = TK_CLICK; goto done; }
  "reply"     { t.type = TK_REPLY; goto done; }
  "bounce"    { t.type = TK_BOUNCE; goto done; }
  "no"        { t.type = TK_NO; goto done; }
  "to"        { t.type = TK_TO; goto done; }
  "at"        { t.type = TK_AT; goto done; }
  "or"        { t.type = TK_OR; goto done; }
  "and"       { t.type = TK_AND; goto done; }
  "not"       { t.type = TK_NOT; goto done; }
  "in"        { t.type = TK_IN; goto done; }
  "like"      { t.type = TK_LIKE; goto done; }
  "is"        { t.type = TK_IS; goto done; }
  "set"       { t.type = TK_SET; goto done; }
  "optout"    { t.type = TK_OPTOUT; goto done; }
  "true"      { t.type = TK_TRUE; goto done; }
  "false"     { t.type = TK_FALSE; goto done; }
  "null"      { t.type = TK_NULL; goto done; }
  "now"       { t.type = TK_NOW; goto done; }
  id          { t.type = TK_ID; goto done; }

  digit+ ws? unit           { t.type = TK_DURATION; goto done; }
  date ("T" clock zone? | " " digit{2} ":" digit{2})   { t.type = TK_DATETIME; goto done; }
  date                      { t.type = TK_DATETIME; goto done; }
  digit{1,2} ":" digit{2}   { t.type = TK_CLOCK; goto done; }     /* 9:00 too, for E082 to say "09:00" */
  digit+ "." digit+         { t.type = TK_REAL; goto done; }
  digit+                    { t.type = TK_INT; goto done; }

  '"""'       { const unsigned char *e = scanTriple(YYCURSOR, end);
                if (!e) { *why = "unterminated string (the file ends before '\"\"\"')";
                          YYCURSOR = end; t.type = TK_ILLEGAL; goto done; }
                YYCURSOR = e; t.type = TK_STRING; goto done; }
  ["] ([^"\\\n\x00] | "\\" [^\n\x00])* ["]  { t.type = TK_STRING; goto done; }
  ['] ([^'\\\n\x00] | "\\" [^\n\x00])* [']  { t.type = TK_STRING; goto done; }
  ["'] ([^"'\\\n\x00] | "\\" [^\n\x00])*    { *why = "unterminated string (a string ends on its own line)";
                t.type = TK_ILLEGAL; goto done; }

  "{"  { t.type = TK_LBRACE; goto done; }
  "}"  { t.type = TK_RBRACE; goto done; }
  "("  { t.type = TK_LPAREN; goto done; }
  ")"  { t.type = TK_RPAREN; goto done; }
  "["  { t.type = TK_LBRACKET; goto done; }
  "]"  { t.type = TK_RBRACKET; goto done; }
  ","  { t.type = TK_COMMA; goto done; }
  ":"  { t.type = TK_COLON; goto done; }
  "|"  { t.type = TK_PIPE; goto done; }
  "="  { t.type = TK_EQ; goto done; }
  "==" { t.type = TK_EQ; goto done; }
  "!=" { t.type = TK_NE; goto done; }
  "<>" { t.type = TK_NE; goto done; }
  "<"  { t.type = TK_LT; goto done; }
  "<=" { t.type = TK_LE; goto done; }
  ">"  { t.type = TK_GT; goto done; }
  ">=" { t.type = TK_GE; goto done; }
  "+"  { t.type = TK_PLUS; goto done; }
  "-"  { t.type = TK_MINUS; goto done; }
  "*"  { t.type = TK_STAR; goto done; }
  "/"  { t.type = TK_SLASH; goto done; }
  "%"  { t.type = TK_PERCENT; goto done; }
  "."  { t.type = TK_DOT; goto done; }

  [\x80-\xff]+ | [^]  { *why = "character not allowed here"; t.type = TK_ILLEGAL; goto done; }
*/
done:
  if (YYCURSOR > end) YYCURSOR = end;
  t.len = (uint32_t)(YYCURSOR - tok);
  lx->pos = (uint32_t)(YYCURSOR - base);
  return t;
}

const char *campLexTokenName(int type) {
  switch (type) {
  case 0: return "end of file";
  case TK_ID: return "identifier";
  case TK_STRING: return "string";
  case TK_INT: return "integer";
  case TK_REAL: return "number";
  case TK_DATETIME: return "datetime";
  case TK_DURATION: return "duration";
  case TK_COMMENT: return "comment";
  case TK_ILLEGAL: return "invalid token";
  case TK_LBRACE: return "'{'";
  case TK_RBRACE: return "'}'";
  case TK_LPAREN: return "'('";
  case TK_RPAREN: return "')'";
  case TK_LBRACKET: return "'['";
  case TK_RBRACKET: return "']'";
  case TK_COMMA: return "','";
  case TK_COLON: return "':'";
  case TK_PIPE: return "'|'";
  case TK_EQ: return "'='";
  case TK_NE: return "'!='";
  case TK_LT: return "'<'";
  case TK_LE: return "'<='";
  case TK_GT: return "'>'";
  case TK_GE: return "'>='";
  case TK_PLUS: return "'+'";
  case TK_MINUS: return "'-'";
  case TK_STAR: return "'*'";
  case TK_SLASH: return "'/'";
  case TK_PERCENT: return "'%'";
  case TK_CLOCK: return "time of day";
  case TK_USE: return "'use'";
  case TK_MODEL: return "'model'";
  case TK_CAMPAIGN: return "'campaign'";
  case TK_LIST: return "'list'";
  case TK_MAILING: return "'mailing'";
  case TK_INITIATIVE: return "'initiative'";
  case TK_KIND: return "'kind'";
  case TK_KEEP_CONTACTED: return "'keep_contacted'";
  case TK_START: return "'start'";
  case TK_END: return "'end'";
  case TK_BUDGET: return "'budget'";
  case TK_DESCRIPTION: return "'description'";
  case TK_SCALE: return "'scale'";
  case TK_WEBSITE: return "'website'";
  case TK_SITE_ID: return "'site_id'";
  case TK_URL: return "'url'";
  case TK_GOAL: return "'goal'";
  case TK_IDENTIFY: return "'identify'";
  case TK_LINK_TOKEN: return "'link_token'";
  case TK_VISIT: return "'visit'";
  case TK_EVENT: return "'event'";
  case TK_SYNC: return "'sync'";
  case TK_MAILCHIMP: return "'mailchimp'";
  case TK_DOTDIGITAL: return "'dotdigital'";
  case TK_AUDIENCE: return "'audience'";
  case TK_SEGMENT: return "'segment'";
  case TK_ADDRESS_BOOK: return "'address_book'";
  case TK_FIELD: return "'field'";
  case TK_EVERY: return "'every'";
  case TK_VIA: return "'via'";
  case TK_TIMEZONE: return "'timezone'";
  case TK_SEND: return "'send'";
  case TK_BETWEEN: return "'between'";
  case TK_CAP: return "'cap'";
  case TK_PER: return "'per'";
  case TK_PRIORITY: return "'priority'";
  case TK_SKIP: return "'skip'";
  case TK_EXEMPT: return "'exempt'";
  case TK_SPLIT: return "'split'";
  case TK_IF: return "'if'";
  case TK_ELSE: return "'else'";
  case TK_TEST: return "'test'";
  case TK_VARIANT: return "'variant'";
  case TK_WINNER: return "'winner'";
  case TK_BY: return "'by'";
  case TK_LOCAL: return "'local'";
  case TK_DIV: return "'div'";
  case TK_RECORDS: return "'records'";
  case TK_EXPECT: return "'expect'";
  case TK_ADD: return "'add'";
  case TK_REMOVE: return "'remove'";
  case TK_REFRESH: return "'refresh'";
  case TK_SENT: return "'sent'";
  case TK_TRACE: return "'trace'";
  case TK_FOR: return "'for'";
  case TK_DOT: return "'.'";
  case TK_TARGET: return "'target'";
  case TK_WHERE: return "'where'";
  case TK_UNIQUE: return "'unique'";
  case TK_CODE: return "'code'";
  case TK_EMAIL: return "'email'";
  case TK_SMS: return "'sms'";
  case TK_ACTION: return "'action'";
  case TK_AFTER: return "'after'";
  case TK_SUBJECT: return "'subject'";
  case TK_BODY: return "'body'";
  case TK_TEXT: return "'text'";
  case TK_FROM: return "'from'";
  case TK_EXPIRE: return "'expire'";
  case TK_ON: return "'on'";
  case TK_ONDAY: return "'on' and a day";
  case TK_WITHIN: return "'within'";
  case TK_DONE: return "'done'";
  case TK_OPEN: return "'open'";
  case TK_CLICK: return "'click'";
  case TK_REPLY: return "'reply'";
  case TK_BOUNCE: return "'bounce'";
  case TK_NO: return "'no'";
  case TK_TO: return "'to'";
  case TK_AT: return "'at'";
  case TK_OR: return "'or'";
  case TK_AND: return "'and'";
  case TK_NOT: return "'not'";
  case TK_IN: return "'in'";
  case TK_LIKE: return "'like'";
  case TK_IS: return "'is'";
  case TK_SET: return "'set'";
  case TK_OPTOUT: return "'optout'";
  case TK_TRUE: return "'true'";
  case TK_FALSE: return "'false'";
  case TK_NULL: return "'null'";
  case TK_NOW: return "'now'";
  default: return "token";
  }
}
