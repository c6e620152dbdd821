/*
** runtime/store_mailing.c -- what the store knows of mailings beyond their
** traces: whether and when one was sent, the default sender, and the
** statistics per (mailing, member).
**
** Owns: campStoreMailingGet (a mailing's kind, state, schedule, sent stamp
** and pending messages, for camp send) and the count of the list's
** unsubscribed members a send left out, the default sender (camp_meta key
** 'sender': camp init --sender, camp config sender), a mailing's schedule
** and sent stamp and every campaign's abuse reports in the report and
** status JSON, the per-member statistics of `camp report MAILING
** --members` -- derived from the mailing's traces and camp_event, never
** kept twice -- and which list a message's unsubscribe link is about.  The
** sent stamp is camp_campaign.last_sync: the time the mailing enrolled
** its list.
** Does not own: sending (sched.c), list membership (store_list.c), the
** campaign report's other numbers (store_report.c).
*/
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/clock.h"
#include "runtime/store_engine.h"

/* -- a mailing's send state -------------------------------------------------------- */

int campStoreMailingGet(Engine *e, const char *name, StoreMailing *m, char *err, size_t errSize) {
  memset(m, 0, sizeof *m);
  DbStmt *st = campStoreDbStmt(e, "SELECT c.id, c.kind = 'mailing', c.state, c.at, c.last_sync,"
                                      " (SELECT count(*) FROM camp_trace t JOIN camp_participant pa ON pa.id = t.participant"
                                      "   WHERE pa.campaign = c.id AND pa.test = 0 AND " Q_PENDING_AS("t.") ")"
                                      " FROM camp_campaign c WHERE c.name = ?", err, errSize);
  if (!st) return -1;
  campDbBindText(st, 1, name, -1);
  int rc = campDbStep(st);
  if (rc == DB_ROW) {
    m->id = campDbColumnInt64(st, 0);
    m->mailing = (int)campDbColumnInt64(st, 1);
    snprintf(m->state, sizeof m->state, "%s", campDbColumnText(st, 2));
    m->at = campDbColumnType(st, 3) == DB_NULL ? 0 : campDbColumnInt64(st, 3);
    m->sentAt = campDbColumnType(st, 4) == DB_NULL ? INT64_MIN : campDbColumnInt64(st, 4);
    m->pending = campDbColumnInt64(st, 5);
  } else if (rc != DB_DONE) snprintf(err, errSize, "database: %s", campDbError(e->conn));
  campDbReset(st);
  return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : -1;
}

const char *campStoreMailingSchedule(int64_t at) {
  return at == CAMP_AT_MANUAL ? "manual" : at ? "deferred" : "when started";
}

/* A mailing's schedule ("manual", "deferred", "when started"), its time
** (null unless deferred) and when it was sent (null: not sent) set on the
** JSON object c, from at and last_sync as stored (NULL columns: 0 and
** INT64_MIN). */
static void scheduleJson(json_t *c, int64_t at, int64_t sentAt) {
  char iso[CAMP_CLOCK_ISO_SIZE];
  json_object_set_new(c, "schedule", json_string(campStoreMailingSchedule(at)));
  if (at && at != CAMP_AT_MANUAL) { campClockFormat(at, iso); json_object_set_new(c, "at", json_string(iso)); }
  else json_object_set_new(c, "at", json_null());
  if (sentAt != INT64_MIN) { campClockFormat(sentAt, iso); json_object_set_new(c, "sent_at", json_string(iso)); }
  else json_object_set_new(c, "sent_at", json_null());
}

