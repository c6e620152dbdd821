/*
** compiler/diag.c -- source files and diagnostics.
**
** Owns: loading source text (bounded reads; `use`d and body files only
** from regular files under the project directory), collecting diagnostics
** (deduplicated, so a file used by many campaigns reports its problems
** once) and printing them in the four formats of `camp check`.  Does not
** own: deciding what is wrong.
*/
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/diag.h"
#include "runtime/hash.h"

static const struct { const char *name, *slug, *summary; uint8_t sev; } codes[] = {
#define ERROR SEV_ERROR
#define WARNING SEV_WARNING
#define DIAG(code, sev, slug, summary) { #code, #slug, summary, sev },
#include "compiler/diag.def"
#undef DIAG
#undef ERROR
#undef WARNING
};

static void indexSource(Diags *d);

static void *xrealloc(void *p, size_t n) {
  p = realloc(p, n);
  if (!p) { fputs("camp: out of memory\n", stderr); abort(); }
  return p;
}

void campDiagInit(Diags *d) { memset(d, 0, sizeof *d); }

void campDiagFree(Diags *d) {
  free(d->rootShow); free(d->rootLex); free(d->rootReal);
  for (uint32_t i = 0; i < d->nsrc; i++) {
    free(d->src[i].path); free(d->src[i].text); free(d->src[i].lineStart);
  }
  for (uint32_t i = 0; i < d->n; i++) free(d->v[i].msg);
  free(d->src); free(d->v); free(d->byPath);
  memset(d, 0, sizeof *d);
}

/* Enter text (NUL-terminated at len, owned from now on) as a new source. */
static int addSource(Diags *d, const char *path, char *text, size_t len) {
  if (d->nsrc == d->capSrc) {
    d->capSrc = d->capSrc ? d->capSrc * 2 : 16;
    d->src = xrealloc(d->src, d->capSrc * sizeof *d->src);
  }
  Source *s = &d->src[d->nsrc];
  memset(s, 0, sizeof *s);
  s->path = strdup(path);
  s->text = text;
  s->len = (uint32_t)len;
  d->nsrc++;
  indexSource(d);
  return (int)d->nsrc - 1;
}

int campDiagAddSource(Diags *d, const char *path, const char *text, size_t len) {
  char *copy = xrealloc(NULL, len + 1);
  memcpy(copy, text, len);
  copy[len] = 0;
  return addSource(d, path, copy, len);
}

static uint32_t pathHash(const char *s) { return campHashFnv1a(s, strlen(s)); }

int campDiagFindSource(const Diags *d, const char *path) {
  if (!d->capByPath) return -1;
  for (uint32_t k = pathHash(path) & (d->capByPath - 1); d->byPath[k]; k = (k + 1) & (d->capByPath - 1))
    if (!strcmp(d->src[d->byPath[k] - 1].path, path)) return (int)d->byPath[k] - 1;
  return -1;
}

/* Enter the newest source in the path hash (growing it at half full). */
static void indexSource(Diags *d) {
  if (d->nsrc * 2 > d->capByPath) {
    uint32_t cap = d->capByPath ? d->capByPath * 2 : 64;
    free(d->byPath);
    d->byPath = calloc(cap, sizeof *d->byPath);
    if (!d->byPath) { fputs("camp: out of memory\n", stderr); abort(); }
    d->capByPath = cap;
    for (uint32_t i = 0; i + 1 < d->nsrc; i++) {
      uint32_t k = pathHash(d->src[i].path) & (cap - 1);
      while (d->byPath[k]) k = (k + 1) & (cap - 1);
      d->byPath[k] = i + 1;
    }
  }
  uint32_t k = pathHash(d->src[d->nsrc - 1].path) & (d->capByPath - 1);
  while (d->byPath[k]) k = (k + 1) & (d->capByPath - 1);
  d->byPath[k] = d->nsrc;
}

