/*
** cli/frontend.c -- `camp tokens` and `camp ast`: the front end's raw output,
** for golden tests and for debugging a grammar change.
*/
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "compiler/compile.h"

static int loadOne(Diags *d, const char *cmd, const char *path) {
  int f = campDiagLoadFile(d, path);
  if (f < 0) campCliUsage(cmd, "cannot read '%s': %s", path, campDiagLoadError(errno));
  return f;
}

static int tokens(const CliArgs *a) {
  if (a->npos != 1) return campCliUsage(a->cmd, "usage: camp tokens FILE");
  Diags d;
  campDiagInit(&d);
  int f = loadOne(&d, a->cmd, a->pos[0]);
  if (f < 0) return 2;
  Source *s = &d.src[f];
  Lexer lx = { .text = s->text, .len = s->len, .comments = 1 };
  int rc = 0;
  for (;;) {
    const char *why;
    Token t = campLexToken(&lx, &why);
    uint32_t line, col;
    campDiagLineCol(&d, (uint32_t)f, t.off, &line, &col);
    printf("%u:%u %s", line, col, campLexTokenName(t.type));
    if (t.len) printf(" %.*s", (int)t.len, s->text + t.off);
    putchar('\n');
    if (t.type == 0) break;
    if (why) {
      campDiagReport(&d, strstr(why, "string") ? DIAG_E002 : DIAG_E003, (uint32_t)f, t.off, t.len, "%s", why);
      rc = 1;
      break;
    }
  }
  campDiagPrint(&d, 0, DIAGFMT_TEXT, 0, stderr);
  campDiagFree(&d);
  return rc;
}

static int ast(const CliArgs *a) {
  if (a->npos != 1) return campCliUsage(a->cmd, "usage: camp ast FILE");
  Diags d;
  Unit u;
  campDiagInit(&d);
  campUnitInit(&u, &d);
  int f = loadOne(&d, a->cmd, a->pos[0]);
  if (f < 0) return 2;
  Ast *root = campParseFile(&u, (uint32_t)f);
  if (root) campAstDump(&u, root, stdout);
  campDiagPrint(&d, 0, DIAGFMT_TEXT, 0, stderr);
  int rc = d.nerror ? 1 : 0;
  campUnitFree(&u);
  campDiagFree(&d);
  return rc;
}

const CliSpec campCmdTokens = {
  "tokens", "print the tokens of a file (for golden tests)", tokens, "camp tokens FILE.camp", NULL,
  NULL, NULL, "camp tokens examples/welcome_flow.camp", "0\tprinted\n1\ta lexical error\n2\tusage error or the file cannot be read", 1,
};

const CliSpec campCmdAst = {
  "ast", "print the syntax tree of a file (for golden tests)", ast, "camp ast FILE.camp", NULL,
  NULL, NULL, "camp ast examples/welcome_flow.camp", "0\tprinted\n1\ta syntax error\n2\tusage error or the file cannot be read", 1,
};