int campStoreMailingJson(Engine *e, int64_t campaign, struct json_t *c, char *err, size_t errSize) {
  /* abuse reports count once per message, however often one came (as unsubscribes do) */
  DbStmt *st = campStoreDbStmt(e, "SELECT count(DISTINCT ev.trace) FROM camp_event ev JOIN camp_trace t ON t.id = ev.trace"
                                      " JOIN camp_participant pa ON pa.id = t.participant"
                                      " WHERE pa.campaign = ? AND pa.test = 0 AND ev.kind = 'abuse'", err, errSize);
  if (!st) return -1;
  campDbBindInt64(st, 1, campaign);
  if (campDbStep(st) == DB_ROW) json_object_set_new(c, "abuse_reports", json_integer(campDbColumnInt64(st, 0)));
  campDbReset(st);
  st = campStoreDbStmt(e, "SELECT kind = 'mailing', at, last_sync, transport, esp_id FROM camp_campaign WHERE id = ?", err, errSize);
  if (!st) return -1;
  campDbBindInt64(st, 1, campaign);
  int rc = campDbStep(st);
  if (rc == DB_ROW && (int)campDbColumnInt64(st, 0)) {
    scheduleJson(c, campDbColumnType(st, 1) == DB_NULL ? 0 : campDbColumnInt64(st, 1),
                 campDbColumnType(st, 2) == DB_NULL ? INT64_MIN : campDbColumnInt64(st, 2));
    /* a mailing an ESP delivered (or sent, imported): its provider and that one's campaign id */
    if (campDbColumnType(st, 3) != DB_NULL) {
      json_object_set_new(c, "transport", json_string(campDbColumnText(st, 3)));
      json_object_set_new(c, "esp_id", campDbColumnType(st, 4) == DB_NULL ? json_null()
                                       : json_string(campDbColumnText(st, 4)));
    }
  } else if (rc != DB_ROW && rc != DB_DONE) snprintf(err, errSize, "database: %s", campDbError(e->conn));
  campDbReset(st);
  return rc == DB_ROW || rc == DB_DONE ? 0 : -1;
}

/* -- the default sender ---------------------------------------------------------------- */

char *campStoreMailingSender(Engine *e) {
  char ign[160];
  DbStmt *st = campStoreDbStmt(e, "SELECT value FROM camp_meta WHERE key = 'sender'", ign, sizeof ign);
  if (!st) return NULL;
  /* a text value (PostgreSQL's are all text), as campStoreMetaText reads them */
  char *v = campDbStep(st) == DB_ROW && campDbColumnType(st, 0) == DB_TEXT ? strdup(campDbColumnText(st, 0)) : NULL;
  campDbReset(st);
  if (v && !*v) { free(v); v = NULL; }
  return v;
}

int campStoreMailingSetSender(Engine *e, const char *value, char *err, size_t errSize) {
  int rc = value && *value
    ? campStoreDbRun(e, "INSERT INTO camp_meta(key, value) VALUES('sender', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", "t", value)
    : campStoreDbRun(e, "DELETE FROM camp_meta WHERE key = 'sender'", "");
  if (rc < 0) snprintf(err, errSize, "database: %s", campDbError(e->conn));
  return rc;
}

/* -- statistics per member ---------------------------------------------------------- */

/* One member's row: record, address, its message's state and note, sent
** count and time, then the events received on its messages. */
typedef struct MemberRow {
  int64_t record, sent;
  const char *address, *state, *note;
  char sentAt[CAMP_CLOCK_ISO_SIZE];       /* "" not sent */
  int64_t opens, clicks, bounces, unsubscribes, abuse;
} MemberRow;

/* A CSV field: quoted when it holds a comma, a quote or a line break. */
static void csvField(FILE *out, const char *s) {
  if (!strpbrk(s, ",\"\r\n")) { fputs(s, out); return; }
  fputc('"', out);
  for (; *s; s++) { if (*s == '"') fputc('"', out); fputc(*s, out); }
  fputc('"', out);
}

