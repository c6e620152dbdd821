#!/usr/bin/python3
"""tests/esp/dotdigital_fake.py -- a small stateful fake of Dotdigital's v2 REST API.

Owns: the fake (address books, contacts, data fields, contact imports, campaigns, sends,
per-contact campaign activity, unsubscribes and suppressions) and the /_fake control
endpoints of /work/notes/spec13.md.  Does not own: checking that it matches the reference
(tests/esp/dotdigital_check.py) or camp's driver (runtime/esp_dotdigital.c).

    python3 tests/esp/dotdigital_fake.py --port-file FILE [--user U] [--password P] [--break ROUTE]

Binds 127.0.0.1:0 and writes the port to FILE once listening.  State is in memory.
--break "GET /v2/account-info" makes that route answer a wrong shape and status (the test
of the conformance check: a run against a broken fake must fail).

Control endpoints (not Dotdigital's; no auth; JSON bodies):
  POST /_fake/fail {"status": 429|500|503, "count": N, "retry_after": "1", "match": "path substring",
                    "methods": ["POST"]}       the next N matching API requests answer that status
  GET  /_fake/stats, POST /_fake/stats/reset  {"requests", "by_route": {"GET /v2/address-books": n, ...},
                                               "max_concurrent", "failed_injected"}
  POST /_fake/clock {"now": "2026-03-20T09:00:00+00:00"}   the fake's clock (dates, scheduled sends)
  POST /_fake/import_polls {"n": 2, "status": "Finished"}  imports answer NotFinished n times, then status
  POST /_fake/contacts/{email}/status {"status": "Unsubscribed"|"HardBounced"|"IspComplained"|..., "at": ISO}
       changed on Dotdigital's side: Unsubscribed is listed by unsubscribed-since for each book holding the
       contact, and every status but Subscribed by suppressed-since
  POST /_fake/campaigns/{id}/activity {"email", "opens", "clicks", "pageViews", "forwards", "replies",
       "unsubscribed", "hardBounced", "softBounced"}   sets a recipient's totals at the fake's clock
  GET  /_fake/state                            books, contacts, data fields, campaigns
A campaign "sent on Dotdigital" is made with the API itself: POST /v2/campaigns, then POST /v2/campaigns/send
{"campaignId", "addressBookIds": [book]}; it is sent at the fake's clock (or at sendDate once the clock passes it)
to the book's Subscribed and SoftBounced contacts.

Sources (what each gave):
- https://r1-api.dotdigital.com/swagger.json -- Dotdigital's published v2 OpenAPI document
  ("apiconnector.com" v2), read from the archived copy in github.com/api-evangelist/dotdigital
  openapi/_original/dotdigital-v2-api-swagger.json.  Gave: every path used here and its
  method (operationIds ApiAccount_GetCurrentAccountInfo, ApiAddressBook_GetAddressBooks /
  CreateAddressBook / GetAddressBookById / GetAddressBooksForCampaign,
  ApiContact_GetContactsInAddressBook / DeleteContactsFromAddressBook /
  GetUnsubscribedContactsInAddressBook / GetSuppressedContacts / GetModifiedContactsInAddressBook,
  ApiContactImport_ImportContactsToAddressBook / GetContactImportProgress /
  GetContactImportReportFaults, ApiDataField_GetDataFields / CreateDataField,
  ApiCampaign_GetCampaigns / CreateCampaign / GetCampaignById / GetCampaignsForAddressBook,
  ApiCampaignReporting_GetCampaignSummary / GetCampaignActivities /
  GetCampaignActivitiesSinceDate, ApiCampaignSend_SendCampaign / GetCampaignSendProgress);
  the success codes (201 for creates, 202 for import, delete and send, else 200); the
  select/skip paging parameters and their defaults (1000; 2000 for modified-since and
  activities since-date); the camelCase JSON schemas ApiAccount{id, properties[{name, type,
  value}]}, ApiAddressBook{id, name, visibility, contacts}, ApiContact{id, email, optInType,
  emailType, dataFields[{key, value}], status}, ApiContactImport{id, status},
  ApiBulkContactDeletion{id, status}, ApiDataField{name, type, visibility, defaultValue},
  ApiContactSuppression{suppressedContact, dateRemoved, reason}, ApiCampaign{id, name,
  subject, fromName, fromAddress, htmlContent, plainTextContent, replyAction, replyToAddress,
  isSplitTest, status} (+ type when created), ApiCampaignSummary{dateSent, numOpens,
  numClicks, numHardBounces, ...}, ApiCampaignContactSummary{contactId, email, numOpens,
  numPageViews, numClicks, numForwards, numEstimatedForwards, numReplies, dateSent,
  dateFirstOpened, dateLastOpened, firstOpenIp, unsubscribed, softBounced, hardBounced},
  ApiCampaignSend{id, campaignId, addressBookIds, contactIds, sendDate, splitTestOptions,
  status}; the enums ApiContactStatuses (Subscribed, Unsubscribed, SoftBounced, HardBounced,
  IspComplained, MailBlocked, PendingOptIn, DirectComplaint, Deleted, SharedSuppression,
  Suppressed, NotAllowed, DomainSuppression, NoMxRecord, NotAvailableInThisVersion),
  ApiContactImportStatuses (Finished, NotFinished, RejectedByWatchdog, InvalidFileFormat,
  Unknown, Failed, ExceedsAllowedContactLimit, NotAvailableInThisVersion),
  ApiCampaignStatuses, ApiCampaignSendStatuses (NotSent, Scheduled, Sending, Sent,
  Cancelled), ApiBulkContactDeletionStatuses, ApiContactOptInTypes, ApiContactEmailTypes,
  ApiAddressBookVisibility, ApiDataTypes; report-faults answering a CSV file
  (application/octet-stream) rather than JSON.
- https://developer.dotdigital.com/reference/bulk-import-contacts-in-address-book-with-merge-option
  -- the import file: CSV or Excel with one column headed "Email" (casing not important), every
  other column mapped to a contact data field; sent either as JSON with base64 file data
  (ApiFileMedia{fileName, data}) or as a multipart/form-data file; polled with "Get contact
  import status", faults read with "Get contact import report faults".
- https://developer.dotdigital.com/docs/getting-started-with-the-api (via api-evangelist apis.yml)
  -- the base https://r1-api.dotdigital.com/v2, HTTP Basic with an API user.
- github.com/dotmailer/dotdigital-php src/HttpClient/Message/V2/ResponseMediator.php (the
  vendor's own client) -- a v2 error body is JSON with a "message" key.
- github.com/oroinc/OroCRMDotmailerBundle (read only, nothing copied): the account-info property
  named "ApiEndpoint" read as item['name'] (Provider/Transport/DotmailerResourcesFactory.php),
  the campaigns of a book read from /address-books/{id}/campaigns (CampaignIterator.php), the
  faults report read as CSV with a header "Reason,email,<data fields>" and reasons such as
  "Hard bounced" (Tests/Functional/Model/Fixtures/importFaults.csv).
"""
import argparse
import base64
import csv
import io
import json
import os
import re
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from email.parser import BytesParser
from email.policy import HTTP
from itertools import islice
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

