/*
** cli/cli.h -- what the command files share.
**
** Owns: the command prototypes (from commands.def) and small helpers for
** argument parsing.  Only cli/ includes both compiler and runtime headers.
*/
#ifndef CAMP_CLI_H
#define CAMP_CLI_H

#include "runtime/engine.h"
#include "runtime/store.h"

#define COMMAND(name, fn, summary) int fn(int argc, char **argv);
#include "cli/commands.def"
#undef COMMAND

/* Print "camp CMD: msg" to stderr; returns 2 (the usage / I/O exit code). */
int campCliUsage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* If argv[*i] is "--name" take argv[*i+1], or "--name=value": store it in
** *value and advance *i; returns 1 when matched, 0 when not, -1 when the
** value is missing (after printing a usage error). */
int campCliOpt(int argc, char **argv, int *i, const char *name, const char **value);

/* The database a command opens: given (--db) unless NULL, else $CAMP_DB,
** else camp.db in the current directory (an empty value counts as unset).
** The one place that reads $CAMP_DB. */
const char *campCliDbPath(const char *given);

/* --format: given (NULL: the first of names) must be one of names, a
** NULL-ended list whose first is the table (or text) layout; *out gets its
** ReportFormat.  0, or 2 after "unknown format 'x' (a, b or c)". */
int campCliFormat(const char *cmd, const char *given, const char *const *names, ReportFormat *out);

/* The key that signs tracking tokens: $CAMP_SECRET when set, else the
** database's own secret (made by camp init and kept in the database).
** There is no built-in default. */
const char *campCliSecret(Engine *e);

#include <stddef.h>
#include <stdint.h>

/* Compile path to an image (*img malloc'd); diagnostics go to stderr.
** root: the project directory (--root), or NULL for the file's own.
** Returns 0, 1 (errors in the file) or 2 (cannot read it). */
int campCliCompileFile(const char *cmd, const char *root, const char *path, uint8_t **img, size_t *len);
/* The same, and the source of its campaigns property by property appended
** to *src (compiler/source.h) for deploy and plan to keep and compare. */
int campCliCompileSource(const char *cmd, const char *root, const char *path, uint8_t **img, size_t *len, DeploySource *src);

/* --root DIR: make dir the fixed project directory of d (the diagnostics
** and sources of a compilation).  Returns 0, or 2 after a usage message. */
struct Diags;
int campCliPathAndRoot(int argc, char **argv, const char **path, const char **root);
int campCliSetRoot(const char *cmd, struct Diags *d, const char *dir);

/* Paths: a file, or every *.camp below a directory, sorted. */
typedef struct PathList { char **v; size_t n, cap; } PathList;
int campCliCollectCamp(const char *cmd, const char *path, PathList *out);

#endif
