/*
** cli/list.c -- camp lists and camp list show|add|remove|undo-remove|
** subscribe|unsubscribe|refresh|log: marketing lists (docs/RUNTIME.md,
** "Lists").
**
** Owns: the commands' options, finding the records a change names (ids,
** --key FIELD VALUE..., --file CSV), the words each change prints and the
** listings' three formats.  Every change of one command is one
** transaction, printed once it is committed: an unknown record changes
** nothing.  Does not own: what membership means (runtime/sched_host.c),
** the SQL (runtime/store_list.c).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "cli/cli.h"
#include "runtime/buf.h"
#include "runtime/clock.h"
#include "runtime/sched_send.h"
#include "runtime/vm.h"

static const char *const formats[] = { "table", "json", "csv", NULL };

/* The list a command works on: its deployed program and a VM for its filter. */
typedef struct ListCtx {
  Engine *e;
  Program *p;
  uint32_t li;
  const ProgList *l;
  const char *name, *model;
  Vm *vm;
  SchedHost host;           /* visited() in the filter (runtime/sched_host.c) */
  int64_t now;
} ListCtx;

static const char *kindName(int kind) {
  return kind == LIST_ON_DEMAND ? "on_demand" : kind == LIST_MANUAL ? "manual" : "dynamic";
}

/* Load the deployed list name into c; 0, or -1 with the message in err. */
static int loadList(Engine *e, const char *name, ListCtx *c, char *err, size_t errSize) {
  memset(c, 0, sizeof *c);
  c->e = e;
  c->p = campStoreListProgram(e, name, &c->li, err, errSize);
  if (!c->p) return -1;
  c->l = &c->p->lists[c->li];
  c->name = c->p->str[c->l->name];
  c->model = c->p->str[c->p->models[c->l->model].name];
  c->vm = campVmNew();
  campSchedFilterHost(&c->host, e);
  c->now = campEngineNow(e);
  if (!c->vm) { snprintf(err, errSize, "out of memory"); campProgramFree(c->p); return -1; }
  return 0;
}

/* The same; 0, or 1 after a message. */
static int openList(Engine *e, const char *cmd, const char *name, ListCtx *c) {
  char err[512];
  if (loadList(e, name, c, err, sizeof err) == 0) return 0;
  fprintf(stderr, "camp %s: %s\n", cmd, err);
  return 1;
}

static void closeList(ListCtx *c) {
  campVmFree(c->vm);
  campProgramFree(c->p);
}

/* A dynamic list's filter on r (0 for the other kinds, or on an error). */
static int filterMatch(ListCtx *c, const VmRecord *r) {
  if (c->l->kind != LIST_DYNAMIC) return 0;
  char err[256];
  return campVmFilter(c->vm, c->p, c->l->filter, r, c->now, &c->host.vm, err, sizeof err) > 0;
}

/* The record's contact address (its email, else phone field) in b, as a
** C string ("" none; valid until b changes). */
static const char *contactOf(const ListCtx *c, const VmRecord *r, Buf *b) {
  b->n = 0;
  if (b->p) b->p[0] = 0;
  if (c->l->contact != CAMP_NONE && c->l->contact < r->nfield && r->fields[c->l->contact].tag == VAL_TEXT)
    campBufPut(b, r->fields[c->l->contact].u.s, r->fields[c->l->contact].len);
  return b->p && !b->oom ? b->p : "";
}

static const char *timeText(int64_t t, char out[CAMP_CLOCK_ISO_SIZE]) {
  if (t == INT64_MIN) { out[0] = 0; return out; }
  campClockFormat(t, out);
  return out;
}

static void csvField(FILE *out, const char *s) {
  if (!strpbrk(s, ",\"\r\n")) { fputs(s, out); return; }
  fputc('"', out);
  for (; *s; s++) { if (*s == '"') fputc('"', out); fputc(*s, out); }
  fputc('"', out);
}