CONTACT_STATUSES = ["Subscribed", "Unsubscribed", "SoftBounced", "HardBounced", "IspComplained", "MailBlocked",
                    "PendingOptIn", "DirectComplaint", "Deleted", "SharedSuppression", "Suppressed", "NotAllowed",
                    "DomainSuppression", "NoMxRecord"]
IMPORT_STATUSES = ["Finished", "NotFinished", "RejectedByWatchdog", "InvalidFileFormat", "Unknown", "Failed",
                   "ExceedsAllowedContactLimit", "NotAvailableInThisVersion"]
# Why the import refuses a contact in a given account-level status (the faults report's Reason).
FAULT_REASONS = {"HardBounced": "Hard bounced", "Unsubscribed": "Unsubscribed", "IspComplained": "ISP complaint",
                 "DirectComplaint": "Direct complaint", "Suppressed": "Suppressed", "MailBlocked": "Mail blocked"}
DEFAULT_FIELDS = ["FIRSTNAME", "LASTNAME", "FULLNAME", "GENDER", "POSTCODE"]
FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,19}$")
EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")


def parse_date(s):
    """An ISO date-time (the path's {date}) as epoch seconds, or None."""
    s = s.strip()
    for fmt in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f",
                "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            d = datetime.strptime(s.replace("Z", "+0000") if s.endswith("Z") else s, fmt)
        except ValueError:
            continue
        if d.tzinfo is None:
            d = d.replace(tzinfo=timezone.utc)
        return d.timestamp()
    return None


