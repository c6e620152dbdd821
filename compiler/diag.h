/*
** compiler/diag.h -- source files and diagnostics.
**
** Owns: the table of loaded source files (text, line starts), collecting
** diagnostics with stable codes, and printing them as text (gcc style, with
** the source line and a caret span), JSON, SARIF 2.1.0 or GitHub annotations.
** Does not own: deciding what is wrong (lexer, parser, resolve).
*/
#ifndef CAMP_DIAG_H
#define CAMP_DIAG_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

typedef enum { SEV_ERROR = 0, SEV_WARNING, SEV_NOTE } Severity;

typedef enum {
#define DIAG(code, sev, slug, summary) DIAG_##code,
#include "compiler/diag.def"
#undef DIAG
  DIAG_COUNT_,
  DIAG_NOTE = 0xffff            /* a note attached to the previous diagnostic */
} DiagCode;

typedef struct Source {
  char *path;                   /* as given or as resolved from a `use` */
  char *text;                   /* the whole file, NUL-terminated */
  uint32_t len;
  uint32_t *lineStart;          /* computed on first need */
  uint32_t nline;
} Source;

typedef struct Diag {
  uint8_t sev;                  /* Severity */
  uint16_t code;                /* DiagCode or DIAG_NOTE */
  uint32_t file;                /* index into Diags.src */
  uint32_t off, len;            /* byte span in that file */
  char *msg;                    /* malloc'd */
} Diag;

typedef struct Diags {
  Source *src; uint32_t nsrc, capSrc;
  uint32_t *byPath; uint32_t capByPath;   /* hash of paths: source index + 1 */
  Diag *v; uint32_t n, cap;
  uint32_t nerror, nwarning;
  int werror;                   /* treat warnings as errors when counting */
  /* the project directory: `use`d and body files load only from below it */
  char *rootShow;               /* as given (for messages) */
  char *rootLex;                /* absolute, "." and ".." folded by spelling */
  char *rootReal;               /* realpath: symbolic links resolved */
  int rootFixed;                /* from --root: not replaced per root file */
} Diags;

/* The most bytes a source or body file may have. */
#define DIAG_FILE_MAX (16u << 20)
#define DIAG_FILE_MAX_TEXT "16 MiB"

void campDiagInit(Diags *d);
void campDiagFree(Diags *d);

/* Read a file named by the user (on the command line) into the table, at
** most DIAG_FILE_MAX bytes; returns its index, or -1 with errno set (EFBIG:
** too big, see campDiagLoadError). */
int campDiagLoadFile(Diags *d, const char *path);
/* strerror(e), except EFBIG names the size limit. */
const char *campDiagLoadError(int e);

/* Set the project directory (fixed: --root, kept for every root file;
** else replaced by the next campDiagRootFor).  Returns 0, or -1 with errno
** when dir is not a readable directory. */
int campDiagSetRoot(Diags *d, const char *dir, int fixed);
/* Unless a fixed root is set, make file's directory the project directory. */
int campDiagRootFor(Diags *d, const char *file);
/* Load a `use`d or body file (what: "" or "body file ", for the message):
** only a regular file of at most DIAG_FILE_MAX bytes whose path, both as
** spelt and with symbolic links resolved, is under the project directory.
** Returns its index (loaded once per path), or -1 with errno and a one-line
** reason in *why (malloc'd, the caller frees) that names the path and the
** rule, never anything the file holds. */
int campDiagLoadUsed(Diags *d, const char *path, const char *what, char **why);
/* Add text already in memory (takes a copy); returns its index. */
int campDiagAddSource(Diags *d, const char *path, const char *text, size_t len);
/* The index of an already loaded file with this exact path, or -1. */
int campDiagFindSource(const Diags *d, const char *path);

/* Report.  The severity comes from diag.def (DIAG_NOTE: a note). */
void campDiagReport(Diags *d, DiagCode code, uint32_t file, uint32_t off,
                    uint32_t len, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
void campDiagReportV(Diags *d, DiagCode code, uint32_t file, uint32_t off,
                     uint32_t len, const char *fmt, va_list ap);

/* 1-based line and column (column counts bytes) of an offset. */
void campDiagLineCol(Diags *d, uint32_t file, uint32_t off, uint32_t *line, uint32_t *col);

/* s as a GitHub workflow command's data (prop 0) or property value (1):
** % CR LF escaped, and : , in a property. */
void campDiagGithubEscape(const char *s, int prop, FILE *out);

/* "E012" for a code; the slug and summary from diag.def. */
const char *campDiagCodeName(int code);
const char *campDiagSlug(int code);
const char *campDiagSummary(int code);

typedef enum { DIAGFMT_TEXT, DIAGFMT_JSON, DIAGFMT_SARIF, DIAGFMT_GITHUB } DiagFormat;

/* Print diagnostics v[from..n) in a format.  Text goes with source line and
** caret; JSON is one array; SARIF one log with one run; GitHub one
** `::error file=…,line=…,col=…::…` line each. color: ANSI colours in text. */
void campDiagPrint(Diags *d, uint32_t from, DiagFormat fmt, int color, FILE *out);

#endif
