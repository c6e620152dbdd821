#!/usr/bin/python3
"""tests/esp/mailchimp_fake.py -- a small stateful fake of Mailchimp's Marketing API 3.0.

Serves, under /3.0, what camp's Mailchimp driver (runtime/esp_mailchimp.c) calls, with the
real API's paths, parameters, JSON shapes, status codes and error bodies (problem+json:
type, title, status, detail, instance).  tests/esp/mailchimp_client.js drives it with
Mailchimp's official Node client (@mailchimp/mailchimp_marketing) to keep it honest.
Paths and parameters follow the official client's src/api/*.js; shapes follow
https://mailchimp.com/developer/marketing/api/ (lists, list-merges, list-segments,
list-members, campaigns, campaign-content, reports sent-to / email-activity /
unsubscribed / abuse-reports).

State lives in memory.  Control endpoints (not Mailchimp's) under /_fake: fail injection,
stats, clock, audiences, member status on the ESP side, campaign activity, delay
(tests/notes: spec13.md).  More than 10 requests in flight with one key answer 429,
as Mailchimp's connection limit does.

    /usr/bin/python3 tests/esp/mailchimp_fake.py --port-file FILE [--key KEY] [--break "GET /route"]
"""
import argparse
import base64
import datetime
import hashlib
import os
import json
import re
import secrets
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ERRORS_DOC = "https://mailchimp.com/developer/marketing/docs/errors/"
MAX_CONCURRENT = 10
BATCH_MAX = 500


class ApiError(Exception):
    def __init__(self, status, title, detail, errors=None):
        super().__init__(detail)
        self.status, self.title, self.detail, self.errors = status, title, detail, errors


def not_found():
    return ApiError(404, "Resource Not Found", "The requested resource could not be found.")


def invalid(detail, errors=None):
    return ApiError(400, "Invalid Resource", detail, errors)


def parse_time(s):
    """An ISO 8601 time (Z or +hh:mm) as epoch seconds; ApiError when unreadable."""
    try:
        d = datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        raise invalid("The time '%s' is not a valid ISO 8601 time." % s)
    if d.tzinfo is None:
        d = d.replace(tzinfo=datetime.timezone.utc)
    return d.timestamp()