def fmt_date(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if t is not None else None


class State:
    """Everything the fake holds; one lock around it."""

    def __init__(self):
        self.lock = threading.RLock()
        self.now = None                 # None: the real clock
        self.books = {}                 # id -> {id, name, visibility, members: {contact id: True}}
        self.contacts = {}              # id -> {id, email, optInType, emailType, fields {}, status, modified}
        self.by_email = {}              # lower-cased email -> contact id
        self.fields = [{"name": n, "type": "String", "visibility": "Private", "defaultValue": None}
                       for n in DEFAULT_FIELDS]
        self.imports = {}               # guid -> {id, status, polls, final, faults (csv text)}
        self.import_polls = 1           # GETs of an import answering NotFinished before it is final
        self.import_final = "Finished"
        self.unsubs = []                # (book id, contact id, at, reason)
        self.suppressions = []          # (contact id, at, reason)
        self.campaigns = {}             # id -> campaign dict (+ books, dateSent, activity {contact id: row})
        self.sends = {}                 # guid -> send dict
        self.next_id = {"book": 1, "contact": 1000, "campaign": 500}
        self.fail = []                  # [{status, count, retry_after, match, methods}]
        self.stats = {"requests": 0, "by_route": {}, "max_concurrent": 0, "failed_injected": 0}
        self.inflight = 0
        self.connections = 0         # open client connections (the one asking included)
        self.new_book("Test", "Private")

    def clock(self):
        return self.now if self.now is not None else time.time()

    def nid(self, kind):
        self.next_id[kind] += 1
        return self.next_id[kind]

    def new_book(self, name, visibility):
        i = self.nid("book")
        self.books[i] = {"id": i, "name": name, "visibility": visibility, "members": {}}   # ordered: id -> True
        return self.books[i]

    def contact(self, email, create=True):
        key = email.strip().lower()
        cid = self.by_email.get(key)
        if cid is None and create:
            cid = self.nid("contact")
            self.contacts[cid] = {"id": cid, "email": key, "optInType": "Unknown", "emailType": "Html",
                                  "fields": {}, "status": "Subscribed", "modified": self.clock()}
            self.by_email[key] = cid
        return self.contacts.get(cid) if cid is not None else None

    def run_due_sends(self):
        """Scheduled sends whose time has come are sent (the fake's clock)."""
        for s in self.sends.values():
            if s["status"] in ("Scheduled", "Sending") and s["sendAt"] <= self.clock():
                self.deliver(s)

    def deliver(self, s):
        c = self.campaigns[s["campaignId"]]
        at = max(s["sendAt"], 0)
        for bid in s["addressBookIds"]:
            book = self.books.get(bid)
            if not book:
                continue
            if bid not in c["books"]:
                c["books"].append(bid)
            for cid in book["members"]:
                ct = self.contacts[cid]
                if ct["status"] not in ("Subscribed", "SoftBounced") or cid in c["activity"]:
                    continue
                c["activity"][cid] = {"contactId": cid, "email": ct["email"], "numOpens": 0, "numPageViews": 0,
                                      "numClicks": 0, "numForwards": 0, "numEstimatedForwards": 0, "numReplies": 0,
                                      "dateSent": fmt_date(at), "dateFirstOpened": None, "dateLastOpened": None,
                                      "firstOpenIp": "", "unsubscribed": False, "softBounced": False,
                                      "hardBounced": False, "_modified": at}
        s["status"] = "Sent"
        c["status"] = "Sent"
        c["dateSent"] = at


STATE = State()
BROKEN = set()
USER = "apiuser-camp@apiconnector.com"
PASSWORD = "camp-secret"


class Reply(Exception):
    def __init__(self, status, body, ctype="application/json", headers=None):
        super().__init__(status)
        self.status, self.body, self.ctype, self.headers = status, body, ctype, headers or {}


def error(status, message):
    raise Reply(status, {"message": message})


def paging(q, default=1000, cap=1000):
    try:
        select = int(q.get("select", [str(default)])[0])
        skip = int(q.get("skip", ["0"])[0])
    except ValueError:
        error(400, "The value of select or skip is not a valid integer.")
    if select < 1 or select > cap or skip < 0:
        error(400, "Select must be between 1 and %d ERROR_PARAMETER_INVALID" % cap)
    return select, skip


def int_id(s, what):
    try:
        return int(s)
    except ValueError:
        error(400, "The %s is not a valid integer. ERROR_PARAMETER_INVALID" % what)


def book_of(st, sid):
    b = st.books.get(int_id(sid, "address book id"))
    if not b:
        error(404, "Address book not found ERROR_ADDRESSBOOK_NOT_FOUND")
    return b


def campaign_of(st, sid):
    c = st.campaigns.get(int_id(sid, "campaign id"))
    if not c:
        error(404, "Campaign not found ERROR_CAMPAIGN_NOT_FOUND")
    return c


def since(sdate):
    t = parse_date(unquote(sdate))
    if t is None:
        error(400, "The date is not a valid date-time ERROR_PARAMETER_INVALID")
    return t


def book_json(st, b):
    return {"id": b["id"], "name": b["name"], "visibility": b["visibility"], "contacts": len(b["members"])}


def contact_json(ct, full=True):
    out = {"id": ct["id"], "email": ct["email"], "optInType": ct["optInType"], "emailType": ct["emailType"],
           "dataFields": None, "status": ct["status"]}
    if full:        # every data field of the account, null when the contact has no value
        out["dataFields"] = [{"key": f["name"], "value": ct["fields"].get(f["name"])} for f in STATE.fields]
    return out


CAMPAIGN_KEYS = ["id", "name", "subject", "fromName", "fromAddress", "htmlContent", "plainTextContent", "replyAction",
                 "replyToAddress", "isSplitTest", "status"]


def campaign_json(c, with_type=False):
    out = {k: c.get(k) for k in CAMPAIGN_KEYS}
    if with_type:
        out["type"] = "Standard"
    return out


def activity_json(row):
    return {k: v for k, v in row.items() if not k.startswith("_")}


# --- routes -------------------------------------------------------------------------------------------------------

def r_account_info(st, m, q, body, base):
    return 200, {"id": 421337, "properties": [
        {"name": "Name", "type": "String", "value": "camp test account"},
        {"name": "MainEmail", "type": "String", "value": "owner@example.com"},
        {"name": "ApiEndpoint", "type": "String", "value": base},
        {"name": "AvailableEmailSendsCredits", "type": "Int32", "value": "100000"}]}


def r_books(st, m, q, body, base):
    if m == "GET":
        select, skip = paging(q)
        books = sorted(st.books.values(), key=lambda b: b["id"])
        return 200, [book_json(st, b) for b in books[skip:skip + select]]
    if not isinstance(body, dict) or not isinstance(body.get("name"), str) or not body["name"].strip():
        error(400, "Address book name is required ERROR_ADDRESSBOOK_INVALID")
    if any(b["name"].lower() == body["name"].lower() for b in st.books.values()):
        error(400, "An address book with this name already exists ERROR_ADDRESSBOOK_DUPLICATE")
    vis = body.get("visibility") or "Private"
    if vis not in ("Private", "Public"):
        error(400, "Visibility must be Private or Public ERROR_PARAMETER_INVALID")
    return 201, book_json(st, st.new_book(body["name"], vis))


def r_book(st, m, q, body, base, bid):
    return 200, book_json(st, book_of(st, bid))


def r_book_contacts(st, m, q, body, base, bid):
    b = book_of(st, bid)
    select, skip = paging(q)
    full = q.get("withFullData", ["false"])[0].lower() == "true"
    return 200, [contact_json(st.contacts[c], full) for c in islice(b["members"], skip, skip + select)]


def r_book_delete(st, m, q, body, base, bid):
    b = book_of(st, bid)
    if not isinstance(body, list) or not all(isinstance(x, int) and not isinstance(x, bool) for x in body):
        error(400, "The request body must be an array of contact ids ERROR_PARAMETER_INVALID")
    gone = set(body)
    for cid in gone:
        b["members"].pop(cid, None)
    for cid in gone:
        if cid in st.contacts:
            st.contacts[cid]["modified"] = st.clock()
    return 202, {"id": str(uuid.uuid4()), "status": "Started"}


def read_upload(handler, raw):
    """(file name, bytes) of the uploaded file: multipart/form-data or JSON ApiFileMedia."""
    ctype = handler.headers.get("Content-Type", "")
    if ctype.startswith("multipart/form-data"):
        msg = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + raw)
        for part in msg.iter_parts():
            if part.get_filename() is not None or part.get_param("name", header="content-disposition"):
                return part.get_filename() or "", part.get_payload(decode=True) or b""
        error(400, "No file was found in the request ERROR_FILE_INVALID")
    try:
        media = json.loads(raw or b"null")
        return media.get("fileName") or "", base64.b64decode(media.get("data") or "")
    except (ValueError, AttributeError, TypeError):
        error(400, "The request body is not a file ERROR_FILE_INVALID")