/* Read fd to EOF into a new source named path, at most DIAG_FILE_MAX bytes
** whatever fstat said (a file may grow, /proc files say 0, a device never
** ends).  Closes fd.  Returns the source index, or -1 with errno (EFBIG
** past the limit): nothing read is kept. */
static int readSource(Diags *d, const char *path, int fd, off_t sizeHint) {
  size_t cap = sizeHint > 0 && sizeHint < DIAG_FILE_MAX ? (size_t)sizeHint + 1 : 4096, len = 0;
  char *buf = xrealloc(NULL, cap + 1);
  for (;;) {
    if (len == cap) {
      if (cap > DIAG_FILE_MAX) { free(buf); close(fd); errno = EFBIG; return -1; }
      cap = cap * 2 > (size_t)DIAG_FILE_MAX + 1 ? (size_t)DIAG_FILE_MAX + 1 : cap * 2;
      buf = xrealloc(buf, cap + 1);
    }
    ssize_t n = read(fd, buf + len, cap - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) { int e = errno; free(buf); close(fd); errno = e; return -1; }
    if (n == 0) break;
    len += (size_t)n;
  }
  close(fd);
  if (len > DIAG_FILE_MAX) { free(buf); errno = EFBIG; return -1; }
  buf[len] = 0;
  return addSource(d, path, buf, len);
}

int campDiagLoadFile(Diags *d, const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0) return -1;
  if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
    int e = S_ISDIR(st.st_mode) ? EISDIR : errno;
    close(fd);
    errno = e;
    return -1;
  }
  if (S_ISREG(st.st_mode) && st.st_size > (off_t)DIAG_FILE_MAX) { close(fd); errno = EFBIG; return -1; }
  return readSource(d, path, fd, S_ISREG(st.st_mode) ? st.st_size : 0);
}

const char *campDiagLoadError(int e) {
  return e == EFBIG ? "larger than the " DIAG_FILE_MAX_TEXT " limit of a source or body file" : strerror(e);
}

/* -- the project directory ------------------------------------------------- */

/* path made absolute (against the working directory) with "." and ".."
** folded by spelling alone, symbolic links not followed; malloc'd or NULL. */
static char *lexicalPath(const char *path) {
  char cwd[PATH_MAX];
  if (path[0] != '/' && !getcwd(cwd, sizeof cwd)) return NULL;
  size_t n = (path[0] == '/' ? 0 : strlen(cwd)) + strlen(path) + 2;
  char *out = malloc(n), *o = out;
  if (!out) return NULL;
  /* two passes: the working directory's components, then the path's */
  const char *p = path[0] == '/' ? path : cwd;
  *o = 0;
  for (int pass = path[0] == '/' ? 1 : 0; pass < 2; pass++, p = path) {
    while (*p) {
      while (*p == '/') p++;
      const char *e = p;
      while (*e && *e != '/') e++;
      size_t k = (size_t)(e - p);
      if (k == 0 || (k == 1 && p[0] == '.')) { p = e; continue; }
      if (k == 2 && p[0] == '.' && p[1] == '.') {
        while (o > out && *--o != '/') {}
        *o = 0;
      } else {
        *o++ = '/';
        memcpy(o, p, k);
        o += k;
        *o = 0;
      }
      p = e;
    }
  }
  if (o == out) { out[0] = '/'; out[1] = 0; }
  return out;
}

/* Is path (absolute, normalized) root itself or below it? */
static int isUnder(const char *path, const char *root) {
  size_t n = strlen(root);
  if (n == 1 && root[0] == '/') return 1;
  return !strncmp(path, root, n) && (path[n] == 0 || path[n] == '/');
}

int campDiagSetRoot(Diags *d, const char *dir, int fixed) {
  char *real = realpath(dir, NULL);
  struct stat st;
  if (!real) return -1;
  if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) { free(real); errno = ENOTDIR; return -1; }
  char *lex = lexicalPath(dir), *show = strdup(dir);
  if (!lex || !show) { free(real); free(lex); free(show); errno = ENOMEM; return -1; }
  free(d->rootShow); free(d->rootLex); free(d->rootReal);
  d->rootShow = show;
  d->rootLex = lex;
  d->rootReal = real;
  d->rootFixed = fixed;
  return 0;
}

int campDiagRootFor(Diags *d, const char *file) {
  if (d->rootFixed) return 0;
  const char *slash = strrchr(file, '/');
  char *dir = slash ? strndup(file, slash == file ? 1 : (size_t)(slash - file)) : strdup(".");
  if (!dir) return -1;
  int rc = campDiagSetRoot(d, dir, 0);
  free(dir);
  return rc;
}

static const char *fileKind(mode_t m) {
  return S_ISDIR(m) ? "a directory" : S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device" :
         S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket" : S_ISLNK(m) ? "a symbolic link" : "not a plain file";
}