static void memberOut(const MemberRow *m, ReportFormat fmt, long n, FILE *out) {
  if (fmt == REPORT_CSV) {
    fprintf(out, "%lld,", (long long)m->record);
    csvField(out, m->address);
    fprintf(out, ",%s,%lld,%s,%lld,%lld,%lld,%lld,%lld,", m->state, (long long)m->sent, m->sentAt, (long long)m->opens,
            (long long)m->clicks, (long long)m->bounces, (long long)m->unsubscribes, (long long)m->abuse);
    csvField(out, m->note);
    fputc('\n', out);
  } else if (fmt == REPORT_JSON) {
    json_t *o = json_pack("{s:I,s:s,s:s,s:I,s:o,s:I,s:I,s:I,s:I,s:I,s:o}", "record", (json_int_t)m->record, "address", m->address,
                          "state", m->state, "sent", (json_int_t)m->sent, "sent_at", m->sentAt[0] ? json_string(m->sentAt) : json_null(),
                          "opens", (json_int_t)m->opens, "clicks", (json_int_t)m->clicks, "bounces", (json_int_t)m->bounces,
                          "unsubscribes", (json_int_t)m->unsubscribes, "abuse_reports", (json_int_t)m->abuse,
                          "note", m->note[0] ? json_string(m->note) : json_null());
    fputs(n ? ",\n    " : "\n    ", out);
    if (o) json_dumpf(o, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
  } else {
    fprintf(out, "  %-8lld %-30s %-10s %-20s %5lld %6lld %7lld %12lld %5lld%s%s\n", (long long)m->record, m->address, m->state,
            m->sentAt[0] ? m->sentAt : "-", (long long)m->opens, (long long)m->clicks, (long long)m->bounces,
            (long long)m->unsubscribes, (long long)m->abuse, m->note[0] ? "  " : "", m->note);
  }
}

/* The per-member statement of l's campaign: participants (not test), the
** record's address from the model's table (NULL when the record is gone),
** per participant its message traces (email and SMS) and their events.
** Built to the model's names; NULL out of memory. */
_Static_assert(ACT_EMAIL == 1 && ACT_SMS == 2, "membersSql spells the message kinds 1 and 2");
static char *membersSql(const Loaded *l) {
  const Program *p = l->p;
  const ProgModel *md = &p->models[p->camps[l->camp].model];
  int af = l->emailField >= 0 ? l->emailField : l->phoneField;
  Buf b = { 0 };
  campBufPuts(&b, "SELECT pa.record_id, ");
  if (af >= 0) { campBufPuts(&b, "m."); campStoreIdentPut(&b, p->str[md->fields[af].name]); }
  else campBufPuts(&b, "NULL");
  campBufPuts(&b,
    ", (SELECT t.state FROM camp_trace t JOIN camp_activity a ON a.id = t.activity WHERE t.participant = pa.id AND a.kind IN (1, 2)"
    "   ORDER BY t.id DESC LIMIT 1),"
    " (SELECT t.message FROM camp_trace t JOIN camp_activity a ON a.id = t.activity WHERE t.participant = pa.id AND a.kind IN (1, 2)"
    "   ORDER BY t.id DESC LIMIT 1),"
    " (SELECT count(*) FROM camp_trace t WHERE t.participant = pa.id AND t.state = " Q_PROCESSED " AND t.message_id IS NOT NULL),"
    " (SELECT min(t.done_at) FROM camp_trace t WHERE t.participant = pa.id AND t.state = " Q_PROCESSED " AND t.message_id IS NOT NULL),"
    " coalesce(ev.opens, 0), coalesce(ev.clicks, 0), coalesce(ev.bounces, 0), coalesce(ev.unsubs, 0), coalesce(ev.abuse, 0)"
    " FROM camp_participant pa LEFT JOIN ");
  campStoreIdentPut(&b, p->str[md->name]);
  campBufPuts(&b,
    " m ON m.id = pa.record_id"
    " LEFT JOIN (SELECT t.participant AS part,"
    "   sum(CASE WHEN e.kind = 'open' THEN 1 + e.repeats ELSE 0 END) AS opens,"
    "   sum(CASE WHEN e.kind = 'click' THEN 1 + e.repeats ELSE 0 END) AS clicks,"
    "   count(DISTINCT CASE WHEN e.kind = 'bounce' THEN e.trace END) AS bounces,"
    "   count(DISTINCT CASE WHEN e.kind = 'unsubscribe' THEN e.trace END) AS unsubs,"
    "   count(DISTINCT CASE WHEN e.kind = 'abuse' THEN e.trace END) AS abuse"
    "   FROM camp_event e JOIN camp_trace t ON t.id = e.trace JOIN camp_participant p2 ON p2.id = t.participant"
    "   WHERE p2.campaign = ?1 GROUP BY t.participant) ev ON ev.part = pa.id"
    " WHERE pa.campaign = ?1 AND pa.test = 0 ORDER BY pa.record_id, pa.id");
  if (b.oom) { campBufFree(&b); return NULL; }
  return b.p;
}

static void memberRow(DbStmt *st, MemberRow *m) {
  m->record = campDbColumnInt64(st, 0);
  m->address = campDbColumnType(st, 1) == DB_NULL ? "" : campDbColumnText(st, 1);
  m->state = campDbColumnType(st, 2) == DB_NULL ? "-" : campStoreStateName((int)campDbColumnInt64(st, 2));
  m->note = campDbColumnType(st, 3) == DB_NULL ? "" : campDbColumnText(st, 3);
  m->sent = campDbColumnInt64(st, 4);
  m->sentAt[0] = 0;
  if (campDbColumnType(st, 5) != DB_NULL) campClockFormat(campDbColumnInt64(st, 5), m->sentAt);
  m->opens = campDbColumnInt64(st, 6);
  m->clicks = campDbColumnInt64(st, 7);
  m->bounces = campDbColumnInt64(st, 8);
  m->unsubscribes = campDbColumnInt64(st, 9);
  m->abuse = campDbColumnInt64(st, 10);
}

int campStoreMailingMembers(Engine *e, const char *name, ReportFormat fmt, FILE *out, char *err, size_t errSize) {
  int64_t cid = campStoreCampaignId(e, name, err, errSize);
  if (!cid) { if (!err[0]) snprintf(err, errSize, "no mailing '%s' is deployed", name); return -1; }
  const Loaded *l = campStoreLoaded(e, cid, err, errSize);
  if (!l) return -1;
  char *sql = membersSql(l);
  if (!sql) { snprintf(err, errSize, "out of memory"); return -1; }
  DbStmt *st = campDbPrepare(e->conn, sql, err, errSize);
  free(sql);
  if (!st) return -1;
  campDbBindInt64(st, 1, cid);
  const char *kind = l->p->camps[l->camp].isMailing ? "mailing" : "campaign";
  if (fmt == REPORT_CSV) fputs("record,address,state,sent,sent_at,opens,clicks,bounces,unsubscribes,abuse_reports,note\n", out);
  else if (fmt == REPORT_JSON) {
    json_t *k = json_string(name);
    fprintf(out, "{\n  \"%s\": ", kind);
    json_dumpf(k, out, JSON_ENCODE_ANY);
    json_decref(k);
    fputs(",\n  \"members\": [", out);
  } else
    fprintf(out, "%s %s: statistics per member\n  %-8s %-30s %-10s %-20s %5s %6s %7s %12s %5s  %s\n", kind, name, "record", "address",
            "state", "sent at", "opens", "clicks", "bounces", "unsubscribes", "abuse", "note");
  int rc;
  long n = 0;
  MemberRow m;
  while ((rc = campDbStep(st)) == DB_ROW) { memberRow(st, &m); memberOut(&m, fmt, n++, out); }
  if (fmt == REPORT_JSON) fputs(n ? "\n  ]\n}\n" : "]\n}\n", out);
  if (rc != DB_DONE) snprintf(err, errSize, "database: %s", campDbError(e->conn));
  campDbFinalize(st);
  return rc == DB_DONE ? 0 : -1;
}

/* -- the unsubscribe link's list ------------------------------------------------------- */

int campStoreMailingTraceList(Engine *e, int64_t trace, char **name, char **title) {
  *name = *title = NULL;
  char err[256];
  DbStmt *st = campStoreDbStmt(e, "SELECT pa.campaign FROM camp_trace t JOIN camp_participant pa ON pa.id = t.participant WHERE t.id = ?",
                                   err, sizeof err);
  if (!st) return -1;
  campDbBindInt64(st, 1, trace);
  int rc = campDbStep(st);
  int64_t campaign = rc == DB_ROW ? campDbColumnInt64(st, 0) : 0;
  campDbReset(st);
  if (rc != DB_ROW) return rc == DB_DONE ? 0 : -1;
  const Loaded *l = campStoreLoaded(e, campaign, err, sizeof err);
  if (!l) return -1;
  uint32_t list = l->p->camps[l->camp].list;
  if (list >= l->p->nlist) return 0;
  *name = strdup(l->p->str[l->p->lists[list].name]);
  *title = strdup(l->p->str[l->p->lists[list].title]);
  if (*name && *title) return 1;
  free(*name); free(*title);
  *name = *title = NULL;
  return -1;
}

long campStoreMailingUnsubscribed(Engine *e, int64_t campaign, char *err, size_t errSize) {
  const Loaded *l = campStoreLoaded(e, campaign, err, errSize);
  if (!l) return -1;
  const Program *p = l->p;
  uint32_t list = p->camps[l->camp].list;
  if (list >= p->nlist) return 0;
  DbStmt *st = campStoreDbStmt(e, "SELECT count(*) FROM camp_list_member m WHERE m.list = ?1 AND m.model = ?2"
                                      " AND m.unsubscribed_at IS NOT NULL AND m.removed_at IS NULL AND NOT EXISTS"
                                      " (SELECT 1 FROM camp_participant pa WHERE pa.campaign = ?3 AND pa.record_id = m.record_id)",
                                   err, errSize);
  if (!st) return -1;
  campDbBindText(st, 1, p->str[p->lists[list].name], -1);
  campDbBindText(st, 2, p->str[p->models[p->lists[list].model].name], -1);
  campDbBindInt64(st, 3, campaign);
  int rc = campDbStep(st);
  long n = rc == DB_ROW ? (long)campDbColumnInt64(st, 0) : -1;
  if (n < 0) snprintf(err, errSize, "database: %s", campDbError(e->conn));
  campDbReset(st);
  return n;
}