def r_book_import(st, m, q, body, base, bid, handler=None, raw=b""):
    b = book_of(st, bid)
    name, data = read_upload(handler, raw)
    iid = str(uuid.uuid4())
    imp = {"id": iid, "polls": st.import_polls, "final": st.import_final, "faults": "", "book": b["id"]}
    st.imports[iid] = imp
    try:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    except UnicodeDecodeError:
        rows = None
    header = [h.strip() for h in rows[0]] if rows else []
    lower = [h.lower() for h in header]
    if not name.lower().endswith((".csv", ".xls", ".xlsx")) or "email" not in lower:
        imp["final"] = "InvalidFileFormat"
        return 202, {"id": iid, "status": "NotFinished"}
    if imp["final"] != "Finished":
        return 202, {"id": iid, "status": "NotFinished"}
    known = {f["name"].upper() for f in st.fields}
    faults = io.StringIO()
    w = csv.writer(faults, lineterminator="\r\n")
    w.writerow(["Reason"] + header)
    imported = set()
    for row in rows[1:]:
        if not any(x.strip() for x in row):
            continue
        row = row + [""] * (len(header) - len(row))
        rec = dict(zip(lower, row))
        email = rec.get("email", "").strip()
        if not EMAIL.match(email):
            w.writerow(["Invalid email address"] + row)
            continue
        ct = st.contact(email)
        if ct["status"] in FAULT_REASONS:
            w.writerow([FAULT_REASONS[ct["status"]]] + row)
            continue
        for h, v in zip(header, row):
            if h.lower() == "optintype" and v:
                ct["optInType"] = v
            elif h.lower() == "emailtype" and v:
                ct["emailType"] = v
            elif h.upper() in known:
                if v == "":
                    ct["fields"].pop(h.upper(), None)
                else:
                    ct["fields"][h.upper()] = v
        ct["modified"] = st.clock()
        b["members"][ct["id"]] = True
        imported.add(ct["id"])
    st.unsubs = [u for u in st.unsubs if not (u[0] == b["id"] and u[1] in imported)]
    imp["faults"] = faults.getvalue()
    return 202, {"id": iid, "status": "NotFinished"}


def import_of(st, iid):
    imp = st.imports.get(iid.lower())
    if not imp:
        error(404, "Import not found ERROR_IMPORT_NOT_FOUND")
    return imp


def r_import(st, m, q, body, base, iid):
    imp = import_of(st, iid)
    if imp["polls"] > 0:
        imp["polls"] -= 1
        return 200, {"id": imp["id"], "status": "NotFinished"}
    return 200, {"id": imp["id"], "status": imp["final"]}


