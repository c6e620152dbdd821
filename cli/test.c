/*
** cli/test.c -- `camp test`: the `test` blocks of .camp files, each on a
** fresh in-memory database (cli/test_run.c), files shared out among
** --jobs processes; a line per test, the failures in full, and the totals
** -- as text, JUnit XML or GitHub annotations.  With --record it is the
** live-database test of one record (cli/db.c).
**
** Owns: finding the tests, the worker processes and the three outputs.
** Does not own: what a step or an expectation means (cli/test_run.c).
*/
#include <errno.h>
#include <jansson.h>
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli/cli.h"
#include "cli/test_run.h"
#include "compiler/compile.h"
#include "compiler/diag.h"

enum { OUT_TEXT, OUT_JUNIT, OUT_GITHUB };

/* -- one file, as a JSON object: its diagnostics or its tests' results -------------------- */

static json_t *resultJson(const TestResult *r) {
  json_t *o = json_pack("{s:s, s:i, s:i, s:i, s:f}", "name", r->name, "line", (int)r->line, "col", (int)r->col,
                        "failed", r->failed, "ms", r->ms);
  if (o && r->failed)
    json_object_update_new(o, json_pack("{s:i, s:i, s:s, s:s, s:s}", "fline", (int)r->fline, "fcol", (int)r->fcol,
                                        "expected", r->expected ? r->expected : "", "happened", r->happened ? r->happened : "",
                                        "timeline", r->timeline ? r->timeline : ""));
  return o;
}

/* Compile path and run its tests: {"path", "errors": TEXT} or {"path", "tests": [...]}. */
static json_t *runFile(const char *path, const char *root) {
  Diags d;
  Unit u;
  campDiagInit(&d);
  json_t *f = json_pack("{s:s}", "path", path);
  if (root && campDiagSetRoot(&d, root, 1) < 0) {
    json_object_set_new(f, "errors", json_sprintf("camp test: --root '%s': %s\n", root, strerror(errno)));
    campDiagFree(&d);
    return f;
  }
  campUnitInit(&u, &d);
  uint8_t *img = NULL;
  size_t len = 0;
  char err[512], *diags = NULL;
  TestBase base = { 0 };
  size_t n = 0;
  int rc = campCompileCheck(&u, path);
  if (rc < 0) json_object_set_new(f, "errors", json_sprintf("camp test: cannot read '%s': %s\n", path, campDiagLoadError(errno)));
  else if (d.nerror) {
    FILE *m = open_memstream(&diags, &n);
    if (m) { campDiagPrint(&d, 0, DIAGFMT_TEXT, 0, m); fclose(m); }
    json_object_set_new(f, "errors", json_string(diags ? diags : "errors\n"));
  } else if (campCodegenUnit(&u, &img, &len, err, sizeof err) < 0)
    json_object_set_new(f, "errors", json_sprintf("camp test: %s: %s\n", path, err));
  else if (campTestBase(img, len, &base, err, sizeof err) < 0)
    json_object_set_new(f, "errors", json_sprintf("camp test: %s: cannot deploy it: %s\n", path, err));
  else {
    json_t *tests = json_array();
    const Ast *file = NULL;
    for (const Ast *k = u.files; k; k = k->next) if (k->file == u.root) file = k;
    for (const Ast *t = file ? file->kids : NULL; t; t = t->next) {
      if (t->kind != AST_TEST) continue;
      TestResult r;
      if (campTestRun(&u, t, &base, &r) < 0) { fprintf(stderr, "camp test: out of memory\n"); exit(2); }
      json_array_append_new(tests, resultJson(&r));
      campTestResultFree(&r);
    }
    json_object_set_new(f, "tests", tests);
  }
  campTestBaseFree(&base);
  free(diags);
  free(img);
  campUnitFree(&u);
  campDiagFree(&d);
  return f;
}

/* -- workers ------------------------------------------------------------------------------ */