/* Row n of a streamed JSON array (one line each; the caller closes the
** array): o printed and released. */
static void jsonRow(json_t *o, long n) {
  char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
  printf("%s  %s", n ? ",\n" : "[\n", text ? text : "null");
  free(text);
  json_decref(o);
}

/* -- camp lists ------------------------------------------------------------------ */

typedef struct Sizes { ListCtx *c; long size, subscribed; } Sizes;

static int countMember(void *ctx, int64_t id, const VmRecord *r, const StoreListRow *row) {
  (void)id;
  Sizes *s = ctx;
  if (!campSchedListMember(s->c->l, filterMatch(s->c, r), row)) return 0;
  s->size++;
  s->subscribed += !row->unsubscribed;
  return 0;
}

/* One list's line (or JSON object, appended to arr). */
static int listLine(Engine *e, const char *cmd, const char *name, ReportFormat f, int w, json_t *arr) {
  ListCtx c;
  if (openList(e, cmd, name, &c)) return 1;
  Sizes s = { &c, 0, 0 };
  char err[512], at[CAMP_CLOCK_ISO_SIZE];
  int rc = campStoreListEach(e, c.p, c.li, LIST_WALK_MEMBERS, 0, countMember, &s, err, sizeof err);
  if (rc) { fprintf(stderr, "camp %s: %s\n", cmd, err); closeList(&c); return 1; }
  timeText(campStoreListRefreshed(e, name), at);
  if (f == REPORT_TABLE)
    printf("%-*s %-10s %-12s %9ld %11ld  %s\n", w, name, kindName(c.l->kind), c.model, s.size, s.subscribed, at[0] ? at : "-");
  else if (f == REPORT_CSV) {
    csvField(stdout, name);
    printf(",%s,", kindName(c.l->kind));
    csvField(stdout, c.model);
    printf(",%ld,%ld,%s\n", s.size, s.subscribed, at);
  } else
    json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:b, s:I, s:I, s:o}", "name", name, "title", c.p->str[c.l->title],
                                         "kind", kindName(c.l->kind), "model", c.model, "keep_contacted", c.l->keep,
                                         "size", (json_int_t)s.size, "subscribed", (json_int_t)s.subscribed,
                                         "refreshed", at[0] ? json_string(at) : json_null()));
  closeList(&c);
  return 0;
}

static int lists(const CliArgs *a) {
  ReportFormat f;
  if (a->npos) return campCliUsage(a->cmd, "usage: camp lists [--db DB] [--format table|json|csv]");
  if (campCliFormat(a->cmd, a->opt[O_FORMAT], formats, &f)) return 2;
  char err[512];
  Engine *e = campEngineOpen(campCliDbPath(a->opt[O_DB]), 0, INT64_MIN, err, sizeof err);
  if (!e) { fprintf(stderr, "camp %s: %s\n", a->cmd, err); return 1; }
  char **names;
  size_t n;
  int rc = campStoreListNames(e, &names, &n, err, sizeof err) < 0;
  if (rc) fprintf(stderr, "camp %s: %s\n", a->cmd, err);
  json_t *arr = json_array();
  int w = 16;                                  /* the longest name sets the column */
  for (size_t i = 0; !rc && i < n; i++) if ((int)strlen(names[i]) > w) w = (int)strlen(names[i]);
  if (!rc && f == REPORT_TABLE) printf("%-*s %-10s %-12s %9s %11s  %s\n", w, "list", "kind", "model", "size", "subscribed", "refreshed");
  if (!rc && f == REPORT_CSV) puts("list,kind,model,size,subscribed,refreshed");
  for (size_t i = 0; i < n && !rc; i++) rc = listLine(e, a->cmd, names[i], f, w, arr);
  if (!rc && f == REPORT_JSON) { json_dumpf(arr, stdout, JSON_INDENT(2)); putchar('\n'); }
  json_decref(arr);
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
  campEngineClose(e);
  return rc;
}