def r_import_faults(st, m, q, body, base, iid):
    imp = import_of(st, iid)
    if imp["polls"] > 0 or imp["final"] != "Finished":
        error(400, "The import has not finished ERROR_IMPORT_NOT_FINISHED")
    text = imp["faults"] if imp["faults"].count("\n") > 1 else ""
    raise Reply(200, text.encode("utf-8"), "application/octet-stream")


def r_fields(st, m, q, body, base):
    if m == "GET":
        return 200, [dict(f) for f in st.fields]
    if not isinstance(body, dict) or not isinstance(body.get("name"), str) or not FIELD_NAME.match(body["name"]):
        error(400, "Data field name is invalid ERROR_DATAFIELD_INVALID")
    if any(f["name"].upper() == body["name"].upper() for f in st.fields):
        error(400, "Field name already exists ERROR_NON_UNIQUE_DATAFIELD")
    typ = body.get("type", "String")
    if typ not in ("String", "Numeric", "Date", "Boolean"):
        error(400, "Data field type is invalid ERROR_DATAFIELD_INVALID")
    f = {"name": body["name"].upper(), "type": typ, "visibility": body.get("visibility") or "Private",
         "defaultValue": body.get("defaultValue")}
    st.fields.append(f)
    return 201, dict(f)


def suppression_json(st, cid, at, reason):
    return {"suppressedContact": contact_json(st.contacts[cid]), "dateRemoved": fmt_date(at), "reason": reason}


def r_book_unsubscribed(st, m, q, body, base, bid, sdate):
    b = book_of(st, bid)
    t = since(sdate)
    select, skip = paging(q)
    rows = sorted([u for u in st.unsubs if u[0] == b["id"] and u[2] >= t], key=lambda u: (u[2], u[1]))
    return 200, [suppression_json(st, u[1], u[2], u[3]) for u in rows[skip:skip + select]]


def r_suppressed(st, m, q, body, base, sdate):
    t = since(sdate)
    select, skip = paging(q)
    rows = sorted([s for s in st.suppressions if s[1] >= t], key=lambda s: (s[1], s[0]))
    return 200, [suppression_json(st, s[0], s[1], s[2]) for s in rows[skip:skip + select]]


def r_book_modified(st, m, q, body, base, bid, sdate):
    b = book_of(st, bid)
    t = since(sdate)
    select, skip = paging(q, 2000, 2000)
    full = q.get("withFullData", ["false"])[0].lower() == "true"
    rows = [st.contacts[c] for c in b["members"] if st.contacts[c]["modified"] >= t]
    return 200, [contact_json(c, full) for c in rows[skip:skip + select]]


def r_campaigns(st, m, q, body, base):
    if m == "GET":
        select, skip = paging(q)
        cs = sorted(st.campaigns.values(), key=lambda c: c["id"])
        return 200, [campaign_json(c) for c in cs[skip:skip + select]]
    if not isinstance(body, dict):
        error(400, "The campaign is required ERROR_CAMPAIGN_INVALID")
    for k in ("name", "subject", "fromName", "htmlContent", "plainTextContent"):
        if not isinstance(body.get(k), str) or not body[k]:
            error(400, "The %s field is required. ERROR_CAMPAIGN_INVALID" % k)
    if len(body["name"]) > 255:
        error(400, "The campaign name is too long ERROR_CAMPAIGN_INVALID")
    i = st.nid("campaign")
    c = {"id": i, "name": body["name"], "subject": body["subject"], "fromName": body["fromName"],
         "fromAddress": body.get("fromAddress"), "htmlContent": body["htmlContent"],
         "plainTextContent": body["plainTextContent"], "replyAction": body.get("replyAction") or "Unset",
         "replyToAddress": body.get("replyToAddress"), "isSplitTest": False, "status": "Unsent",
         "books": [], "dateSent": None, "activity": {}}
    st.campaigns[i] = c
    return 201, campaign_json(c, True)


def r_campaign(st, m, q, body, base, cid):
    return 200, campaign_json(campaign_of(st, cid))


def r_campaign_books(st, m, q, body, base, cid):
    c = campaign_of(st, cid)
    select, skip = paging(q)
    return 200, [book_json(st, st.books[b]) for b in c["books"][skip:skip + select] if b in st.books]


def r_book_campaigns(st, m, q, body, base, bid):
    b = book_of(st, bid)
    select, skip = paging(q)
    cs = sorted([c for c in st.campaigns.values() if b["id"] in c["books"]], key=lambda c: c["id"])
    return 200, [campaign_json(c) for c in cs[skip:skip + select]]