def iso(t):
    if t is None:
        return ""
    return datetime.datetime.fromtimestamp(int(t), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def sub_hash(email):
    return hashlib.md5(email.lower().encode()).hexdigest()


EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

DEFAULT_FIELDS = [("FNAME", "First Name", "text"), ("LNAME", "Last Name", "text"),
                  ("ADDRESS", "Address", "address"), ("PHONE", "Phone Number", "phone"),
                  ("BIRTHDAY", "Birthday", "birthday")]


class State:
    def __init__(self, key):
        self.key = key
        self.lock = threading.Lock()
        self.now = None                       # the fake's clock (None: real time)
        self.lists = {}                       # id -> audience dict
        self.campaigns = {}                   # id -> campaign dict (ordered by creation)
        self.next_segment = 1000
        self.next_merge = 1
        self.next_abuse = 1
        self.fail_rules = []
        self.requests = 0
        self.by_route = {}
        self.in_flight = 0
        self.connections = 0         # open client connections (the one asking included)
        self.max_concurrent = 0
        self.failed_injected = 0
        self.delay = 0.0
        self.broken = set()
        self.version = 0                      # bumped by every write: list caches are valid for one version
        self.cache = {}

    def clock(self):
        """Whole seconds, as the API's times have."""
        return int(self.now if self.now is not None else time.time())

    # --- audiences -------------------------------------------------------------
    def add_audience(self, lid, name):
        if lid in self.lists:
            return self.lists[lid]
        fields = []
        for i, (tag, fname, ftype) in enumerate(DEFAULT_FIELDS):
            fields.append(self.merge_field(lid, tag, fname, ftype, i + 1))
        a = {"id": lid, "web_id": len(self.lists) + 100, "name": name, "date_created": iso(self.clock()),
             "merge_fields": fields, "members": {}, "segments": {}, "abuse": []}
        self.lists[lid] = a
        return a

    def merge_field(self, lid, tag, name, ftype, order):
        mid = self.next_merge
        self.next_merge += 1
        return {"merge_id": mid, "tag": tag, "name": name, "type": ftype, "required": False, "default_value": "",
                "public": True, "display_order": order, "options": {"size": 25} if ftype == "text" else {},
                "help_text": "", "list_id": lid}

    def audience(self, lid):
        a = self.lists.get(lid)
        if a is None:
            raise not_found()
        return a

    def member(self, a, h):
        m = a["members"].get(h)
        if m is None:
            raise not_found()
        return m

    def new_member(self, a, email, status, merge_fields):
        h = sub_hash(email)
        t = iso(self.clock())
        m = {"id": h, "email_address": email, "unique_email_id": h[:10], "contact_id": h[10:20],
             "full_name": "", "web_id": len(a["members"]) + 1, "email_type": "html", "status": status,
             "merge_fields": {f["tag"]: "" for f in a["merge_fields"] if f["type"] == "text"},
             "stats": {"avg_open_rate": 0, "avg_click_rate": 0}, "ip_signup": "", "timestamp_signup": "",
             "ip_opt": "127.0.0.1", "timestamp_opt": t, "member_rating": 2, "last_changed": t, "language": "",
             "vip": False, "email_client": "", "location": {"latitude": 0, "longitude": 0, "gmtoff": 0,
                                                           "dstoff": 0, "country_code": "", "timezone": ""},
             "source": "API - Generic", "tags_count": 0, "tags": [], "list_id": a["id"], "_changed": self.clock()}
        m["merge_fields"].update(merge_fields or {})
        a["members"][h] = m
        return m

    def set_status(self, m, status, reason=None):
        if m["status"] != status:
            m["status"] = status
            m["_changed"] = self.clock()
            m["last_changed"] = iso(self.clock())
            if reason:
                m["unsubscribe_reason"] = reason

    def check_merge_fields(self, a, mf):
        tags = {f["tag"] for f in a["merge_fields"]}
        for k in (mf or {}):
            if k not in tags:
                return "Your merge fields were invalid.", k
        return None, None

    # --- campaigns -------------------------------------------------------------
    def run_schedule(self):
        """Scheduled campaigns whose time has come are sent (the fake's clock)."""
        for c in self.campaigns.values():
            if c["status"] == "schedule" and c["_at"] <= self.clock():
                self.send(c, c["_at"])

    def send(self, c, at):
        a = self.lists.get(c["recipients"]["list_id"])
        sid = c["recipients"].get("segment_opts", {}).get("saved_segment_id")
        hashes = list(a["members"]) if sid is None else list(a["segments"][sid]["members"])
        c["_sent_to"] = [h for h in hashes if a["members"].get(h, {}).get("status") == "subscribed"]
        c["status"] = "sent"
        c["send_time"] = iso(at)
        c["_send"] = at
        c["emails_sent"] = len(c["_sent_to"])
        c["recipients"]["recipient_count"] = len(c["_sent_to"])


STATE = None


def page(req, items):
    """count (default 10, max 1000) and offset over items."""
    try:
        count = int(req.q.get("count", "10"))
        offset = int(req.q.get("offset", "0"))
    except ValueError:
        raise invalid("count and offset must be integers.")
    if count > 1000:
        raise invalid("The count parameter must be 1000 or less.",
                      [{"field": "count", "message": "Must be less than or equal to 1000."}])
    if count < 0 or offset < 0:
        raise invalid("count and offset must not be negative.")
    return items[offset:offset + count]


def apply_fields(body, fields):
    """The API's ?fields=a,b.c: only those keys (b.c: key c of b's objects or of each element of b)."""
    spec = {}
    for f in fields.split(","):
        head, _, rest = f.strip().partition(".")
        if head:
            spec.setdefault(head, set())
            if rest:
                spec[head].add(rest.split(".")[0])
    out = {}
    for k, subs in spec.items():
        if k not in body:
            continue
        v = body[k]
        if subs and isinstance(v, list):
            v = [{s: x[s] for s in subs if s in x} if isinstance(x, dict) else x for x in v]
        elif subs and isinstance(v, dict):
            v = {s: v[s] for s in subs if s in v}
        out[k] = v
    return out


def links():
    return [{"rel": "self", "href": "", "method": "GET", "targetSchema": "", "schema": ""}]


def public(d):
    return {k: v for k, v in d.items() if not k.startswith("_")}


def segment_json(a, s):
    n = sum(1 for h in s["members"] if a["members"].get(h, {}).get("status") == "subscribed")
    return {"id": s["id"], "name": s["name"], "member_count": n, "type": "static", "created_at": s["created_at"],
            "updated_at": s["updated_at"], "options": {}, "list_id": a["id"], "_links": links()}


def list_json(a):
    ms = a["members"].values()
    n = {st: sum(1 for m in ms if m["status"] == st) for st in ("subscribed", "unsubscribed", "cleaned")}
    return {"id": a["id"], "web_id": a["web_id"], "name": a["name"],
            "contact": {"company": "camp tests", "address1": "", "address2": "", "city": "", "state": "",
                        "zip": "", "country": "FR", "phone": ""},
            "permission_reminder": "You signed up on our site.", "use_archive_bar": True,
            "campaign_defaults": {"from_name": "camp", "from_email": "camp@example.com", "subject": "",
                                  "language": "en"},
            "notify_on_subscribe": "", "notify_on_unsubscribe": "", "date_created": a["date_created"],
            "list_rating": 0, "email_type_option": False, "subscribe_url_short": "", "subscribe_url_long": "",
            "beamer_address": "", "visibility": "pub", "double_optin": False, "has_welcome": False,
            "marketing_permissions": False, "modules": [],
            "stats": {"member_count": n["subscribed"], "unsubscribe_count": n["unsubscribed"],
                      "cleaned_count": n["cleaned"], "member_count_since_send": 0, "unsubscribe_count_since_send": 0,
                      "cleaned_count_since_send": 0, "campaign_count": 0, "campaign_last_sent": "",
                      "merge_field_count": len(a["merge_fields"]), "avg_sub_rate": 0, "avg_unsub_rate": 0,
                      "target_sub_rate": 0, "open_rate": 0, "click_rate": 0, "last_sub_date": "",
                      "last_unsub_date": ""},
            "_links": links()}


def member_json(m):
    d = public(m)
    d["_links"] = links()
    return d


# --- routes ----------------------------------------------------------------------
ROUTES = []


def route(method, pattern):
    rx = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$")

    def deco(fn):
        ROUTES.append((method, pattern, rx, fn))
        return fn
    return deco


@route("GET", "/ping")
def ping(req):
    return 200, {"health_status": "Everything's Chimpy!"}


@route("GET", "/lists/{list_id}")
def get_list(req, list_id):
    return 200, list_json(STATE.audience(list_id))


@route("GET", "/lists/{list_id}/merge-fields")
def get_merge_fields(req, list_id):
    a = STATE.audience(list_id)
    return 200, {"merge_fields": page(req, a["merge_fields"]), "list_id": list_id,
                 "total_items": len(a["merge_fields"]), "_links": links()}


@route("POST", "/lists/{list_id}/merge-fields")
def add_merge_field(req, list_id):
    a = STATE.audience(list_id)
    b = req.body or {}
    name, ftype = b.get("name"), b.get("type")
    if not name or not ftype:
        raise invalid("The resource submitted could not be validated. For field-specific details, see the 'errors' array.",
                      [{"field": "name" if not name else "type", "message": "This value should not be blank."}])
    tag = (b.get("tag") or re.sub(r"[^A-Z0-9_]", "", name.upper()))[:10]
    if not re.match(r"^[A-Z][A-Z0-9_]{0,9}$", tag) or tag == "EMAIL":
        raise invalid("The tag \"%s\" is not a valid merge tag." % tag)
    if any(f["tag"] == tag for f in a["merge_fields"]):
        raise invalid("A Merge Field with the tag \"%s\" already exists for this list." % tag)
    f = STATE.merge_field(list_id, tag, name, ftype, len(a["merge_fields"]) + 1)
    a["merge_fields"].append(f)
    return 200, f


@route("GET", "/lists/{list_id}/segments")
def get_segments(req, list_id):
    a = STATE.audience(list_id)
    segs = [s for s in a["segments"].values() if req.q.get("type", "static") == "static"]
    return 200, {"segments": [segment_json(a, s) for s in page(req, segs)], "list_id": list_id,
                 "total_items": len(segs), "_links": links()}


@route("POST", "/lists/{list_id}/segments")
def create_segment(req, list_id):
    a = STATE.audience(list_id)
    b = req.body or {}
    if not b.get("name"):
        raise invalid("The resource submitted could not be validated.", [{"field": "name", "message": "Required"}])
    if "static_segment" not in b and "options" not in b:
        raise invalid("Either static_segment or options must be given.")
    sid = STATE.next_segment
    STATE.next_segment += 1
    t = iso(STATE.clock())
    s = {"id": sid, "name": b["name"], "created_at": t, "updated_at": t, "members": {}}
    for e in b.get("static_segment") or []:
        h = sub_hash(e)
        if h in a["members"]:
            s["members"][h] = True
    a["segments"][sid] = s
    return 200, segment_json(a, s)


def segment_of(a, sid):
    try:
        s = a["segments"].get(int(sid))
    except ValueError:
        s = None
    if s is None:
        raise not_found()
    return s


@route("GET", "/lists/{list_id}/segments/{segment_id}")
def get_segment(req, list_id, segment_id):
    a = STATE.audience(list_id)
    return 200, segment_json(a, segment_of(a, segment_id))


def flag(req, name):
    return req.q.get(name, "false").lower() == "true"


@route("GET", "/lists/{list_id}/segments/{segment_id}/members")
def get_segment_members(req, list_id, segment_id):
    a = STATE.audience(list_id)
    s = segment_of(a, segment_id)
    ok = {"subscribed", "pending"}
    if flag(req, "include_unsubscribed"):
        ok.add("unsubscribed")
    if flag(req, "include_cleaned"):
        ok.add("cleaned")
    if flag(req, "include_transactional"):
        ok.add("transactional")
    key = ("segment", list_id, s["id"], frozenset(ok), STATE.version)
    ms = STATE.cache.get(key)
    if ms is None:
        members = a["members"]
        ms = [members[h] for h in s["members"] if h in members and members[h]["status"] in ok]
        STATE.cache = {key: ms}
    return 200, {"members": [member_json(m) for m in page(req, ms)], "total_items": len(ms), "_links": links()}


@route("POST", "/lists/{list_id}")
def batch_members(req, list_id):
    a = STATE.audience(list_id)
    b = req.body or {}
    members = b.get("members")
    if not isinstance(members, list):
        raise invalid("The resource submitted could not be validated.", [{"field": "members", "message": "Required"}])
    if len(members) > BATCH_MAX:
        raise invalid("You can only add %d members at a time." % BATCH_MAX)
    update = bool(b.get("update_existing"))
    new, updated, errors = [], [], []
    for x in members:
        email = (x.get("email_address") or "").strip()
        if not EMAIL_RE.match(email):
            errors.append({"email_address": email, "error": "%s looks fake or invalid, please enter a real email address." % email,
                           "error_code": "ERROR_GENERIC", "field": "email_address", "field_message": "Invalid email"})
            continue
        why, field = STATE.check_merge_fields(a, x.get("merge_fields"))
        if why:
            errors.append({"email_address": email, "error": why, "error_code": "ERROR_GENERIC", "field": field,
                           "field_message": "The merge field %s does not exist." % field})
            continue
        status = x.get("status") or x.get("status_if_new") or "subscribed"
        h = sub_hash(email)
        m = a["members"].get(h)
        if m is None:
            new.append(member_json(STATE.new_member(a, email, status, x.get("merge_fields"))))
        elif not update:
            errors.append({"email_address": email, "error": "%s is already a list member, do you want to update? please "
                           "provide update_existing:true in the request body" % email, "error_code": "ERROR_CONTACT_EXISTS",
                           "field": "", "field_message": ""})
        elif m["status"] == "cleaned" and status == "subscribed":
            errors.append({"email_address": email, "error": "%s is in a compliance state due to unsubscribe, bounce, or "
                           "compliance review and cannot be subscribed." % email, "error_code": "ERROR_GENERIC",
                           "field": "", "field_message": ""})
        else:
            m["merge_fields"].update(x.get("merge_fields") or {})
            if x.get("status"):
                STATE.set_status(m, x["status"])
            updated.append(member_json(m))
    return 200, {"new_members": new, "updated_members": updated, "errors": errors, "total_created": len(new),
                 "total_updated": len(updated), "error_count": len(errors), "_links": links()}


@route("POST", "/lists/{list_id}/segments/{segment_id}")
def batch_segment(req, list_id, segment_id):
    a = STATE.audience(list_id)
    s = segment_of(a, segment_id)
    b = req.body or {}
    add, rem = b.get("members_to_add") or [], b.get("members_to_remove") or []
    if len(add) > BATCH_MAX or len(rem) > BATCH_MAX:
        raise invalid("members_to_add and members_to_remove take at most %d addresses each." % BATCH_MAX)
    added, removed, bad_add, bad_rem = [], [], [], []
    for e in add:
        h = sub_hash(e)
        if h not in a["members"]:
            bad_add.append(e)
        else:
            if h not in s["members"]:
                s["members"][h] = True
                added.append(member_json(a["members"][h]))
    for e in rem:
        h = sub_hash(e)
        if h not in s["members"]:
            bad_rem.append(e)
        else:
            del s["members"][h]
            removed.append(member_json(a["members"][h]) if h in a["members"] else {"email_address": e})
    errors = []
    if bad_add:
        errors.append({"email_addresses": bad_add, "error": "Email addresses do not belong to the list."})
    if bad_rem:
        errors.append({"email_addresses": bad_rem, "error": "Email addresses are not in the segment."})
    s["updated_at"] = iso(STATE.clock())
    return 200, {"members_added": added, "members_removed": removed, "errors": errors, "total_added": len(added),
                 "total_removed": len(removed), "error_count": len(bad_add) + len(bad_rem), "_links": links()}


@route("GET", "/lists/{list_id}/members")
def get_members(req, list_id):
    a = STATE.audience(list_id)
    ms = list(a["members"].values())
    if "status" in req.q:
        ms = [m for m in ms if m["status"] == req.q["status"]]
    else:                                   # archived contacts only when asked for by status
        ms = [m for m in ms if m["status"] != "archived"]
    if "since_last_changed" in req.q:
        t = parse_time(req.q["since_last_changed"])
        ms = [m for m in ms if m["_changed"] > t]
    return 200, {"members": [member_json(m) for m in page(req, ms)], "list_id": list_id, "total_items": len(ms),
                 "_links": links()}


@route("GET", "/lists/{list_id}/members/{subscriber_hash}")
def get_member(req, list_id, subscriber_hash):
    a = STATE.audience(list_id)
    return 200, member_json(STATE.member(a, subscriber_hash.lower()))


def upsert_member(req, list_id, subscriber_hash, create):
    a = STATE.audience(list_id)
    b = req.body or {}
    h = subscriber_hash.lower()
    m = a["members"].get(h)
    if m is None and not create:
        raise not_found()
    why, field = STATE.check_merge_fields(a, b.get("merge_fields"))
    if why:
        raise invalid(why, [{"field": field, "message": "The merge field does not exist."}])
    if m is None:
        email = b.get("email_address") or ""
        if not EMAIL_RE.match(email) or sub_hash(email) != h:
            raise invalid("The resource submitted could not be validated.",
                          [{"field": "email_address", "message": "Invalid email address or subscriber hash."}])
        m = STATE.new_member(a, email, b.get("status_if_new") or b.get("status") or "subscribed", b.get("merge_fields"))
    else:
        if b.get("status"):
            if m["status"] == "cleaned" and b["status"] == "subscribed":
                raise ApiError(400, "Member In Compliance State", "%s is in a compliance state due to unsubscribe, "
                               "bounce, or compliance review and cannot be subscribed." % m["email_address"])
            STATE.set_status(m, b["status"])
        m["merge_fields"].update(b.get("merge_fields") or {})
    return 200, member_json(m)


@route("PATCH", "/lists/{list_id}/members/{subscriber_hash}")
def patch_member(req, list_id, subscriber_hash):
    return upsert_member(req, list_id, subscriber_hash, False)


@route("PUT", "/lists/{list_id}/members/{subscriber_hash}")
def put_member(req, list_id, subscriber_hash):
    return upsert_member(req, list_id, subscriber_hash, True)


@route("DELETE", "/lists/{list_id}/members/{subscriber_hash}")
def delete_member(req, list_id, subscriber_hash):
    a = STATE.audience(list_id)
    m = STATE.member(a, subscriber_hash.lower())
    STATE.set_status(m, "archived")
    return 204, None


def abuse_json(r):
    return dict(r, _links=links())


@route("GET", "/lists/{list_id}/abuse-reports")
def list_abuse(req, list_id):
    a = STATE.audience(list_id)
    return 200, {"abuse_reports": [abuse_json(r) for r in page(req, a["abuse"])], "list_id": list_id,
                 "total_items": len(a["abuse"]), "_links": links()}


def campaign_json(c):
    d = public(c)
    d["_links"] = links()
    return d


@route("GET", "/campaigns")
def list_campaigns(req):
    cs = list(STATE.campaigns.values())
    if "list_id" in req.q:
        cs = [c for c in cs if c["recipients"]["list_id"] == req.q["list_id"]]
    if "status" in req.q:
        cs = [c for c in cs if c["status"] == req.q["status"]]
    if "since_send_time" in req.q:
        t = parse_time(req.q["since_send_time"])
        cs = [c for c in cs if c.get("_send") is not None and c["_send"] > t]
    if "type" in req.q:
        cs = [c for c in cs if c["type"] == req.q["type"]]
    return 200, {"campaigns": [campaign_json(c) for c in page(req, cs)], "total_items": len(cs), "_links": links()}


@route("POST", "/campaigns")
def create_campaign(req):
    b = req.body or {}
    if b.get("type") not in ("regular", "plaintext", "absplit", "rss", "variate"):
        raise invalid("The resource submitted could not be validated.", [{"field": "type", "message": "Required"}])
    r = b.get("recipients") or {}
    a = STATE.audience(r.get("list_id") or "")
    so = r.get("segment_opts") or {}
    if "saved_segment_id" in so:
        segment_of(a, str(so["saved_segment_id"]))
    s = b.get("settings") or {}
    cid = secrets.token_hex(5)
    c = {"id": cid, "web_id": len(STATE.campaigns) + 1, "parent_campaign_id": "", "type": b["type"],
         "create_time": iso(STATE.clock()), "archive_url": "https://mailchi.mp/fake/" + cid,
         "long_archive_url": "", "status": "save", "emails_sent": 0, "send_time": "", "content_type": "template",
         "needs_block_refresh": False, "resendable": False,
         "recipients": {"list_id": a["id"], "list_is_active": True, "list_name": a["name"],
                        "segment_text": "", "recipient_count": 0,
                        "segment_opts": {"saved_segment_id": int(so["saved_segment_id"]), "match": so.get("match", "all")}
                        if "saved_segment_id" in so else {}},
         "settings": {"subject_line": s.get("subject_line", ""), "preview_text": s.get("preview_text", ""),
                      "title": s.get("title", ""), "from_name": s.get("from_name", ""),
                      "reply_to": s.get("reply_to", ""), "use_conversation": False, "to_name": "",
                      "folder_id": "", "authenticate": True, "auto_footer": False, "inline_css": False,
                      "auto_tweet": False, "fb_comments": True, "timewarp": False, "template_id": 0,
                      "drag_and_drop": False},
         "tracking": {"opens": True, "html_clicks": True, "text_clicks": False, "goal_tracking": False,
                      "ecomm360": False, "google_analytics": "", "clicktale": ""},
         "report_summary": {"opens": 0, "unique_opens": 0, "open_rate": 0, "clicks": 0, "subscriber_clicks": 0,
                            "click_rate": 0},
         "delivery_status": {"enabled": False},
         "_content": None, "_sent_to": [], "_send": None, "_activity": {}, "_unsub": [], "_abuse": []}
    STATE.campaigns[cid] = c
    return 200, campaign_json(c)


def campaign(cid):
    c = STATE.campaigns.get(cid)
    if c is None:
        raise not_found()
    return c


@route("GET", "/campaigns/{campaign_id}")
def get_campaign(req, campaign_id):
    return 200, campaign_json(campaign(campaign_id))


@route("PUT", "/campaigns/{campaign_id}/content")
def set_content(req, campaign_id):
    c = campaign(campaign_id)
    b = req.body or {}
    if c["status"] not in ("save", "paused"):
        raise invalid("This campaign has already been sent or scheduled and cannot be changed.")
    c["_content"] = {"html": b.get("html", ""), "plain_text": b.get("plain_text", "")}
    c["content_type"] = "html"
    return 200, {"variate_contents": [], "plain_text": c["_content"]["plain_text"], "html": c["_content"]["html"],
                 "archive_html": c["_content"]["html"], "_links": links()}


def ready(c):
    missing = [k for k in ("subject_line", "from_name", "reply_to") if not c["settings"].get(k)]
    if c["_content"] is None or not c["_content"]["html"]:
        missing.append("content")
    if c["status"] not in ("save", "paused"):
        raise ApiError(400, "Bad Request", "Cannot send a campaign with status \"%s\"." % c["status"])
    if missing:
        raise ApiError(400, "Bad Request", "Your Campaign is not ready to send.",
                       [{"field": k, "message": "Required"} for k in missing])


@route("POST", "/campaigns/{campaign_id}/actions/send")
def send_campaign(req, campaign_id):
    c = campaign(campaign_id)
    ready(c)
    STATE.send(c, STATE.clock())
    return 204, None


@route("POST", "/campaigns/{campaign_id}/actions/schedule")
def schedule_campaign(req, campaign_id):
    c = campaign(campaign_id)
    ready(c)
    b = req.body or {}
    if not b.get("schedule_time"):
        raise invalid("The resource submitted could not be validated.",
                      [{"field": "schedule_time", "message": "Required"}])
    t = parse_time(b["schedule_time"])
    if int(t) % 900:
        raise ApiError(400, "Invalid Resource", "Schedule time must be on the quarter-hour (:00, :15, :30, :45).")
    if t <= STATE.clock():
        raise ApiError(400, "Invalid Resource", "Schedule time must be in the future.")
    c["status"] = "schedule"
    c["_at"] = t
    c["send_time"] = iso(t)
    return 204, None


def recipients(c):
    a = STATE.lists[c["recipients"]["list_id"]]
    return a, [a["members"][h] for h in c["_sent_to"] if h in a["members"]]


def recipient_base(c, m):
    return {"email_id": m["id"], "email_address": m["email_address"], "merge_fields": m["merge_fields"],
            "vip": False, "campaign_id": c["id"], "list_id": c["recipients"]["list_id"], "list_is_active": True}


@route("GET", "/reports/{campaign_id}/sent-to")
def sent_to(req, campaign_id):
    c = campaign(campaign_id)
    a, ms = recipients(c)
    out = []
    for m in page(req, ms):
        acts = c["_activity"].get(m["id"], [])
        bounce = [x for x in acts if x["action"] == "bounce"]
        opens = [x for x in acts if x["action"] == "open"]
        out.append(dict(recipient_base(c, m), status=bounce[0]["type"] if bounce else "sent", open_count=len(opens),
                        last_open=opens[-1]["timestamp"] if opens else "", absplit_group="", gmt_offset=0,
                        _links=links()))
    return 200, {"sent_to": out, "campaign_id": campaign_id, "total_items": len(ms), "_links": links()}


@route("GET", "/reports/{campaign_id}/email-activity")
def email_activity(req, campaign_id):
    c = campaign(campaign_id)
    a, ms = recipients(c)
    since = parse_time(req.q["since"]) if "since" in req.q else None
    out = []
    for m in page(req, ms):
        acts = [public(x) for x in c["_activity"].get(m["id"], []) if since is None or x["_t"] > since]
        out.append({"campaign_id": c["id"], "list_id": a["id"], "list_is_active": True, "email_id": m["id"],
                    "email_address": m["email_address"], "activity": acts, "_links": links()})
    return 200, {"emails": out, "campaign_id": campaign_id, "total_items": len(ms), "_links": links()}


@route("GET", "/reports/{campaign_id}/unsubscribed")
def unsubscribed(req, campaign_id):
    c = campaign(campaign_id)
    return 200, {"unsubscribes": [dict(u, _links=links()) for u in page(req, c["_unsub"])], "campaign_id": campaign_id,
                 "total_items": len(c["_unsub"]), "_links": links()}


@route("GET", "/reports/{campaign_id}/abuse-reports")
def campaign_abuse(req, campaign_id):
    c = campaign(campaign_id)
    return 200, {"abuse_reports": [abuse_json(r) for r in c["_abuse"]], "campaign_id": campaign_id,
                 "total_items": len(c["_abuse"]), "_links": links()}


# --- the fake's control endpoints (/_fake) ---------------------------------------
def last_campaign_for(a, h):
    for c in reversed(list(STATE.campaigns.values())):
        if c["recipients"]["list_id"] == a["id"] and h in c["_sent_to"]:
            return c
    return None


def record_unsubscribe(c, m, reason):
    if c is not None:
        c["_unsub"].append(dict(recipient_base(c, m), timestamp=iso(STATE.clock()), reason=reason))


def record_abuse(a, c, m):
    r = {"id": STATE.next_abuse, "campaign_id": c["id"] if c else "", "list_id": a["id"], "email_id": m["id"],
         "email_address": m["email_address"], "merge_fields": m["merge_fields"], "vip": False,
         "date": iso(STATE.clock())}
    STATE.next_abuse += 1
    a["abuse"].append(r)
    if c is not None:
        c["_abuse"].append(r)
    STATE.set_status(m, "unsubscribed", "abuse")


def fake_control(method, path, b):
    b = b or {}
    if method == "GET" and path == "/_fake/stats":
        return 200, {"requests": STATE.requests, "by_route": STATE.by_route, "max_concurrent": STATE.max_concurrent,
                     "failed_injected": STATE.failed_injected, "connections": STATE.connections}
    if method != "POST":
        raise not_found()
    STATE.version += 1
    if path == "/_fake/stats/reset":
        STATE.requests = STATE.max_concurrent = STATE.failed_injected = 0
        STATE.by_route = {}
        return 200, {}
    if path == "/_fake/fail":
        STATE.fail_rules.append({"status": int(b.get("status", 500)), "count": int(b.get("count", 1)),
                                 "retry_after": b.get("retry_after"), "match": b.get("match", ""),
                                 "methods": b.get("methods")})
        return 200, {}
    if path == "/_fake/delay":
        STATE.delay = float(b.get("seconds", 0))
        return 200, {}
    if path == "/_fake/clock":
        STATE.now = parse_time(b["now"])
        STATE.run_schedule()
        return 200, {"now": iso(STATE.now)}
    if path == "/_fake/audiences":
        a = STATE.add_audience(b["id"], b.get("name", b["id"]))
        return 200, {"id": a["id"], "name": a["name"]}
    if path == "/_fake/members":
        a = STATE.audience(b["list_id"])
        h = sub_hash(b["email"])
        m = a["members"].get(h) or STATE.new_member(a, b["email"], b.get("status", "subscribed"), {})
        STATE.set_status(m, b["status"], b.get("reason"))
        if b["status"] == "unsubscribed":
            c = campaign(b["campaign_id"]) if b.get("campaign_id") else last_campaign_for(a, h)
            record_unsubscribe(c, m, b.get("reason", "N/A (Unsubscribed by admin)"))
        return 200, member_json(m)
    mo = re.match(r"^/_fake/campaigns/([^/]+)/activity$", path)
    if mo:
        c = campaign(mo.group(1))
        a = STATE.lists[c["recipients"]["list_id"]]
        h = sub_hash(b["email"])
        m = STATE.member(a, h)
        action = b["action"]
        if action == "abuse":
            record_abuse(a, c, m)
        elif action in ("unsubscribe", "unsub"):
            STATE.set_status(m, "unsubscribed", b.get("reason", "N/A (Unsubscribed by subscriber)"))
            record_unsubscribe(c, m, b.get("reason", "N/A (Unsubscribed by subscriber)"))
        else:
            x = {"action": action, "timestamp": iso(STATE.clock()), "ip": "127.0.0.1", "_t": STATE.clock()}
            if action == "click":
                x["url"] = b.get("url", "")
            if action == "bounce":
                x["type"] = b.get("type", "hard")
                if x["type"] == "hard":
                    STATE.set_status(m, "cleaned")
            c["_activity"].setdefault(h, []).append(x)
        return 200, {}
    raise not_found()


# --- HTTP ----------------------------------------------------------------------------
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle(self):
        """Every request of one connection; counted open until the client hangs up (a test waits for a killed
        client's last request to be answered: stats' "connections" back to 1, its own)."""
        with STATE.lock:
            STATE.connections += 1
        try:
            BaseHTTPRequestHandler.handle(self)
        finally:
            with STATE.lock:
                STATE.connections -= 1

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_PATCH(self):
        self.handle_any("PATCH")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def answer(self, status, body, headers=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/problem+json" if status >= 400 else "application/json")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def problem(self, status, title, detail, errors=None, headers=None):
        body = {"type": ERRORS_DOC, "title": title, "status": status, "detail": detail, "instance": str(uuid.uuid4())}
        if errors:
            body["errors"] = errors
        self.answer(status, body, headers)

    def authorised(self):
        h = self.headers.get("Authorization", "")
        if not h.startswith("Basic "):
            return False
        try:
            user, _, pw = base64.b64decode(h[6:]).decode().partition(":")
        except ValueError:
            return False
        return pw == STATE.key

    def handle_any(self, method):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        u = urllib.parse.urlsplit(self.path)
        self.q = dict(urllib.parse.parse_qsl(u.query, keep_blank_values=True))
        try:
            self.body = json.loads(raw) if raw.strip() else None
        except ValueError:
            return self.problem(400, "JSON Parse Error", "We encountered an unspecified JSON parsing error.")
        if u.path.startswith("/_fake/"):
            with STATE.lock:
                try:
                    return self.answer(*fake_control(method, u.path, self.body))
                except (ApiError, KeyError, ValueError, TypeError) as e:
                    return self.problem(400, "Fake Control Error", repr(e))
        if not u.path.startswith("/3.0/"):
            return self.problem(404, "Resource Not Found", "The requested resource could not be found.")
        self.api(method, u.path[4:])

    def api(self, method, path):
        with STATE.lock:
            STATE.requests += 1
            STATE.in_flight += 1
            STATE.max_concurrent = max(STATE.max_concurrent, STATE.in_flight)
            over = STATE.in_flight > MAX_CONCURRENT
        try:
            if STATE.delay:
                time.sleep(STATE.delay)
            if over:
                return self.problem(429, "Too Many Requests", "You have exceeded the limit of 10 simultaneous "
                                    "connections.", headers={"Retry-After": "1"})
            self.dispatch(method, path)
        finally:
            with STATE.lock:
                STATE.in_flight -= 1

    def dispatch(self, method, path):
        for m, pattern, rx, fn in ROUTES:
            mo = rx.match(path)
            if m != method or not mo:
                continue
            key = "%s %s" % (method, pattern)
            with STATE.lock:
                STATE.by_route[key] = STATE.by_route.get(key, 0) + 1
                rule = self.injected(method, path)
                if rule is None and not self.authorised():
                    return self.problem(401, "API Key Invalid", "Your API key may be invalid, or you've attempted "
                                        "to access the wrong datacenter.")
                if rule is None:
                    if method != "GET":
                        STATE.version += 1
                    STATE.run_schedule()
                    try:
                        status, body = fn(self, **mo.groupdict())
                    except ApiError as e:
                        return self.problem(e.status, e.title, e.detail, e.errors)
                    if self.q.get("fields") and isinstance(body, dict):
                        body = apply_fields(body, self.q["fields"])
                    if key in STATE.broken and isinstance(body, dict):
                        body = {("broken_" + k): v for k, v in body.items()}
            if rule is not None:
                h = {"Retry-After": str(rule["retry_after"])} if rule["status"] == 429 and rule["retry_after"] else None
                return self.problem(rule["status"], "Too Many Requests" if rule["status"] == 429 else
                                    "Internal Server Error", "Injected by the fake (/_fake/fail).", headers=h)
            return self.answer(status, body)
        self.problem(404, "Resource Not Found", "The requested resource could not be found.")

    def injected(self, method, path):
        for r in STATE.fail_rules:
            if r["count"] > 0 and r["match"] in path and (not r["methods"] or method in r["methods"]):
                r["count"] -= 1
                STATE.failed_injected += 1
                return r
        return None


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64


def main():
    global STATE
    p = argparse.ArgumentParser(description="a stateful fake of Mailchimp's Marketing API 3.0")
    p.add_argument("--port-file", required=True)
    p.add_argument("--key", default="fakekey-us1")
    p.add_argument("--break", dest="broken", action="append", default=[],
                   help='"METHOD /route/{param}": that route answers with every key renamed (to test the client test)')
    args = p.parse_args()
    STATE = State(args.key)
    STATE.broken = set(args.broken)
    srv = Server(("127.0.0.1", 0), Handler)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.replace(args.port_file + ".tmp", args.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