/* -- the members, for camp test ---------------------------------------------------- */

typedef struct Members { ListCtx *c; int64_t *v; size_t n, cap; } Members;

static int addMember(void *ctx, int64_t id, const VmRecord *r, const StoreListRow *row) {
  Members *m = ctx;
  if (!campSchedListMember(m->c->l, filterMatch(m->c, r), row)) return 0;
  if (m->n == m->cap) {
    size_t nc = m->cap ? m->cap * 2 : 16;
    int64_t *nv = realloc(m->v, nc * sizeof *nv);
    if (!nv) return -1;
    m->v = nv;
    m->cap = nc;
  }
  m->v[m->n++] = id;
  return 0;
}

int campCliListMembers(Engine *e, const char *name, int64_t **ids, size_t *n, char *err, size_t errSize) {
  ListCtx c;
  *ids = NULL;
  *n = 0;
  if (loadList(e, name, &c, err, errSize) < 0) return -1;
  Members m = { &c, NULL, 0, 0 };
  int rc = campStoreListEach(e, c.p, c.li, LIST_WALK_MEMBERS, 0, addMember, &m, err, errSize);
  if (rc > 0) snprintf(err, errSize, "out of memory");
  closeList(&c);
  if (rc) { free(m.v); return -1; }
  *ids = m.v;
  *n = m.n;
  return 0;
}

/* -- camp list show ----------------------------------------------------------------- */

typedef struct Show { ListCtx *c; ReportFormat f; int removed; long n; Buf addr; } Show;

static int showMember(void *ctx, int64_t id, const VmRecord *r, const StoreListRow *row) {
  Show *s = ctx;
  StoreListRow kept = *row;
  kept.removed = 0;
  if (!campSchedListMember(s->c->l, filterMatch(s->c, r), s->removed ? &kept : row)) return 0;
  const char *addr = contactOf(s->c, r, &s->addr);
  char joined[CAMP_CLOCK_ISO_SIZE], last[CAMP_CLOCK_ISO_SIZE];
  timeText(row->joined, joined);
  timeText(row->lastContacted, last);
  const char *sub = row->unsubscribed ? "no" : "yes", *rem = row->removed ? "yes" : "no";
  if (s->f == REPORT_TABLE) {
    printf("%8lld  %-32s %-10s %-20s %9lld  %s", (long long)id, addr, sub, joined[0] ? joined : "-",
           (long long)row->contacted, last[0] ? last : "-");
    if (s->removed) printf("%*s%s", last[0] ? 2 : 21, "", rem);
    putchar('\n');
  } else if (s->f == REPORT_CSV) {
    printf("%lld,", (long long)id);
    csvField(stdout, addr);
    printf(",%s,%s,%lld,%s", sub, joined, (long long)row->contacted, last);
    if (s->removed) printf(",%s", rem);
    putchar('\n');
  } else {
    json_t *o = json_pack("{s:I, s:s, s:b, s:o, s:I, s:o}", "id", (json_int_t)id, "contact", addr, "subscribed",
                          !row->unsubscribed, "joined", joined[0] ? json_string(joined) : json_null(), "contacted",
                          (json_int_t)row->contacted, "last_contacted", last[0] ? json_string(last) : json_null());
    if (s->removed) json_object_set_new(o, "removed", json_boolean(row->removed));
    jsonRow(o, s->n);
  }
  s->n++;
  return 0;
}