def r_summary(st, m, q, body, base, cid):
    c = campaign_of(st, cid)
    rows = list(c["activity"].values())
    n = len(rows)
    s = {"dateSent": fmt_date(c["dateSent"]) if c["dateSent"] is not None else "0001-01-01T00:00:00",
         "numUniqueOpens": sum(1 for r in rows if r["numOpens"]), "numOpens": sum(r["numOpens"] for r in rows),
         "numClicks": sum(r["numClicks"] for r in rows),
         "numRecipientsClicked": sum(1 for r in rows if r["numClicks"]),
         "numPageViews": sum(r["numPageViews"] for r in rows), "numForwards": sum(r["numForwards"] for r in rows),
         "numReplies": sum(r["numReplies"] for r in rows),
         "numHardBounces": sum(1 for r in rows if r["hardBounced"]),
         "numSoftBounces": sum(1 for r in rows if r["softBounced"]),
         "numUnsubscribes": sum(1 for r in rows if r["unsubscribed"]), "numIspComplaints": 0, "numMailBlocks": 0,
         "numSent": n, "numDelivered": n - sum(1 for r in rows if r["hardBounced"] or r["softBounced"])}
    for k in ("UniqueOpens", "Opens", "Clicks", "PageViews", "Forwards", "Replies", "HardBounces", "SoftBounces",
              "Unsubscribes", "IspComplaints", "MailBlocks", "Sent", "Delivered"):
        s["numText" + k] = 0
        s["numTotal" + k] = s["num" + k]
    s["numEstimatedForwards"] = s["numTextEstimatedForwards"] = s["numTotalEstimatedForwards"] = 0
    s["numTotalUniqueOpens"] = s["numUniqueOpens"]
    s["numUniqueTextOpens"] = 0                 # sic: the reference's name (not numTextUniqueOpens)
    for k in ("numTextUniqueOpens", "numTotalForwards"):    # not in the reference
        s.pop(k, None)
    s["numTotalPageViews"] = s["numPageViews"]
    pct = (lambda a: round(100.0 * a / n, 2) if n else 0.0)
    s.update({"percentageDelivered": pct(s["numDelivered"]), "percentageUniqueOpens": pct(s["numUniqueOpens"]),
              "percentageOpens": pct(s["numOpens"]), "percentageUnsubscribes": pct(s["numUnsubscribes"]),
              "percentageReplies": pct(s["numReplies"]), "percentageHardBounces": pct(s["numHardBounces"]),
              "percentageSoftBounces": pct(s["numSoftBounces"]), "percentageUsersClicked": pct(s["numRecipientsClicked"]),
              "percentageClicksToOpens": 0.0, "revenue": None, "conversionRate": 0.0, "assistedRevenue": None,
              "numOrders": 0, "numAssistedOrders": 0})
    return 200, s


def r_activities(st, m, q, body, base, cid, sdate=None):
    c = campaign_of(st, cid)
    t = since(sdate) if sdate is not None else None
    select, skip = paging(q, 2000 if sdate is not None else 1000, 2000 if sdate is not None else 1000)
    rows = sorted(c["activity"].values(), key=lambda r: r["contactId"])
    if t is not None:
        rows = [r for r in rows if r["_modified"] >= t]
    return 200, [activity_json(r) for r in rows[skip:skip + select]]


def r_activities_since(st, m, q, body, base, cid, sdate):
    return r_activities(st, m, q, body, base, cid, sdate)


def send_json(s):
    return {"id": s["id"], "campaignId": s["campaignId"], "addressBookIds": s["addressBookIds"],
            "contactIds": s["contactIds"], "sendDate": fmt_date(s["sendAt"]), "splitTestOptions": None,
            "status": s["status"]}


def r_send(st, m, q, body, base):
    if not isinstance(body, dict) or not isinstance(body.get("campaignId"), int):
        error(400, "The campaignId field is required. ERROR_PARAMETER_INVALID")
    c = st.campaigns.get(body["campaignId"])
    if not c:
        error(404, "Campaign not found ERROR_CAMPAIGN_NOT_FOUND")
    if c["status"] != "Unsent":
        error(400, "The campaign has already been sent ERROR_CAMPAIGN_SENDNOTPERMITTED")
    books = body.get("addressBookIds") or []
    if not isinstance(books, list) or not books or not all(isinstance(b, int) for b in books):
        error(400, "At least one address book is required ERROR_CAMPAIGN_SENDNOTPERMITTED")
    for b in books:
        if b not in st.books:
            error(404, "Address book not found ERROR_ADDRESSBOOK_NOT_FOUND")
    at = st.clock()
    if body.get("sendDate"):
        t = parse_date(body["sendDate"])
        if t is None:
            error(400, "The sendDate is not a valid date-time ERROR_PARAMETER_INVALID")
        at = max(t, at)
    s = {"id": str(uuid.uuid4()), "campaignId": c["id"], "addressBookIds": books, "contactIds": None,
         "sendAt": at, "status": "Scheduled" if at > st.clock() else "Sending"}
    st.sends[s["id"]] = s
    c["status"] = "Sending" if s["status"] == "Sending" else c["status"]
    return 202, send_json(s)


def r_send_progress(st, m, q, body, base, sid):
    s = st.sends.get(sid.lower())
    if not s:
        error(404, "Send not found ERROR_CAMPAIGN_SEND_NOT_FOUND")
    out = send_json(s)
    if s["status"] == "Sending":            # one answer says Sending, then it is sent
        st.deliver(s)
    return 200, out