/* The message of a refused or failed load; says nothing of what the file
** holds, only its name, the root and why. */
static int refuse(char **why, int e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int refuse(char **why, int e, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(why, fmt, ap) < 0) { fputs("camp: out of memory\n", stderr); abort(); }
  va_end(ap);
  errno = e;
  return -1;
}

int campDiagLoadUsed(Diags *d, const char *path, const char *what, char **why) {
  *why = NULL;
  if (!d->rootReal && campDiagSetRoot(d, ".", 0) < 0)
    return refuse(why, errno, "cannot read %s'%s': %s", what, path, strerror(errno));
  char *lex = lexicalPath(path);
  if (!lex) return refuse(why, errno, "cannot read %s'%s': %s", what, path, strerror(errno));
  int inside = isUnder(lex, d->rootLex);
  free(lex);
  if (!inside)
    return refuse(why, EACCES, "%s'%s' is outside the project directory '%s' (give --root DIR to widen it)",
                  what, path, d->rootShow);
  char *real = realpath(path, NULL);
  if (!real) return refuse(why, errno, "cannot read %s'%s': %s", what, path, strerror(errno));
  struct stat st;
  int rc = -1, fd = -1;
  if (!isUnder(real, d->rootReal))
    refuse(why, EACCES, "%s'%s' leads outside the project directory '%s' (a symbolic link)",
           what, path, d->rootShow);
  else if (stat(real, &st) < 0)
    refuse(why, errno, "cannot read %s'%s': %s", what, path, strerror(errno));
  else if (!S_ISREG(st.st_mode))       /* refused before open: opening a device can act */
    refuse(why, EINVAL, "%s'%s' is %s, not a regular file", what, path, fileKind(st.st_mode));
  else if (st.st_size > (off_t)DIAG_FILE_MAX)
    refuse(why, EFBIG, "%s'%s' is larger than the %s limit of a source or body file", what, path,
           DIAG_FILE_MAX_TEXT);
  else if ((rc = campDiagFindSource(d, path)) >= 0) {
    /* loaded before, under this check */
  } else if ((fd = open(real, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0)
    refuse(why, errno, "cannot read %s'%s': %s", what, path, strerror(errno));
  else {
    struct stat now;
    /* the same regular file that was checked (not swapped since) */
    if (fstat(fd, &now) < 0 || !S_ISREG(now.st_mode) || now.st_ino != st.st_ino || now.st_dev != st.st_dev) {
      close(fd);
      refuse(why, EAGAIN, "%s'%s' changed while it was read", what, path);
    } else if ((rc = readSource(d, path, fd, now.st_size)) < 0) {
      if (errno == EFBIG)
        refuse(why, EFBIG, "%s'%s' is larger than the %s limit of a source or body file", what, path,
               DIAG_FILE_MAX_TEXT);
      else refuse(why, errno, "cannot read %s'%s': %s", what, path, strerror(errno));
    }
  }
  free(real);
  return rc;
}

static void lineTable(Source *s) {
  if (s->lineStart) return;
  uint32_t n = 1;
  for (uint32_t i = 0; i < s->len; i++) n += s->text[i] == '\n';
  s->lineStart = xrealloc(NULL, n * sizeof *s->lineStart);
  s->lineStart[0] = 0;
  s->nline = 1;
  for (uint32_t i = 0; i < s->len; i++)
    if (s->text[i] == '\n') s->lineStart[s->nline++] = i + 1;
}

void campDiagLineCol(Diags *d, uint32_t file, uint32_t off, uint32_t *line, uint32_t *col) {
  Source *s = &d->src[file];
  lineTable(s);
  if (off > s->len) off = s->len;
  uint32_t lo = 0, hi = s->nline;
  while (hi - lo > 1) {
    uint32_t mid = (lo + hi) / 2;
    if (s->lineStart[mid] <= off) lo = mid; else hi = mid;
  }
  *line = lo + 1;
  *col = off - s->lineStart[lo] + 1;
}

const char *campDiagCodeName(int code) { return code >= 0 && code < DIAG_COUNT_ ? codes[code].name : ""; }
const char *campDiagSlug(int code) { return code >= 0 && code < DIAG_COUNT_ ? codes[code].slug : ""; }
const char *campDiagSummary(int code) { return code >= 0 && code < DIAG_COUNT_ ? codes[code].summary : ""; }

void campDiagReportV(Diags *d, DiagCode code, uint32_t file, uint32_t off, uint32_t len,
                     const char *fmt, va_list ap) {
  char *msg;
  if (vasprintf(&msg, fmt, ap) < 0) { fputs("camp: out of memory\n", stderr); abort(); }
  /* The same finding at the same place: a file used by several roots. */
  for (uint32_t i = d->n; i-- > 0;)
    if (d->v[i].file == file && d->v[i].off == off && d->v[i].code == code && !strcmp(d->v[i].msg, msg)) {
      free(msg);
      return;
    }
  if (d->n == d->cap) { d->cap = d->cap ? d->cap * 2 : 32; d->v = xrealloc(d->v, d->cap * sizeof *d->v); }
  Diag *g = &d->v[d->n++];
  g->code = (uint16_t)code;
  g->sev = code == DIAG_NOTE ? SEV_NOTE : codes[code].sev;
  g->file = file; g->off = off; g->len = len; g->msg = msg;
  if (g->sev == SEV_ERROR) d->nerror++;
  else if (g->sev == SEV_WARNING) d->nwarning++;
}

void campDiagReport(Diags *d, DiagCode code, uint32_t file, uint32_t off, uint32_t len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  campDiagReportV(d, code, file, off, len, fmt, ap);
  va_end(ap);
}

static const char *sevName(int sev) { return sev == SEV_ERROR ? "error" : sev == SEV_WARNING ? "warning" : "note"; }

/* Text: gcc's layout, then the source line and a caret span under it. */
static void printText(Diags *d, const Diag *g, int color, FILE *out) {
  Source *s = &d->src[g->file];
  uint32_t line, col;
  campDiagLineCol(d, g->file, g->off, &line, &col);
  const char *sc = g->sev == SEV_ERROR ? "\033[1;31m" : g->sev == SEV_WARNING ? "\033[1;35m" : "\033[1;36m";
  if (color) fprintf(out, "\033[1m%s:%u:%u: \033[0m%s%s:\033[0m ", s->path, line, col, sc, sevName(g->sev));
  else fprintf(out, "%s:%u:%u: %s: ", s->path, line, col, sevName(g->sev));
  fputs(g->msg, out);
  if (g->code != DIAG_NOTE) fprintf(out, " [%s]", codes[g->code].name);
  fputc('\n', out);
  const char *ls = s->text + s->lineStart[line - 1], *le = ls;
  while (le < s->text + s->len && *le != '\n') le++;
  if (le > ls && le[-1] == '\r') le--;
  int w = snprintf(NULL, 0, "%5u", line);           /* the gutter grows past 99999 lines */
  fprintf(out, "%5u | %.*s\n%*s | ", line, (int)(le - ls), ls, w, "");
  const char *p = ls;
  for (; p < s->text + g->off && p < le; p++) fputc(*p == '\t' ? '\t' : ' ', out);
  if (color) fputs(sc, out);
  fputc('^', out);
  for (uint32_t i = 1; i < g->len && p + i < le; i++) fputc('~', out);
  if (color) fputs("\033[0m", out);
  fputc('\n', out);
}

static json_t *location(Diags *d, const Diag *g) {
  uint32_t line, col, eline, ecol;
  campDiagLineCol(d, g->file, g->off, &line, &col);
  campDiagLineCol(d, g->file, g->off + (g->len ? g->len : 1), &eline, &ecol);
  return json_pack("{s:s,s:i,s:i,s:i,s:i}", "file", d->src[g->file].path,
                   "line", (json_int_t)line, "column", (json_int_t)col,
                   "endLine", (json_int_t)eline, "endColumn", (json_int_t)ecol);
}

static void printJson(Diags *d, uint32_t from, FILE *out) {
  json_t *arr = json_array();
  for (uint32_t i = from; i < d->n; i++) {
    const Diag *g = &d->v[i];
    json_t *o = location(d, g);
    json_object_set_new(o, "severity", json_string(sevName(g->sev)));
    if (g->code != DIAG_NOTE) json_object_set_new(o, "code", json_string(codes[g->code].name));
    json_object_set_new(o, "message", json_string(g->msg));
    json_array_append_new(arr, o);
  }
  json_dumpf(arr, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  fputc('\n', out);
  json_decref(arr);
}

/* SARIF 2.1.0 with every rule in the driver, as GitHub code scanning wants;
** notes become related locations of the result before them. */
static void printSarif(Diags *d, uint32_t from, FILE *out) {
  json_t *rules = json_array(), *results = json_array(), *last = NULL;
  for (int c = 0; c < DIAG_COUNT_; c++)
    json_array_append_new(rules, json_pack("{s:s,s:s,s:{s:s},s:{s:s}}",
        "id", codes[c].name, "name", codes[c].slug, "shortDescription", "text", codes[c].summary,
        "defaultConfiguration", "level", codes[c].sev == SEV_ERROR ? "error" : "warning"));
  for (uint32_t i = from; i < d->n; i++) {
    const Diag *g = &d->v[i];
    uint32_t line, col, eline, ecol;
    campDiagLineCol(d, g->file, g->off, &line, &col);
    campDiagLineCol(d, g->file, g->off + (g->len ? g->len : 1), &eline, &ecol);
    json_t *loc = json_pack("{s:{s:{s:s},s:{s:i,s:i,s:i,s:i}}}", "physicalLocation",
        "artifactLocation", "uri", d->src[g->file].path,
        "region", "startLine", (json_int_t)line, "startColumn", (json_int_t)col,
        "endLine", (json_int_t)eline, "endColumn", (json_int_t)ecol);
    if (g->code == DIAG_NOTE) {
      if (!last) { json_decref(loc); continue; }
      json_t *rel = json_object_get(last, "relatedLocations");
      if (!rel) { rel = json_array(); json_object_set_new(last, "relatedLocations", rel); }
      json_object_set_new(loc, "message", json_pack("{s:s}", "text", g->msg));
      json_array_append_new(rel, loc);
      continue;
    }
    last = json_pack("{s:s,s:i,s:s,s:{s:s},s:[o]}", "ruleId", codes[g->code].name,
        "ruleIndex", (json_int_t)g->code, "level", g->sev == SEV_ERROR ? "error" : "warning",
        "message", "text", g->msg, "locations", loc);
    json_array_append_new(results, last);
  }
  json_t *log = json_pack("{s:s,s:s,s:[{s:{s:{s:s,s:s,s:s,s:o}},s:o,s:s}]}",
      "$schema", "https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0",
      "runs", "tool", "driver", "name", "camp", "version", "0.1.0",
      "informationUri", "https://github.com/camp-automation/camp", "rules", rules,
      "results", results, "columnKind", "unicodeCodePoints");
  json_dumpf(log, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  fputc('\n', out);
  json_decref(log);
}

/* GitHub workflow commands escape % CR LF in data, and also : , in properties. */
void campDiagGithubEscape(const char *s, int prop, FILE *out) {
  for (; *s; s++) {
    if (*s == '%') fputs("%25", out);
    else if (*s == '\r') fputs("%0D", out);
    else if (*s == '\n') fputs("%0A", out);
    else if (prop && *s == ':') fputs("%3A", out);
    else if (prop && *s == ',') fputs("%2C", out);
    else fputc(*s, out);
  }
}

static void printGithub(Diags *d, const Diag *g, FILE *out) {
  uint32_t line, col, eline, ecol;
  if (g->code == DIAG_NOTE) return;
  campDiagLineCol(d, g->file, g->off, &line, &col);
  campDiagLineCol(d, g->file, g->off + (g->len ? g->len : 1), &eline, &ecol);
  fprintf(out, "::%s file=", g->sev == SEV_ERROR ? "error" : "warning");
  campDiagGithubEscape(d->src[g->file].path, 1, out);
  fprintf(out, ",line=%u,col=%u,", line, col);
  if (eline == line) fprintf(out, "endColumn=%u,", ecol);
  fprintf(out, "title=%s::", codes[g->code].name);
  campDiagGithubEscape(g->msg, 0, out);
  fputc('\n', out);
}

void campDiagPrint(Diags *d, uint32_t from, DiagFormat fmt, int color, FILE *out) {
  if (fmt == DIAGFMT_JSON) { printJson(d, from, out); return; }
  if (fmt == DIAGFMT_SARIF) { printSarif(d, from, out); return; }
  for (uint32_t i = from; i < d->n; i++) {
    if (fmt == DIAGFMT_GITHUB) printGithub(d, &d->v[i], out);
    else printText(d, &d->v[i], color, out);
  }
}