static int show(Engine *e, const CliArgs *a, ReportFormat f) {
  ListCtx c;
  if (openList(e, a->cmd, a->pos[1], &c)) return 1;
  Show s = { &c, f, a->opt[O_REMOVED] != NULL, 0, { 0 } };
  if (f == REPORT_TABLE)
    printf("%8s  %-32s %-10s %-20s %9s  %s\n", "id", "contact", "subscribed", "joined", "contacted",
           s.removed ? "last_contacted        removed" : "last_contacted");
  else if (f == REPORT_CSV) printf("id,contact,subscribed,joined,contacted,last_contacted%s\n", s.removed ? ",removed" : "");
  char err[512];
  int rc = campStoreListEach(e, c.p, c.li, LIST_WALK_MEMBERS, 0, showMember, &s, err, sizeof err);
  if (f == REPORT_JSON) fputs(s.n ? "\n]\n" : "[]\n", stdout);
  if (rc) fprintf(stderr, "camp %s: %s\n", a->cmd, err);
  campBufFree(&s.addr);
  closeList(&c);
  return rc ? 1 : 0;
}

/* -- camp list log -------------------------------------------------------------------- */

typedef struct LogOut { ReportFormat f; long n; } LogOut;

static int logLine(void *ctx, int64_t record, const char *action, int64_t at, const char *detail) {
  LogOut *o = ctx;
  char t[CAMP_CLOCK_ISO_SIZE];
  campClockFormat(at, t);
  char rec[32] = "";
  if (record) snprintf(rec, sizeof rec, "%lld", (long long)record);
  if (o->f == REPORT_TABLE) printf("%-20s %8s  %-12s %s\n", t, rec[0] ? rec : "-", action, detail ? detail : "");
  else if (o->f == REPORT_CSV) { printf("%s,%s,%s,", t, rec, action); csvField(stdout, detail ? detail : ""); putchar('\n'); }
  else {
    json_t *j = json_pack("{s:s, s:o, s:s, s:o}", "at", t, "record", record ? json_integer(record) : json_null(), "action", action,
                          "detail", detail ? json_string(detail) : json_null());
    jsonRow(j, o->n);
  }
  o->n++;
  return 0;
}

static int logCmd(Engine *e, const CliArgs *a, ReportFormat f) {
  ListCtx c;
  if (openList(e, a->cmd, a->pos[1], &c)) return 1;
  closeList(&c);
  LogOut o = { f, 0 };
  if (f == REPORT_TABLE) printf("%-20s %8s  %-12s %s\n", "at", "record", "action", "detail");
  else if (f == REPORT_CSV) puts("at,record,action,detail");
  char err[512];
  int rc = campStoreListLog(e, a->pos[1], logLine, &o, err, sizeof err);
  if (f == REPORT_JSON) fputs(o.n ? "\n]\n" : "[]\n", stdout);
  if (rc) fprintf(stderr, "camp %s: %s\n", a->cmd, err);
  return rc ? 1 : 0;
}

/* -- camp list refresh ------------------------------------------------------------------ */

typedef struct Snap { ListCtx *c; int64_t *ids; size_t n, cap; int oom; } Snap;

static int snapRecord(void *ctx, int64_t id, const VmRecord *r, const StoreListRow *row) {
  (void)row;
  Snap *s = ctx;
  char err[256];
  if (campVmFilter(s->c->vm, s->c->p, s->c->l->filter, r, s->c->now, &s->c->host.vm, err, sizeof err) <= 0) return 0;
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 1024;
    int64_t *v = realloc(s->ids, s->cap * sizeof *v);
    if (!v) { s->oom = 1; return 1; }
    s->ids = v;
  }
  s->ids[s->n++] = id;
  return 0;
}

/* Why verb is not for c's list (its kind), in err: 1, else 0. */
static int refusal(const ListCtx *c, const char *verb, char *err, size_t errSize) {
  if (!strcmp(verb, "refresh") && c->l->kind != LIST_ON_DEMAND)
    snprintf(err, errSize, "list '%s' is %s: only an on_demand list is refreshed (%s)", c->name, kindName(c->l->kind),
             c->l->kind == LIST_DYNAMIC ? "a dynamic list is always current" : "a manual list changes by camp list add and remove");
  else if (!strcmp(verb, "add") && c->l->kind != LIST_MANUAL)
    snprintf(err, errSize, "list '%s' is %s: its members come from its filter (%s); add is for manual lists", c->name,
             kindName(c->l->kind), c->l->kind == LIST_DYNAMIC ? "change the filter" : "change the filter and camp list refresh");
  else return 0;
  return 1;
}

