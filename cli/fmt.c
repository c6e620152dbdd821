/*
** cli/fmt.c -- `camp fmt [--check | -w] PATH...`.
**
** Owns: the three modes -- print one file formatted on stdout (the default;
** `-` reads stdin), rewrite files in place (-w: a temporary file beside the
** original, same permissions, then rename, and only when the text changes)
** or check (--check: name each file that would change, exit 1) -- and the
** exit codes: 0 done, 1 a file would change or does not parse, 2 usage or
** I/O.  A file with a syntax error is reported and left alone.  Does not
** own: the layout (compiler/fmt.c).
*/
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli/cli.h"
#include "compiler/ast.h"
#include "compiler/fmt.h"

/* Replace path's contents by text, atomically: the file is either the old
** text or the new one, never a part.  A symbolic link stays a link (its
** target is rewritten).  0, or -1 with errno set. */
static int writeAtomically(const char *path, const char *text, size_t len) {
  char *real = realpath(path, NULL), *tmp = NULL;
  struct stat st;
  int fd = -1, err = 0;
  if (!real || stat(real, &st) < 0 || asprintf(&tmp, "%s.fmt-XXXXXX", real) < 0) { err = errno; tmp = NULL; goto done; }
  fd = mkstemp(tmp);
  if (fd < 0) { err = errno; free(tmp); tmp = NULL; goto done; }
  size_t off = 0;
  while (off < len) {
    ssize_t k = write(fd, text + off, len - off);
    if (k < 0) { if (errno == EINTR) continue; err = errno; goto done; }
    off += (size_t)k;
  }
  if (fchmod(fd, st.st_mode & 07777) < 0) { err = errno; goto done; }
  if (close(fd) < 0) { fd = -1; err = errno; goto done; }
  fd = -1;
  if (rename(tmp, real) < 0) { err = errno; goto done; }
  free(tmp);
  tmp = NULL;
done:
  if (fd >= 0) close(fd);
  if (tmp) { unlink(tmp); free(tmp); }
  free(real);
  errno = err;
  return err ? -1 : 0;
}

/* All of stdin into d as "<stdin>"; its index, or -1 with errno set. */
static int loadStdin(Diags *d) {
  size_t cap = 1 << 16, n = 0, k;
  char *buf = malloc(cap);
  if (!buf) return -1;
  while ((k = fread(buf + n, 1, cap - n, stdin)) > 0) {
    n += k;
    if (n == cap) {
      char *more = n > UINT32_MAX / 2 ? NULL : realloc(buf, cap *= 2);
      if (!more) { free(buf); errno = EFBIG; return -1; }
      buf = more;
    }
  }
  if (ferror(stdin)) { free(buf); errno = EIO; return -1; }
  int file = campDiagAddSource(d, "<stdin>", buf, n);
  free(buf);
  return file;
}

typedef enum { MODE_PRINT, MODE_WRITE, MODE_CHECK } Mode;

/* Format one path in mode; returns 0, 1 (would change, or a syntax error)
** or 2 (cannot read or write it). */
static int fmtOne(const CliArgs *a, const char *path, Mode mode) {
  const char *cmd = a->cmd;
  Diags d;
  Unit u;
  int rc = 0;
  campDiagInit(&d);
  campUnitInit(&u, &d);
  int file = strcmp(path, "-") ? campDiagLoadFile(&d, path) : loadStdin(&d);
  Ast *root = file >= 0 ? campParseFile(&u, (uint32_t)file) : NULL;
  char *text = NULL;
  size_t len = 0;
  if (file < 0) {
    rc = campCliUsage(cmd, "cannot read '%s': %s", path, campDiagLoadError(errno));
  } else if (!root || campFmtSource(&u, (uint32_t)file, root, &text, &len) != 0) {
    campDiagPrint(&d, 0, DIAGFMT_TEXT, campCliColor(a, stderr), stderr);
    rc = 1;
  } else {
    int same = len == d.src[file].len && !memcmp(text, d.src[file].text, len);
    if (mode == MODE_PRINT) {
      if (fwrite(text, 1, len, stdout) != len) rc = campCliUsage(cmd, "cannot write: %s", strerror(errno));
    } else if (mode == MODE_CHECK) {
      if (!same) { printf("%s\n", strcmp(path, "-") ? path : "<stdin>"); rc = 1; }
    } else if (!same && writeAtomically(path, text, len) < 0) {
      rc = campCliUsage(cmd, "cannot write '%s': %s", path, strerror(errno));
    }
  }
  free(text);
  campUnitFree(&u);
  campDiagFree(&d);
  return rc;
}

static int fmt(const CliArgs *a) {
  static const char usage[] = "usage: camp fmt [--check | -w] PATH...  (a directory: every *.camp below it; -: stdin)";
  int check = a->opt[O_CHECK] != NULL, write = a->opt[O_WRITE] != NULL, rc = 0, stdinUsed = 0;
  PathList paths = { 0 };
  for (int i = 0; i < a->npos; i++) {
    if (!strcmp(a->pos[i], "-")) {
      stdinUsed++;
      if (paths.n == paths.cap) {
        paths.cap = paths.cap ? paths.cap * 2 : 8;
        paths.v = realloc(paths.v, paths.cap * sizeof *paths.v);
        if (!paths.v) return campCliUsage(a->cmd, "out of memory");
      }
      paths.v[paths.n++] = strdup("-");
    } else if (campCliCollectCamp(a->cmd, a->pos[i], &paths) < 0) rc = 2;
  }
  int bad = 0;
  if (check && write) bad = campCliUsage(a->cmd, "--check and -w exclude each other");
  else if (!paths.n && !rc) bad = campCliUsage(a->cmd, "%s", usage);
  else if (write && stdinUsed) bad = campCliUsage(a->cmd, "-w cannot rewrite stdin");
  else if (stdinUsed > 1) bad = campCliUsage(a->cmd, "stdin ('-') given twice");
  else if (!check && !write && paths.n > 1)
    bad = campCliUsage(a->cmd, "one file at a time on stdout (-w rewrites files, --check names those that would change)");
  for (size_t i = 0; i < paths.n; i++) {
    if (!bad) {
      int r = fmtOne(a, paths.v[i], check ? MODE_CHECK : write ? MODE_WRITE : MODE_PRINT);
      if (r > rc) rc = r;
    }
    free(paths.v[i]);
  }
  free(paths.v);
  if (fflush(stdout) != 0 && !bad) rc = campCliUsage(a->cmd, "cannot write: %s", strerror(errno));
  return bad ? bad : rc;
}

const CliSpec campCmdFmt = {
  "fmt", "format campaign files in the canonical layout", fmt,
  "camp fmt FILE.camp|-\ncamp fmt -w PATH...\ncamp fmt --check PATH...",
  "Prints one file formatted (- reads stdin), rewrites files in place (-w: atomically, and only\n"
  "when the text changes) or names the files that would change (--check, for CI).  A file with\n"
  "a syntax error is reported and left alone.",
  (const CliOptUse[]){ { O_CHECK, NULL }, { O_WRITE, NULL }, { CLI_NOPT, NULL } },
  NULL, "camp fmt --check examples/",
  "0\tdone; with --check: every file is formatted\n1\ta file would change or does not parse\n2\tusage error, or a file cannot be read or written", 0,
};
