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
} Diags;

void campDiagInit(Diags *d);
void campDiagFree(Diags *d);

/* Read a file into the table; returns its index, or -1 with errno set. */
int campDiagLoadFile(Diags *d, const char *path);
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