/* The snapshot of an on_demand list replaced by its filter's records now,
** in one transaction: 0, or -1 (nothing changed). */
static int refreshList(ListCtx *c, long *joined, long *left, long *kept, char *err, size_t errSize) {
  Snap s = { c, NULL, 0, 0, 0 };
  int rc = campEngineBegin(c->e, err, errSize);
  if (rc == 0) rc = campStoreListEach(c->e, c->p, c->li, LIST_WALK_ALL, 0, snapRecord, &s, err, errSize);
  if (s.oom) { snprintf(err, errSize, "out of memory"); rc = -1; }
  if (rc == 0) rc = campStoreListRefresh(c->e, c->name, c->model, s.ids, s.n, c->l->keep, c->now, joined, left, kept, err, errSize);
  if (rc == 0) rc = campEngineCommit(c->e, err, errSize);
  if (rc) campStoreRollback(c->e);
  free(s.ids);
  return rc;
}

static int refresh(Engine *e, const CliArgs *a) {
  ListCtx c;
  char err[512];
  if (openList(e, a->cmd, a->pos[1], &c)) return 1;
  long joined = 0, left = 0, kept = 0;
  int rc = refusal(&c, "refresh", err, sizeof err);
  if (rc) fprintf(stderr, "camp %s: %s\n", a->cmd, err);
  else if ((rc = refreshList(&c, &joined, &left, &kept, err, sizeof err)) != 0) fprintf(stderr, "camp %s: %s (nothing changed)\n", a->cmd, err);
  else printf("list %s refreshed: %ld joined, %ld left, %ld kept (contacted)\n", c.name, joined, left, kept);
  closeList(&c);
  return rc ? 1 : 0;
}

/* -- camp list add|remove|undo-remove|subscribe|unsubscribe ------------------------------- */

/* The records a change names: ids in the order given (duplicates kept). */
typedef struct Ids { int64_t *v; size_t n, cap; } Ids;

static int idsAdd(Ids *ids, int64_t id) {
  if (ids->n == ids->cap) {
    ids->cap = ids->cap ? ids->cap * 2 : 16;
    int64_t *v = realloc(ids->v, ids->cap * sizeof *v);
    if (!v) return -1;
    ids->v = v;
  }
  ids->v[ids->n++] = id;
  return 0;
}

/* The records whose field is value, added to ids; 0, or 1 after a message
** (none: an unknown record). */
static int findKey(ListCtx *c, const char *cmd, const char *field, const char *value, Ids *ids) {
  char err[512];
  int64_t *found;
  size_t n;
  if (!strcmp(field, "id")) {
    char *end;
    long long id = strtoll(value, &end, 10);
    if (!*value || *end || id <= 0) { fprintf(stderr, "camp %s: '%s' is not a record id\n", cmd, value); return 1; }
  }
  const ProgModel *m = &c->p->models[c->l->model];
  uint32_t f = 0;
  while (f < m->nfield && strcmp(c->p->str[m->fields[f].name], field)) f++;
  if (f == m->nfield) { fprintf(stderr, "camp %s: model '%s' has no field '%s'\n", cmd, c->model, field); return 1; }
  if (campStoreListFind(c->e, c->model, field, value, &found, &n, err, sizeof err) < 0) {
    fprintf(stderr, "camp %s: %s\n", cmd, err);
    return 1;
  }
  if (!n) fprintf(stderr, "camp %s: no record of model '%s' has %s '%s' (nothing changed)\n", cmd, c->model, field, value);
  for (size_t i = 0; i < n; i++) if (idsAdd(ids, found[i]) < 0) { n = 0; fprintf(stderr, "camp %s: out of memory\n", cmd); }
  free(found);
  return n ? 0 : 1;
}