/* Files k, k+jobs, ... of paths run in a child, each file's object a line
** on the pipe; the parent puts them back in order into files[]. */
static int runAll(const PathList *paths, const char *root, long jobs, json_t **files) {
  if (jobs <= 1 || paths->n <= 1) {
    for (size_t i = 0; i < paths->n; i++) files[i] = runFile(paths->v[i], root);
    return 0;
  }
  if ((size_t)jobs > paths->n) jobs = (long)paths->n;
  FILE **in = calloc((size_t)jobs, sizeof *in);
  pid_t *pid = calloc((size_t)jobs, sizeof *pid);
  if (!in || !pid) { free(in); free(pid); return -1; }
  fflush(NULL);
  for (long k = 0; k < jobs; k++) {
    int fd[2];
    if (pipe(fd) < 0 || (pid[k] = fork()) < 0) { perror("camp test"); exit(2); }
    if (pid[k] == 0) {
      close(fd[0]);
      FILE *out = fdopen(fd[1], "w");
      for (size_t i = (size_t)k; out && i < paths->n; i += (size_t)jobs) {
        json_t *f = runFile(paths->v[i], root);
        json_object_set_new(f, "index", json_integer((json_int_t)i));
        json_dumpf(f, out, JSON_COMPACT);
        fputc('\n', out);
        json_decref(f);
      }
      _exit(out && fclose(out) == 0 ? 0 : 2);
    }
    close(fd[1]);
    in[k] = fdopen(fd[0], "r");
  }
  int rc = 0;
  for (long k = 0; k < jobs; k++) {
    json_error_t je;
    json_t *f;
    while (in[k] && (f = json_loadf(in[k], JSON_DISABLE_EOF_CHECK, &je)) != NULL) {
      size_t i = (size_t)json_integer_value(json_object_get(f, "index"));
      if (i < paths->n && !files[i]) files[i] = f; else json_decref(f);
    }
    if (in[k]) fclose(in[k]);
    int status;
    if (waitpid(pid[k], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) rc = -1;
  }
  free(in);
  free(pid);
  for (size_t i = 0; i < paths->n; i++) if (!files[i]) rc = -1;
  return rc;
}

/* -- output -------------------------------------------------------------------------------- */

static const char *str(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}
static int num(const json_t *o, const char *key) { return (int)json_integer_value(json_object_get(o, key)); }

/* Each line of text, indented. */
static void indented(const char *text, const char *pad, FILE *out) {
  while (*text) {
    const char *nl = strchr(text, '\n');
    size_t n = nl ? (size_t)(nl - text) : strlen(text), shown = n;
    while (shown && text[shown - 1] == ' ') shown--;          /* the timeline pads its columns */
    fprintf(out, "%s%.*s\n", pad, (int)shown, text);
    text += n + (nl != NULL);
  }
}

static void textFailure(const char *path, const json_t *t, FILE *out) {
  fprintf(out, "  %s:%d:%d: expected: %s\n", path, num(t, "fline"), num(t, "fcol"), str(t, "expected"));
  fprintf(out, "    happened: %s\n", str(t, "happened"));
  if (*str(t, "timeline")) { fprintf(out, "    timeline:\n"); indented(str(t, "timeline"), "      ", out); }
}

/* GitHub workflow commands escape % CR LF, and : , in properties. */
static void githubFailure(const char *path, const json_t *t, FILE *out) {
  char *title, *msg;
  if (asprintf(&title, "camp test: %s", str(t, "name")) < 0) return;
  if (asprintf(&msg, "expected: %s\nhappened: %s", str(t, "expected"), str(t, "happened")) < 0) { free(title); return; }
  fputs("::error file=", out);
  campDiagGithubEscape(path, 1, out);
  fprintf(out, ",line=%d,col=%d,title=", num(t, "fline"), num(t, "fcol"));
  campDiagGithubEscape(title, 1, out);
  fputs("::", out);
  campDiagGithubEscape(msg, 0, out);
  fputc('\n', out);
  free(title);
  free(msg);
}

/* The text (and GitHub) report: a line per test, failures in full. */
static void printText(json_t **files, size_t n, int github, long *passed, long *failed, FILE *out) {
  for (size_t i = 0; i < n; i++) {
    const char *path = str(files[i], "path");
    if (json_object_get(files[i], "errors")) {
      fputs(str(files[i], "errors"), out);
      fprintf(out, "FAIL  %s: the file has errors: no test ran\n", path);
      if (github) { fputs("::error file=", out); campDiagGithubEscape(path, 1, out); fputs("::the file has errors: no test ran\n", out); }
      (*failed)++;
      continue;
    }
    size_t k;
    json_t *t;
    json_array_foreach(json_object_get(files[i], "tests"), k, t) {
      int bad = num(t, "failed") != 0;
      fprintf(out, "%s  %s:%d: %s (%.1f ms)\n", bad ? "FAIL" : "ok  ", path, num(t, "line"), str(t, "name"),
              json_real_value(json_object_get(t, "ms")));
      if (bad) { textFailure(path, t, out); if (github) githubFailure(path, t, out); }
      *(bad ? failed : passed) += 1;
    }
  }
}

/* JUnit XML (the schema CI systems read): a testsuite per file. */
static int printJunit(json_t **files, size_t n, long *passed, long *failed, FILE *out) {
  xmlBufferPtr buf = xmlBufferCreate();
  xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
  if (!w) { xmlBufferFree(buf); return -1; }
  xmlTextWriterSetIndent(w, 1);
  xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL);
  xmlTextWriterStartElement(w, BAD_CAST "testsuites");
  xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST "camp test");
  for (size_t i = 0; i < n; i++) {
    const char *path = str(files[i], "path");
    json_t *tests = json_object_get(files[i], "tests");
    long nf = 0;
    double ms = 0;
    size_t k;
    json_t *t;
    json_array_foreach(tests, k, t) { nf += num(t, "failed") != 0; ms += json_real_value(json_object_get(t, "ms")); }
    xmlTextWriterStartElement(w, BAD_CAST "testsuite");
    xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST path);
    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "tests", "%zu", tests ? json_array_size(tests) : (size_t)1);
    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "failures", "%ld", nf);
    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "errors", "%d", tests ? 0 : 1);
    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "time", "%.3f", ms / 1e3);
    if (!tests) {
      xmlTextWriterStartElement(w, BAD_CAST "testcase");
      xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST "compile");
      xmlTextWriterWriteAttribute(w, BAD_CAST "classname", BAD_CAST path);
      xmlTextWriterStartElement(w, BAD_CAST "error");
      xmlTextWriterWriteAttribute(w, BAD_CAST "message", BAD_CAST "the file has errors: no test ran");
      xmlTextWriterWriteString(w, BAD_CAST str(files[i], "errors"));
      xmlTextWriterEndElement(w);
      xmlTextWriterEndElement(w);
      (*failed)++;
    }
    json_array_foreach(tests, k, t) {
      xmlTextWriterStartElement(w, BAD_CAST "testcase");
      xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST str(t, "name"));
      xmlTextWriterWriteAttribute(w, BAD_CAST "classname", BAD_CAST path);
      xmlTextWriterWriteAttribute(w, BAD_CAST "file", BAD_CAST path);
      xmlTextWriterWriteFormatAttribute(w, BAD_CAST "line", "%d", num(t, "line"));
      xmlTextWriterWriteFormatAttribute(w, BAD_CAST "time", "%.3f", json_real_value(json_object_get(t, "ms")) / 1e3);
      if (num(t, "failed")) {
        char *msg = NULL, *body = NULL;
        size_t bn = 0;
        FILE *m = open_memstream(&body, &bn);
        if (m) { textFailure(path, t, m); fclose(m); }
        if (asprintf(&msg, "%s:%d:%d: expected: %s; happened: %s", path, num(t, "fline"), num(t, "fcol"),
                     str(t, "expected"), str(t, "happened")) < 0) msg = NULL;
        xmlTextWriterStartElement(w, BAD_CAST "failure");
        xmlTextWriterWriteAttribute(w, BAD_CAST "message", BAD_CAST (msg ? msg : "failed"));
        xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST "expectation");
        xmlTextWriterWriteString(w, BAD_CAST (body ? body : ""));
        xmlTextWriterEndElement(w);
        free(msg);
        free(body);
      }
      xmlTextWriterEndElement(w);
      *(num(t, "failed") ? failed : passed) += 1;
    }
    xmlTextWriterEndElement(w);
  }
  xmlTextWriterEndDocument(w);
  xmlFreeTextWriter(w);
  fputs((const char *)xmlBufferContent(buf), out);
  xmlBufferFree(buf);
  return 0;
}