ROUTES = [
    ("GET", "/v2/account-info", r_account_info),
    ("GET", "/v2/address-books", r_books),
    ("POST", "/v2/address-books", r_books),
    ("GET", "/v2/address-books/{id}", r_book),
    ("GET", "/v2/address-books/{addressBookId}/contacts", r_book_contacts),
    ("POST", "/v2/address-books/{addressBookId}/contacts/delete", r_book_delete),
    ("POST", "/v2/address-books/{addressBookId}/contacts/import", r_book_import),
    ("GET", "/v2/address-books/{addressBookId}/contacts/unsubscribed-since/{date}", r_book_unsubscribed),
    ("GET", "/v2/address-books/{addressBookId}/contacts/modified-since/{date}", r_book_modified),
    ("GET", "/v2/address-books/{addressBookId}/campaigns", r_book_campaigns),
    ("GET", "/v2/contacts/import/{importId}", r_import),
    ("GET", "/v2/contacts/import/{importId}/report-faults", r_import_faults),
    ("GET", "/v2/contacts/suppressed-since/{date}", r_suppressed),
    ("GET", "/v2/data-fields", r_fields),
    ("POST", "/v2/data-fields", r_fields),
    ("GET", "/v2/campaigns", r_campaigns),
    ("POST", "/v2/campaigns", r_campaigns),
    ("POST", "/v2/campaigns/send", r_send),
    ("GET", "/v2/campaigns/send/{sendId}", r_send_progress),
    ("GET", "/v2/campaigns/{id}", r_campaign),
    ("GET", "/v2/campaigns/{campaignId}/address-books", r_campaign_books),
    ("GET", "/v2/campaigns/{campaignId}/summary", r_summary),
    ("GET", "/v2/campaigns/{campaignId}/activities", r_activities),
    ("GET", "/v2/campaigns/{campaignId}/activities/since-date/{date}", r_activities_since),
]


def match(method, path):
    """(route template, handler, path parameters) or None."""
    parts = path.rstrip("/").split("/")
    for m, tpl, fn in ROUTES:
        tparts = tpl.split("/")
        if m != method or len(tparts) != len(parts):
            continue
        args = []
        for t, p in zip(tparts, parts):
            if t.startswith("{"):
                if not p:
                    break
                args.append(unquote(p))
            elif t != p:
                break
        else:
            return tpl, fn, args
    return None


# --- /_fake control ---------------------------------------------------------------------------------------------

def control(st, method, path, body):
    if path == "/_fake/fail" and method == "POST":
        st.fail.append({"status": int(body.get("status", 500)), "count": int(body.get("count", 1)),
                        "retry_after": body.get("retry_after"), "match": body.get("match") or "",
                        "methods": body.get("methods")})
        return 200, {"ok": True}
    if path == "/_fake/stats" and method == "GET":
        return 200, dict(st.stats, connections=st.connections)
    if path == "/_fake/stats/reset" and method == "POST":
        st.stats = {"requests": 0, "by_route": {}, "max_concurrent": 0, "failed_injected": 0}
        return 200, {"ok": True}
    if path == "/_fake/clock" and method == "POST":
        t = parse_date(body.get("now", ""))
        if t is None:
            return 400, {"message": "now: an ISO date-time"}
        st.now = t
        st.run_due_sends()
        return 200, {"now": fmt_date(t)}
    if path == "/_fake/import_polls" and method == "POST":
        st.import_polls = int(body.get("n", 1))
        final = body.get("status", "Finished")
        if final not in IMPORT_STATUSES:
            return 400, {"message": "status: one of " + ", ".join(IMPORT_STATUSES)}
        st.import_final = final
        return 200, {"n": st.import_polls, "status": final}
    m = re.match(r"^/_fake/contacts/([^/]+)/status$", path)
    if m and method == "POST":
        return fake_status(st, unquote(m.group(1)), body)
    m = re.match(r"^/_fake/campaigns/(\d+)/activity$", path)
    if m and method == "POST":
        return fake_activity(st, int(m.group(1)), body)
    if path == "/_fake/state" and method == "GET":
        return 200, {"books": [book_json(st, b) for b in st.books.values()],
                     "contacts": [contact_json(c) for c in st.contacts.values()],
                     "fields": st.fields, "campaigns": [campaign_json(c) for c in st.campaigns.values()]}
    return 404, {"message": "no such control endpoint"}


def fake_status(st, email, body):
    """A contact's status changed on Dotdigital's side: unsubscribed (from every book it is in, and from the
    account), hard bounced or complained (suppressed in the account)."""
    status = body.get("status", "")
    canon = {s.lower(): s for s in CONTACT_STATUSES}.get(status.lower())
    if not canon:
        return 400, {"message": "status: one of " + ", ".join(CONTACT_STATUSES)}
    ct = st.contact(email, create=False)
    if not ct:
        return 404, {"message": "no contact " + email}
    at = parse_date(body["at"]) if body.get("at") else st.clock()
    ct["status"] = canon
    ct["modified"] = at
    if canon == "Unsubscribed":
        for b in st.books.values():
            if ct["id"] in b["members"]:
                st.unsubs.append((b["id"], ct["id"], at, canon))
    if canon != "Subscribed":
        st.suppressions.append((ct["id"], at, canon))
    return 200, contact_json(ct)