/* Split one CSV line into fields (quotes honoured; line changed in place). */
static size_t csvSplit(char *line, char **f, size_t max) {
  size_t n = 0;
  char *p = line;
  while (n < max) {
    char *w = p, *out = p;
    if (*p == '"') {
      for (p++; *p; p++) {
        if (*p == '"' && p[1] == '"') { *out++ = '"'; p++; }
        else if (*p == '"') { p++; break; }
        else *out++ = *p;
      }
      while (*p && *p != ',') p++;
    } else {
      while (*p && *p != ',') *out++ = *p++;
    }
    int more = *p == ',';
    *out = 0;
    f[n++] = w;
    if (!more) break;
    p++;
  }
  return n;
}

#define CSV_MAX_COLS 256

/* --file: the records named by its id column, or by its column named key. */
static int readFile(ListCtx *c, const char *cmd, const char *path, const char *key, Ids *ids) {
  FILE *in = !strcmp(path, "-") ? stdin : fopen(path, "r");
  if (!in) { fprintf(stderr, "camp %s: cannot read %s\n", cmd, path); return 1; }
  char *line = NULL, *f[CSV_MAX_COLS];
  size_t cap = 0;
  ssize_t len;
  long col = -1, lineNo = 0;
  int rc = 0;
  const char *field = key ? key : "id";
  while (rc == 0 && (len = getline(&line, &cap, in)) >= 0) {
    lineNo++;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
    if (!len) continue;
    size_t n = csvSplit(line, f, CSV_MAX_COLS);
    if (col < 0) {
      for (size_t i = 0; i < n && col < 0; i++) if (!strcmp(f[i], field)) col = (long)i;
      if (col < 0) {
        fprintf(stderr, "camp %s: %s: no column '%s'%s\n", cmd, path, field, key ? "" : " (or give --key FIELD to name the column records are found by)");
        rc = 1;
      }
      continue;
    }
    if ((size_t)col >= n || !f[col][0]) { fprintf(stderr, "camp %s: %s:%ld: no %s\n", cmd, path, lineNo, field); rc = 1; break; }
    rc = findKey(c, cmd, field, f[col], ids);
  }
  if (rc == 0 && col < 0) { fprintf(stderr, "camp %s: %s: empty (a header row naming '%s' is expected)\n", cmd, path, field); rc = 1; }
  free(line);
  if (in != stdin) fclose(in);
  return rc;
}

/* What a verb says: done, and already so (or not a member). */
typedef struct Verb { const char *name, *done, *already; } Verb;
static const Verb verbs[] = {
  { "add", "added", "already a member" },
  { "remove", "removed", "already removed" },
  { "undo-remove", "restored", "not removed" },
  { "subscribe", "subscribed", "already subscribed" },
  { "unsubscribe", "unsubscribed", "already unsubscribed" },
  { NULL, NULL, NULL },
};

/* One record's state for a change (found by LIST_WALK_ONE). */
typedef struct One { ListCtx *c; int found, member; Buf addr; } One;

static int oneRecord(void *ctx, int64_t id, const VmRecord *r, const StoreListRow *row) {
  (void)id;
  One *o = ctx;
  StoreListRow any = *row;
  any.removed = 0;                /* a removed or unsubscribed member is still one to undo */
  o->found = 1;
  o->member = campSchedListMember(o->c->l, filterMatch(o->c, r), &any);
  contactOf(o->c, r, &o->addr);
  return 0;
}

/* Verb v on record id, inside the caller's transaction (what: the line's
** word): 1 changed, 0 already so (or not a member), -1 error. */
static int changeOne(ListCtx *c, One *o, const Verb *v, int64_t id, const char **what, char *err, size_t errSize) {
  o->found = o->member = 0;
  if (campStoreListEach(c->e, c->p, c->li, LIST_WALK_ONE, id, oneRecord, o, err, errSize)) return -1;
  if (!o->found) { snprintf(err, errSize, "no record %lld in model '%s'", (long long)id, c->model); return -1; }
  if (!o->member && strcmp(v->name, "add")) { *what = "not a member"; return 0; }
  int r = campStoreListSet(c->e, c->name, c->model, id, v->name, c->now, "camp list", err, errSize);
  if (r >= 0) *what = r ? v->done : v->already;
  return r < 0 ? -1 : r > 0;
}