/* -- the command ------------------------------------------------------------------------------ */

static int testFiles(const CliArgs *a) {
  const char *format = a->opt[O_FORMAT] ? a->opt[O_FORMAT] : "text";
  int fmt = !strcmp(format, "text") ? OUT_TEXT : !strcmp(format, "junit") ? OUT_JUNIT : !strcmp(format, "github") ? OUT_GITHUB : -1;
  if (fmt < 0) return campCliUsage(a->cmd, "unknown format '%s' (text, junit or github)", format);
  long jobs = 0;
  if (campCliNumber(a, O_JOBS, 1, 64, &jobs)) return 2;
  if (!a->opt[O_JOBS]) { long c = sysconf(_SC_NPROCESSORS_ONLN); jobs = c < 1 ? 1 : c > 8 ? 8 : c; }
  if (!a->npos) return campCliUsage(a->cmd, "usage: camp test [--format text|junit|github] [--jobs N] [--root DIR] PATH...");
  PathList paths = { 0 };
  int io = 0;
  for (int i = 0; i < a->npos; i++)
    if (campCliCollectCamp(a->cmd, a->pos[i], &paths) < 0) io = 1;
  if (io) { for (size_t i = 0; i < paths.n; i++) free(paths.v[i]); free(paths.v); return 2; }
  json_t **files = calloc(paths.n + 1, sizeof *files);
  if (!files || runAll(&paths, a->opt[O_ROOT], jobs, files) < 0) { fprintf(stderr, "camp test: a worker failed\n"); return 2; }
  long passed = 0, failed = 0;
  FILE *out = stdout;
  if (fmt == OUT_JUNIT) {
    if (printJunit(files, paths.n, &passed, &failed, out) < 0) { fprintf(stderr, "camp test: out of memory\n"); return 2; }
    fprintf(stderr, "%ld passed, %ld failed\n", passed, failed);
  } else {
    printText(files, paths.n, fmt == OUT_GITHUB, &passed, &failed, out);
    fprintf(out, "%ld passed, %ld failed\n", passed, failed);
  }
  if (!passed && !failed) fprintf(stderr, "camp test: no test blocks in the files given (docs/LANGUAGE.md, \"Tests\")\n");
  for (size_t i = 0; i < paths.n; i++) { json_decref(files[i]); free(paths.v[i]); }
  free(files);
  free(paths.v);
  return failed ? 1 : 0;
}