def fake_activity(st, cid, body):
    """Set one contact's totals on a sent campaign (opens, clicks, pageViews, forwards, replies, unsubscribed,
    hardBounced, softBounced) at the fake's clock."""
    c = st.campaigns.get(cid)
    if not c:
        return 404, {"message": "no campaign %d" % cid}
    ct = st.contact(body.get("email", ""), create=False)
    if not ct or ct["id"] not in c["activity"]:
        return 404, {"message": "not a recipient of campaign %d" % cid}
    row = c["activity"][ct["id"]]
    now = st.clock()
    for k, col in (("opens", "numOpens"), ("clicks", "numClicks"), ("pageViews", "numPageViews"),
                   ("forwards", "numForwards"), ("replies", "numReplies")):
        if k in body:
            row[col] = int(body[k])
    for k in ("unsubscribed", "hardBounced", "softBounced"):
        if k in body:
            row[k] = bool(body[k])
    if row["numOpens"] and not row["dateFirstOpened"]:
        row["dateFirstOpened"] = fmt_date(now)
        row["firstOpenIp"] = "192.0.2.10"
    if row["numOpens"]:
        row["dateLastOpened"] = fmt_date(now)
    row["_modified"] = now
    return 200, activity_json(row)


# --- HTTP ---------------------------------------------------------------------------------------------------------

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

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def send(self, status, body, ctype="application/json", headers=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype + ("; charset=utf-8" if ctype == "application/json" else ""))
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self, method):
        url = urlsplit(self.path)
        path, q = url.path, parse_qs(url.query)
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        if path.startswith("/_fake/"):
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                return self.send(400, {"message": "control bodies are JSON"})
            with STATE.lock:
                status, out = control(STATE, method, path, body)
            return self.send(status, out)
        st = STATE
        with st.lock:
            st.inflight += 1
            st.stats["max_concurrent"] = max(st.stats["max_concurrent"], st.inflight)
        try:
            self.api(st, method, path, q, raw)
        finally:
            with st.lock:
                st.inflight -= 1

    def authorized(self):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Basic "):
            return False
        try:
            user, _, pw = base64.b64decode(auth[6:]).decode("utf-8").partition(":")
        except ValueError:
            return False
        return user == USER and pw == PASSWORD

    def api(self, st, method, path, q, raw):
        found = match(method, path)
        route = "%s %s" % (method, found[0] if found else path)
        with st.lock:
            st.stats["requests"] += 1
            st.stats["by_route"][route] = st.stats["by_route"].get(route, 0) + 1
            inject = None
            for f in st.fail:
                if f["count"] > 0 and f["match"] in path and (not f["methods"] or method in f["methods"]):
                    f["count"] -= 1
                    st.stats["failed_injected"] += 1
                    inject = f
                    break
            st.fail = [f for f in st.fail if f["count"] > 0]
        if inject:
            if inject["status"] == 429:
                hdr = {"Retry-After": str(inject["retry_after"])} if inject.get("retry_after") is not None else {}
                return self.send(429, {"message": "You have exceeded the number of API calls allowed per hour. "
                                                  "ERROR_API_CALL_LIMIT_EXCEEDED"}, headers=hdr)
            return self.send(inject["status"], {"message": "An error has occurred."})
        if not self.authorized():
            return self.send(401, {"message": "Authorization has been denied for this request."},
                             headers={"WWW-Authenticate": 'Basic realm="apiconnector.com"'})
        if not found:
            return self.send(404, {"message": "No HTTP resource was found that matches the request URI '%s'."
                                              % self.path})
        tpl, fn, args = found
        body = None
        if method == "POST" and not tpl.endswith("/contacts/import"):
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                return self.send(400, {"message": "The request is invalid. The request body is not valid JSON."})
        host = self.headers.get("Host") or "127.0.0.1:%d" % self.server.server_address[1]
        base = "http://" + host
        try:
            with st.lock:
                st.run_due_sends()
                if tpl.endswith("/contacts/import"):
                    status, out = fn(st, method, q, body, base, *args, handler=self, raw=raw)
                else:
                    status, out = fn(st, method, q, body, base, *args)
        except Reply as r:
            if r.status < 300 and route in BROKEN:
                return self.send(299, {"broken": True})
            return self.send(r.status, r.body, r.ctype, r.headers)
        if route in BROKEN:
            status, out = (200 if status != 200 else 203), {"Broken": out}
        self.send(status, out)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):     # a client hanging up is normal
            super().handle_error(request, client_address)


def main():
    global USER, PASSWORD
    ap = argparse.ArgumentParser(description="a stateful fake of Dotdigital's v2 API")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--user", default=USER)
    ap.add_argument("--password", default=PASSWORD)
    ap.add_argument("--break", dest="broken", action="append", default=[],
                    help='a route ("GET /v2/account-info") answered with a wrong shape and status')
    a = ap.parse_args()
    USER, PASSWORD = a.user, a.password
    BROKEN.update(a.broken)
    srv = Server(("127.0.0.1", 0), Handler)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.replace(tmp, a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