/* Apply verb v to every record in one transaction; the lines are printed
** once committed. */
static int apply(ListCtx *c, const char *cmd, const Verb *v, const Ids *ids) {
  char err[512];
  Buf said = { 0 };
  long done = 0, same = 0;
  One o = { c, 0, 0, { 0 } };
  int rc = campEngineBegin(c->e, err, sizeof err);
  for (size_t i = 0; i < ids->n && rc == 0; i++) {
    const char *what;
    int r = changeOne(c, &o, v, ids->v[i], &what, err, sizeof err);
    if (r < 0) { rc = -1; break; }
    if (r) done++; else same++;
    campBufPrintf(&said, "record %lld%s%s%s: %s\n", (long long)ids->v[i], o.addr.n ? " <" : "", o.addr.n ? o.addr.p : "",
                  o.addr.n ? ">" : "", what);
  }
  if (rc == 0 && said.oom) { snprintf(err, sizeof err, "out of memory"); rc = -1; }
  if (rc == 0) rc = campEngineCommit(c->e, err, sizeof err);
  if (rc == 0) {
    fputs(said.p ? said.p : "", stdout);
    printf("list %s: %ld %s, %ld unchanged\n", c->name, done, v->done, same);
  } else fprintf(stderr, "camp %s: %s (nothing changed)\n", cmd, err);
  campBufFree(&said);
  campBufFree(&o.addr);
  return rc ? 1 : 0;
}

static int change(Engine *e, const CliArgs *a, const Verb *v) {
  ListCtx c;
  if (openList(e, a->cmd, a->pos[1], &c)) return 1;
  char err[512];
  if (refusal(&c, v->name, err, sizeof err)) {
    fprintf(stderr, "camp %s: %s\n", a->cmd, err);
    closeList(&c);
    return 1;
  }
  Ids ids = { 0 };
  int rc = 0;
  const char *key = a->opt[O_KEY], *file = a->opt[O_FILE];
  if (file) rc = readFile(&c, a->cmd, file, key, &ids);
  for (int i = 2; i < a->npos && rc == 0; i++) rc = findKey(&c, a->cmd, key ? key : "id", a->pos[i], &ids);
  if (rc == 0) rc = apply(&c, a->cmd, v, &ids);
  free(ids.v);
  closeList(&c);
  return rc;
}

int campCliListChange(Engine *e, const char *list, const char *verb, int64_t id, char *err, size_t errSize) {
  ListCtx c;
  if (loadList(e, list, &c, err, errSize) < 0) return -1;
  const Verb *v = verbs;
  while (v->name && strcmp(v->name, verb)) v++;
  long joined, left, kept;
  int rc = refusal(&c, verb, err, errSize);
  if (rc == 0 && !v->name) rc = refreshList(&c, &joined, &left, &kept, err, errSize);
  else if (rc == 0) {
    One o = { &c, 0, 0, { 0 } };
    const char *what;
    rc = campEngineBegin(e, err, errSize);
    if (rc == 0 && changeOne(&c, &o, v, id, &what, err, errSize) < 0) rc = -1;
    if (rc == 0) rc = campEngineCommit(e, err, errSize);
    if (rc < 0) campStoreRollback(e);
    campBufFree(&o.addr);
  }
  closeList(&c);
  return rc;
}

static const char usage[] =
  "usage: camp list show LIST [--removed] [--format table|json|csv] | camp list refresh|log LIST | "
  "camp list add|remove|undo-remove|subscribe|unsubscribe LIST (ID... | --key FIELD VALUE... | --file CSV)";