static int test(const CliArgs *a) {
  if (a->opt[O_RECORD] || a->opt[O_DB]) return campCliTestRecord(a);
  return testFiles(a);
}

const CliSpec campCmdTest = {
  "test", "run the test blocks of .camp files (or one record on a live database)", test,
  "camp test [--format text|junit|github] [--jobs N] [--root DIR] PATH...\n"
  "camp test [--db DB] CAMPAIGN --record ID [--run ACTIVITY | --until TIME] [--mail URL] [--sms URL]",
  "Runs every `test` block of the files (a directory: every .camp file below it), each on a fresh\n"
  "in-memory database with its own simulated clock and channels that keep what they are given:\n"
  "nothing touches a real database or the network (docs/LANGUAGE.md, \"Tests\").  Prints a line per\n"
  "test; for a failure, the step's file:line:col, what it expected, what happened instead and the\n"
  "record's timeline; then the totals.  junit writes JUnit XML on stdout (the totals on stderr);\n"
  "github adds an ::error annotation per failure.  Files are shared out among --jobs processes.\n"
  "With --record (or --db): the record becomes a test participant of the deployed CAMPAIGN on that\n"
  "database; its traces run on their own, and the real campaign's participants are not touched.",
  (const CliOptUse[]){ { O_FORMAT, "text (default), junit or github" },
                       { O_JOBS, "files tested at once (default: the processors, at most 8)" }, { O_ROOT, NULL },
                       { O_DB, NULL }, { O_RECORD, "live database: the record to test" }, { O_RUN, NULL },
                       { O_UNTIL, "live database: run the test participant up to TIME" },
                       { O_MAIL, NULL }, { O_SMS, NULL }, { O_BASE_URL, NULL }, { O_MAIL_CONN, NULL }, { O_SMS_CONN, NULL },
                       { CLI_NOPT, NULL } },
  NULL, "camp test examples/\ncamp test --format junit examples/ > camp-tests.xml\n"
  "camp test --db shop.db welcome_flow --record 42 --until +3d",
  "0\tevery test passed (live: done)\n1\ta test failed or a file has errors (live: the database or the work failed)\n"
  "2\tusage error, or a path cannot be read", 0,
};