static int list(const CliArgs *a) {
  if (a->npos < 2) return campCliUsage(a->cmd, "%s", usage);
  const char *verb = a->pos[0];
  const Verb *v = NULL;
  for (const Verb *k = verbs; k->name; k++) if (!strcmp(k->name, verb)) v = k;
  int reading = !strcmp(verb, "show") || !strcmp(verb, "log");
  if (!v && !reading && strcmp(verb, "refresh")) return campCliUsage(a->cmd, "unknown verb '%s'\n%s", verb, usage);
  if (!v && (a->npos > 2 || a->opt[O_KEY] || a->opt[O_FILE])) return campCliUsage(a->cmd, "%s", usage);
  if (v && a->npos == 2 && !a->opt[O_FILE]) return campCliUsage(a->cmd, "%s: which records? (ID..., --key FIELD VALUE... or --file CSV)", verb);
  if (v && a->npos > 2 && a->opt[O_FILE]) return campCliUsage(a->cmd, "give records as operands or --file, not both");
  if ((a->opt[O_FORMAT] && !reading) || (a->opt[O_REMOVED] && strcmp(verb, "show"))) return campCliUsage(a->cmd, "%s", usage);
  ReportFormat f = REPORT_TABLE;
  if (reading && campCliFormat(a->cmd, a->opt[O_FORMAT], formats, &f)) return 2;
  char err[512];
  Engine *e = campEngineOpen(campCliDbPath(a->opt[O_DB]), 0, INT64_MIN, err, sizeof err);
  if (!e) { fprintf(stderr, "camp %s: %s\n", a->cmd, err); return 1; }
  int rc = v ? change(e, a, v) : !strcmp(verb, "show") ? show(e, a, f) : !strcmp(verb, "log") ? logCmd(e, a, f) : refresh(e, a);
  campEngineClose(e);                 /* an uncommitted transaction rolls back */
  return rc;
}

const CliSpec campCmdLists = {
  "lists", "every marketing list: kind, model, size, subscribed, last refresh", lists,
  "camp lists [--db DB] [--format table|json|csv]",
  "Every deployed list with its kind (dynamic, on_demand, manual), model, size (members, removed ones\n"
  "not counted), how many of them are subscribed, and when an on_demand list was last refreshed.",
  (const CliOptUse[]){ { O_DB, NULL }, { O_FORMAT, "table (default), json or csv" }, { CLI_NOPT, NULL } },
  NULL, "camp lists --db shop.db --format json", NULL, 0,
};

const CliSpec campCmdList = {
  "list", "show, change, refresh a marketing list", list,
  "camp list [--db DB] show LIST [--removed] [--format table|json|csv]\n"
  "camp list [--db DB] add|remove|undo-remove|subscribe|unsubscribe LIST (ID... | --key FIELD VALUE... | --file CSV)\n"
  "camp list [--db DB] refresh LIST\n"
  "camp list [--db DB] log LIST [--format table|json|csv]",
  "show lists the members with their address, whether subscribed, when they joined, how often and when\n"
  "last they were contacted through the list.  add (manual lists only), remove, undo-remove, subscribe\n"
  "and unsubscribe change the named records, each change idempotent and logged with its time; all the\n"
  "records of one command change in one transaction (an unknown record changes nothing).  refresh\n"
  "replaces an on_demand list's snapshot with its filter's records now.  log shows the changes.",
  (const CliOptUse[]){ { O_DB, NULL }, { O_FORMAT, "show, log: table (default), json or csv" },
                       { O_REMOVED, NULL },
                       { O_KEY, "find the records by FIELD: the operands are its values (e.g. --key email a@x.test)" },
                       { O_FILE, "read the records from a CSV file with an id column (or the --key FIELD column)" },
                       { CLI_NOPT, NULL } },
  NULL, "camp list --db shop.db unsubscribe newsletter --key email ada@example.com", NULL, 0,
};
