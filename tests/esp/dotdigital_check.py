#!/usr/bin/python3
"""tests/esp/dotdigital_check.py -- checks the Dotdigital fake against Dotdigital's published v2 reference.

Owns: a table transcribed from the reference (method, path, success status, answer shape, enums) and a
walk over every endpoint camp's driver calls, with plain urllib, comparing each answer with its row.
Does not own: the fake (tests/esp/dotdigital_fake.py).

    python3 tests/esp/dotdigital_check.py [--break ROUTE]...

Starts the fake (passing --break through: a run against a broken fake must fail), walks it, prints one
line per failed check and ends with "N passed, N failed"; exit 0 only when nothing failed.

Sources, cited per row below by key:
  SW  = https://r1-api.dotdigital.com/swagger.json (Dotdigital's v2 OpenAPI document; archived copy read from
        github.com/api-evangelist/dotdigital openapi/_original/dotdigital-v2-api-swagger.json) -- operationId named
  IMP = https://developer.dotdigital.com/reference/bulk-import-contacts-in-address-book-with-merge-option
        (CSV with an "Email" column, the other columns data fields; multipart/form-data or base64 JSON)
  ERR = github.com/dotmailer/dotdigital-php src/HttpClient/Message/V2/ResponseMediator.php (v2 errors carry "message")
"""
import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
USER, PASSWORD = "check@apiconnector.com", "check-pass"

# --- the reference, transcribed (SW component schemas) -----------------------------------------------------------
SCHEMAS = {
    "ApiAccount": ["id", "properties"],
    "ApiAccountProperty": ["name", "type", "value"],
    "ApiAddressBook": ["id", "name", "visibility", "contacts"],
    "ApiContact": ["id", "email", "optInType", "emailType", "dataFields", "status"],
    "ApiContactData": ["key", "value"],
    "ApiBulkContactDeletion": ["id", "status"],
    "ApiContactImport": ["id", "status"],
    "ApiDataField": ["name", "type", "visibility", "defaultValue"],
    "ApiContactSuppression": ["suppressedContact", "dateRemoved", "reason"],
    "ApiCampaign": ["id", "name", "subject", "fromName", "fromAddress", "htmlContent", "plainTextContent",
                    "replyAction", "replyToAddress", "isSplitTest", "status"],
    "ApiCampaignWithType": ["id", "name", "subject", "fromName", "fromAddress", "htmlContent", "plainTextContent",
                            "replyAction", "replyToAddress", "isSplitTest", "status", "type"],
    "ApiCampaignSummary": [
        "dateSent", "numUniqueOpens", "numUniqueTextOpens", "numTotalUniqueOpens", "numOpens", "numTextOpens",
        "numTotalOpens", "numClicks", "numTextClicks", "numTotalClicks", "numPageViews", "numTotalPageViews",
        "numTextPageViews", "numForwards", "numTextForwards", "numEstimatedForwards", "numTextEstimatedForwards",
        "numTotalEstimatedForwards", "numReplies", "numTextReplies", "numTotalReplies", "numHardBounces",
        "numTextHardBounces", "numTotalHardBounces", "numSoftBounces", "numTextSoftBounces", "numTotalSoftBounces",
        "numUnsubscribes", "numTextUnsubscribes", "numTotalUnsubscribes", "numIspComplaints", "numTextIspComplaints",
        "numTotalIspComplaints", "numMailBlocks", "numTextMailBlocks", "numTotalMailBlocks", "numSent", "numTextSent",
        "numTotalSent", "numRecipientsClicked", "numDelivered", "numTextDelivered", "numTotalDelivered",
        "percentageDelivered", "percentageUniqueOpens", "percentageOpens", "percentageUnsubscribes",
        "percentageReplies", "percentageHardBounces", "percentageSoftBounces", "percentageUsersClicked",
        "percentageClicksToOpens", "revenue", "conversionRate", "assistedRevenue", "numOrders", "numAssistedOrders"],
    "ApiCampaignContactSummary": ["contactId", "email", "numOpens", "numPageViews", "numClicks", "numForwards",
                                  "numEstimatedForwards", "numReplies", "dateSent", "dateFirstOpened",
                                  "dateLastOpened", "firstOpenIp", "unsubscribed", "softBounced", "hardBounced"],
    "ApiCampaignSend": ["id", "campaignId", "addressBookIds", "contactIds", "sendDate", "splitTestOptions", "status"],
}
ENUMS = {
    "ApiContactStatuses": ["Subscribed", "Unsubscribed", "SoftBounced", "HardBounced", "IspComplained", "MailBlocked",
                           "PendingOptIn", "DirectComplaint", "Deleted", "SharedSuppression", "Suppressed",
                           "NotAllowed", "DomainSuppression", "NoMxRecord", "NotAvailableInThisVersion"],
    "ApiContactImportStatuses": ["Finished", "NotFinished", "RejectedByWatchdog", "InvalidFileFormat", "Unknown",
                                 "Failed", "ExceedsAllowedContactLimit", "NotAvailableInThisVersion"],
    "ApiBulkContactDeletionStatuses": ["Started", "Completed", "Failed", "NotAvailableInThisVersion"],
    "ApiCampaignStatuses": ["Unsent", "Sending", "Sent", "Paused", "Cancelled", "RequiresSystemApproval",
                            "RequiresSMSApproval", "RequiresWorkflowApproval", "Triggered",
                            "NotAvailableInThisVersion"],
    "ApiCampaignSendStatuses": ["NotSent", "Scheduled", "Sending", "Sent", "Cancelled", "NotAvailableInThisVersion"],
    "ApiAddressBookVisibility": ["Private", "Public", "NotAvailableInThisVersion"],
    "ApiDataTypes": ["String", "Numeric", "Date", "Boolean", "NotAvailableInThisVersion"],
    "ApiContactOptInTypes": ["Unknown", "Single", "Double", "VerifiedDouble", "NotAvailableInThisVersion"],
    "ApiContactEmailTypes": ["PlainText", "Html", "NotAvailableInThisVersion"],
}
FIELD_ENUMS = {("ApiContact", "status"): "ApiContactStatuses", ("ApiContactImport", "status"): "ApiContactImportStatuses",
               ("ApiBulkContactDeletion", "status"): "ApiBulkContactDeletionStatuses",
               ("ApiCampaign", "status"): "ApiCampaignStatuses", ("ApiCampaignWithType", "status"): "ApiCampaignStatuses",
               ("ApiCampaignSend", "status"): "ApiCampaignSendStatuses",
               ("ApiAddressBook", "visibility"): "ApiAddressBookVisibility", ("ApiDataField", "type"): "ApiDataTypes",
               ("ApiContact", "optInType"): "ApiContactOptInTypes", ("ApiContact", "emailType"): "ApiContactEmailTypes",
               ("ApiContactSuppression", "reason"): "ApiContactStatuses"}
NESTED = {("ApiAccount", "properties"): ["ApiAccountProperty"], ("ApiContact", "dataFields"): ["ApiContactData"],
          ("ApiContactSuppression", "suppressedContact"): "ApiContact"}

# method, path template, success status, answer ("X" object, ["X"] array of X, "csv", None empty allowed), source
TABLE = {
    ("GET", "/v2/account-info"): (200, "ApiAccount", "SW ApiAccount_GetCurrentAccountInfo"),
    ("GET", "/v2/address-books"): (200, ["ApiAddressBook"], "SW ApiAddressBook_GetAddressBooks (select<=1000, skip)"),
    ("POST", "/v2/address-books"): (201, "ApiAddressBook", "SW ApiAddressBook_CreateAddressBook"),
    ("GET", "/v2/address-books/{id}"): (200, "ApiAddressBook", "SW ApiAddressBook_GetAddressBookById"),
    ("GET", "/v2/address-books/{addressBookId}/contacts"):
        (200, ["ApiContact"], "SW ApiContact_GetContactsInAddressBook (withFullData, select, skip)"),
    ("POST", "/v2/address-books/{addressBookId}/contacts/delete"):
        (202, "ApiBulkContactDeletion", "SW ApiContact_DeleteContactsFromAddressBook (body: int array)"),
    ("POST", "/v2/address-books/{addressBookId}/contacts/import"):
        (202, "ApiContactImport", "SW ApiContactImport_ImportContactsToAddressBook; IMP"),
    ("GET", "/v2/contacts/import/{importId}"): (200, "ApiContactImport", "SW ApiContactImport_GetContactImportProgress"),
    ("GET", "/v2/contacts/import/{importId}/report-faults"):
        (200, "csv", "SW ApiContactImport_GetContactImportReportFaults (application/octet-stream CSV)"),
    ("GET", "/v2/data-fields"): (200, ["ApiDataField"], "SW ApiDataField_GetDataFields"),
    ("POST", "/v2/data-fields"): (201, None, "SW ApiDataField_CreateDataField (201, no schema)"),
    ("GET", "/v2/address-books/{addressBookId}/contacts/unsubscribed-since/{date}"):
        (200, ["ApiContactSuppression"], "SW ApiContact_GetUnsubscribedContactsInAddressBook"),
    ("GET", "/v2/contacts/suppressed-since/{date}"):
        (200, ["ApiContactSuppression"], "SW ApiContact_GetSuppressedContacts"),
    ("GET", "/v2/address-books/{addressBookId}/contacts/modified-since/{date}"):
        (200, ["ApiContact"], "SW ApiContact_GetModifiedContactsInAddressBook (select<=2000)"),
    ("GET", "/v2/address-books/{addressBookId}/campaigns"):
        (200, ["ApiCampaign"], "SW ApiCampaign_GetCampaignsForAddressBook"),
    ("GET", "/v2/campaigns"): (200, ["ApiCampaign"], "SW ApiCampaign_GetCampaigns"),
    ("POST", "/v2/campaigns"): (201, "ApiCampaignWithType", "SW ApiCampaign_CreateCampaign"),
    ("GET", "/v2/campaigns/{id}"): (200, "ApiCampaign", "SW ApiCampaign_GetCampaignById"),
    ("GET", "/v2/campaigns/{campaignId}/address-books"):
        (200, ["ApiAddressBook"], "SW ApiAddressBook_GetAddressBooksForCampaign"),
    ("GET", "/v2/campaigns/{campaignId}/summary"): (200, "ApiCampaignSummary", "SW ApiCampaignReporting_GetCampaignSummary"),
    ("GET", "/v2/campaigns/{campaignId}/activities"):
        (200, ["ApiCampaignContactSummary"], "SW ApiCampaignReporting_GetCampaignActivities"),
    ("GET", "/v2/campaigns/{campaignId}/activities/since-date/{date}"):
        (200, ["ApiCampaignContactSummary"], "SW ApiCampaignReporting_GetCampaignActivitiesSinceDate"),
    ("POST", "/v2/campaigns/send"): (202, "ApiCampaignSend", "SW ApiCampaignSend_SendCampaign"),
    ("GET", "/v2/campaigns/send/{sendId}"): (200, "ApiCampaignSend", "SW ApiCampaignSend_GetCampaignSendProgress"),
}


class Checker:
    def __init__(self, base):
        self.base, self.passed, self.failed, self.seen = base, 0, 0, set()

    def ok(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL: " + what)
        return cond

    def call(self, method, path, body=None, raw=None, ctype=None, auth=(USER, PASSWORD), control=False):
        data, headers = None, {"Accept": "application/json"}
        if raw is not None:
            data, headers["Content-Type"] = raw, ctype
        elif body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        if auth:
            headers["Authorization"] = "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode()
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, text, hdrs = r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            status, text, hdrs = e.code, e.read(), e.headers
        return status, text, hdrs

    def shape(self, schema, v, where):
        if isinstance(schema, list):
            if not self.ok(isinstance(v, list), "%s: an array of %s expected" % (where, schema[0])):
                return
            for i, x in enumerate(v):
                self.shape(schema[0], x, "%s[%d]" % (where, i))
            return
        if not self.ok(isinstance(v, dict), "%s: a %s object expected, got %r" % (where, schema, v)[:300]):
            return
        keys = SCHEMAS[schema]
        self.ok(set(v) == set(keys), "%s: %s keys %s, documented %s" % (where, schema, sorted(v), sorted(keys)))
        for k in keys:
            e = FIELD_ENUMS.get((schema, k))
            if e and v.get(k) is not None:
                self.ok(v[k] in ENUMS[e], "%s.%s: %r not in %s" % (where, k, v[k], e))
            sub = NESTED.get((schema, k))
            if sub and v.get(k) is not None:
                self.shape(sub, v[k], where + "." + k)

    def api(self, method, tpl, path, body=None, raw=None, ctype=None):
        """Calls path (an instance of tpl) and checks status and shape against the table; the decoded answer."""
        status_doc, schema, src = TABLE[(method, tpl)]
        self.seen.add((method, tpl))
        status, text, hdrs = self.call(method, path, body, raw, ctype)
        where = "%s %s [%s]" % (method, tpl, src)
        self.ok(status == status_doc, "%s: status %d, documented %d (%s)" % (where, status, status_doc, text[:200]))
        if schema == "csv":
            self.ok("json" not in (hdrs.get("Content-Type") or ""), "%s: a CSV file expected, got %s"
                    % (where, hdrs.get("Content-Type")))
            return text.decode("utf-8")
        if schema is None:
            return None
        try:
            v = json.loads(text)
        except ValueError:
            self.ok(False, "%s: not JSON: %r" % (where, text[:200]))
            return None
        self.shape(schema, v, where)
        return v

    def error_shape(self, method, path, status_doc, what, body=None, auth=(USER, PASSWORD)):
        status, text, hdrs = self.call(method, path, body, auth=auth)
        self.ok(status == status_doc, "%s: status %d, expected %d" % (what, status, status_doc))
        try:
            v = json.loads(text)
        except ValueError:
            v = None
        self.ok(isinstance(v, dict) and isinstance(v.get("message"), str) and v["message"],
                "%s: error body {\"message\": ...} expected [ERR], got %r" % (what, text[:200]))
        return hdrs


def walk(c):
    # account-info: the ApiEndpoint property
    acc = c.api("GET", "/v2/account-info", "/v2/account-info") or {}
    ep = [p.get("value") for p in acc.get("properties") or [] if isinstance(p, dict) and p.get("name") == "ApiEndpoint"]
    c.ok(ep == [c.base], "account-info: property ApiEndpoint = the base (%r)" % ep)

    # address books: create, paging, one, the 1000 cap
    name = "Check %s" % uuid.uuid4().hex[:6]
    book = c.api("POST", "/v2/address-books", "/v2/address-books", {"name": name, "visibility": "Private"}) or {}
    bid = book.get("id", 0)
    c.ok(book.get("name") == name and book.get("contacts") == 0, "created book echoes its name with 0 contacts")
    for i in range(3):
        c.api("POST", "/v2/address-books", "/v2/address-books", {"name": "%s %d" % (name, i), "visibility": "Public"})
    allb = c.api("GET", "/v2/address-books", "/v2/address-books?select=1000&skip=0") or []
    page = c.api("GET", "/v2/address-books", "/v2/address-books?select=2&skip=1") or []
    c.ok(len(page) == 2 and page == allb[1:3], "select/skip page the address books")
    c.error_shape("GET", "/v2/address-books?select=1001", 400, "select above 1000")
    c.api("GET", "/v2/address-books/{id}", "/v2/address-books/%d" % bid)
    c.error_shape("GET", "/v2/address-books/999999", 404, "an unknown address book")
    c.error_shape("POST", "/v2/address-books", 400, "a duplicate book name", {"name": name})

    # data fields
    fields = c.api("GET", "/v2/data-fields", "/v2/data-fields") or []
    c.ok(any(f.get("name") == "FIRSTNAME" for f in fields), "the default data field FIRSTNAME exists")
    c.api("POST", "/v2/data-fields", "/v2/data-fields", {"name": "CITY", "type": "String", "visibility": "Private",
                                                         "defaultValue": None})
    c.ok(any(f.get("name") == "CITY" for f in c.api("GET", "/v2/data-fields", "/v2/data-fields") or []),
         "a created data field is listed")
    c.error_shape("POST", "/v2/data-fields", 400, "a duplicate data field", {"name": "CITY", "type": "String"})

    # import: multipart CSV (IMP), polled to Finished, faults as CSV
    c.call("POST", "/_fake/import_polls", {"n": 2}, auth=None)
    csvtext = ('Email,OptInType,EmailType,FIRSTNAME,CITY\r\nann@example.com,Single,Html,"Ann, ""A.""",Oslo\r\n'
               'bob@example.com,Single,Html,Bob,\r\nnot-an-email,Single,Html,X,\r\n')
    boundary = "----camp" + uuid.uuid4().hex
    raw = ("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"contacts.csv\"\r\n"
           "Content-Type: text/csv\r\n\r\n%s\r\n--%s--\r\n" % (boundary, csvtext, boundary)).encode()
    imp = c.api("POST", "/v2/address-books/{addressBookId}/contacts/import",
                "/v2/address-books/%d/contacts/import" % bid, raw=raw,
                ctype="multipart/form-data; boundary=" + boundary) or {}
    statuses = []
    for _ in range(5):
        st = c.api("GET", "/v2/contacts/import/{importId}", "/v2/contacts/import/%s" % imp.get("id")) or {}
        statuses.append(st.get("status"))
        if st.get("status") == "Finished":
            break
    c.ok(statuses[:3] == ["NotFinished", "NotFinished", "Finished"], "the import polls NotFinished twice, then "
         "Finished: %s" % statuses)
    faults = c.api("GET", "/v2/contacts/import/{importId}/report-faults",
                   "/v2/contacts/import/%s/report-faults" % imp.get("id")) or ""
    c.ok(faults.splitlines()[:1] == ["Reason,Email,OptInType,EmailType,FIRSTNAME,CITY"] and "not-an-email" in faults,
         "the faults CSV: Reason + the file's columns, the bad row: %r" % faults[:200])
    media = {"fileName": "more.csv", "data": base64.b64encode(b"Email\r\ncarl@example.com\r\n").decode()}
    c.call("POST", "/_fake/import_polls", {"n": 0}, auth=None)
    imp2 = c.api("POST", "/v2/address-books/{addressBookId}/contacts/import",
                 "/v2/address-books/%d/contacts/import" % bid, body=media) or {}
    c.ok((c.api("GET", "/v2/contacts/import/{importId}", "/v2/contacts/import/%s" % imp2.get("id")) or {})
         .get("status") == "Finished", "a JSON (base64 ApiFileMedia) import is accepted too [IMP]")
    c.call("POST", "/_fake/import_polls", {"n": 0, "status": "RejectedByWatchdog"}, auth=None)
    imp3 = c.api("POST", "/v2/address-books/{addressBookId}/contacts/import",
                 "/v2/address-books/%d/contacts/import" % bid, body=media) or {}
    c.ok((c.api("GET", "/v2/contacts/import/{importId}", "/v2/contacts/import/%s" % imp3.get("id")) or {})
         .get("status") == "RejectedByWatchdog", "a refused import ends in a documented failure status")
    c.call("POST", "/_fake/import_polls", {"n": 1, "status": "Finished"}, auth=None)

    # contacts in the book, full data, paging
    cs = c.api("GET", "/v2/address-books/{addressBookId}/contacts",
               "/v2/address-books/%d/contacts?withFullData=true&select=1000&skip=0" % bid) or []
    emails = sorted(x.get("email") for x in cs)
    c.ok(emails == ["ann@example.com", "bob@example.com", "carl@example.com"], "the book holds the imported "
         "contacts: %s" % emails)
    ann = [x for x in cs if x.get("email") == "ann@example.com"][:1] or [{}]
    vals = {d.get("key"): d.get("value") for d in ann[0].get("dataFields") or []}
    c.ok(vals.get("FIRSTNAME") == 'Ann, "A."' and vals.get("CITY") == "Oslo", "CSV quoting survives: %s" % vals)
    p1 = c.api("GET", "/v2/address-books/{addressBookId}/contacts",
               "/v2/address-books/%d/contacts?select=1&skip=1" % bid) or []
    c.ok(len(p1) == 1 and p1[0].get("dataFields") is None, "select/skip page contacts; no data fields without "
         "withFullData")
    c.api("GET", "/v2/address-books/{addressBookId}/contacts/modified-since/{date}",
          "/v2/address-books/%d/contacts/modified-since/2000-01-01T00:00:00?withFullData=true" % bid)

    # unsubscribes and suppressions (the fake's control marks them on Dotdigital's side)
    c.call("POST", "/_fake/clock", {"now": "2026-03-20T09:00:00+00:00"}, auth=None)
    c.call("POST", "/_fake/contacts/bob@example.com/status", {"status": "Unsubscribed"}, auth=None)
    c.call("POST", "/_fake/contacts/carl@example.com/status", {"status": "HardBounced"}, auth=None)
    un = c.api("GET", "/v2/address-books/{addressBookId}/contacts/unsubscribed-since/{date}",
               "/v2/address-books/%d/contacts/unsubscribed-since/2026-03-20T00:00:00" % bid) or []
    c.ok([(u.get("suppressedContact") or {}).get("email") for u in un] == ["bob@example.com"],
         "unsubscribed-since lists bob")
    sup = c.api("GET", "/v2/contacts/suppressed-since/{date}", "/v2/contacts/suppressed-since/2026-03-20T00:00:00") or []
    c.ok(sorted((s.get("suppressedContact") or {}).get("email") + ":" + s.get("reason", "") for s in sup) ==
         ["bob@example.com:Unsubscribed", "carl@example.com:HardBounced"], "suppressed-since with reasons")
    late = c.api("GET", "/v2/contacts/suppressed-since/{date}", "/v2/contacts/suppressed-since/2026-03-21T00:00:00")
    c.ok(late == [], "nothing suppressed after the date")

    # delete from the book
    dele = c.api("POST", "/v2/address-books/{addressBookId}/contacts/delete",
                 "/v2/address-books/%d/contacts/delete" % bid, [x.get("id") for x in cs if x.get("email") ==
                                                               "carl@example.com"])
    c.ok(bool(dele), "delete answered")
    left = c.api("GET", "/v2/address-books/{addressBookId}/contacts", "/v2/address-books/%d/contacts" % bid) or []
    c.ok(sorted(x.get("email") for x in left) == ["ann@example.com", "bob@example.com"], "carl deleted from the book")
    c.error_shape("POST", "/v2/address-books/%d/contacts/delete" % bid, 400, "delete with a non-array body",
                  {"ids": [1]})

    # campaigns: create, list, one, send, progress, books, summary, activities
    camp = c.api("POST", "/v2/campaigns", "/v2/campaigns",
                 {"name": "Spring", "subject": "Spring sale", "fromName": "Shop",
                  "htmlContent": "<p>Hi @FIRSTNAME@</p><a href=\"http://$UNSUB$\">unsubscribe</a>",
                  "plainTextContent": "Hi @FIRSTNAME@ $UNSUB$"}) or {}
    cid = camp.get("id", 0)
    c.ok(camp.get("status") == "Unsent", "a new campaign is Unsent")
    c.error_shape("POST", "/v2/campaigns", 400, "a campaign without a subject", {"name": "x", "fromName": "y",
                                                                                "htmlContent": "h",
                                                                                "plainTextContent": "t"})
    c.api("GET", "/v2/campaigns", "/v2/campaigns?select=1000&skip=0")
    c.api("GET", "/v2/campaigns/{id}", "/v2/campaigns/%d" % cid)
    send = c.api("POST", "/v2/campaigns/send", "/v2/campaigns/send", {"campaignId": cid, "addressBookIds": [bid]}) or {}
    prog = [(c.api("GET", "/v2/campaigns/send/{sendId}", "/v2/campaigns/send/%s" % send.get("id")) or {})
            .get("status") for _ in range(2)]
    c.ok(prog[-1] == "Sent", "the send ends Sent: %s" % prog)
    books = c.api("GET", "/v2/campaigns/{campaignId}/address-books", "/v2/campaigns/%d/address-books" % cid) or []
    c.ok([b.get("id") for b in books] == [bid], "the campaign's address books")
    bc = c.api("GET", "/v2/address-books/{addressBookId}/campaigns", "/v2/address-books/%d/campaigns" % bid) or []
    c.ok([x.get("id") for x in bc] == [cid] and bc[0].get("status") == "Sent", "the book's campaigns")
    c.call("POST", "/_fake/clock", {"now": "2026-03-21T10:00:00+00:00"}, auth=None)
    c.call("POST", "/_fake/campaigns/%d/activity" % cid, {"email": "ann@example.com", "opens": 3, "clicks": 2},
           auth=None)
    summ = c.api("GET", "/v2/campaigns/{campaignId}/summary", "/v2/campaigns/%d/summary" % cid) or {}
    c.ok(summ.get("numOpens") == 3 and summ.get("numClicks") == 2 and summ.get("numSent") == 1,
         "summary totals (ann only: bob unsubscribed before the send): %s" % {k: summ.get(k) for k in
                                                                          ("numOpens", "numClicks", "numSent")})
    acts = c.api("GET", "/v2/campaigns/{campaignId}/activities", "/v2/campaigns/%d/activities?select=1000" % cid) or []
    c.ok([(a.get("email"), a.get("numOpens"), a.get("numClicks")) for a in acts] == [("ann@example.com", 3, 2)],
         "per-contact totals")
    since = c.api("GET", "/v2/campaigns/{campaignId}/activities/since-date/{date}",
                  "/v2/campaigns/%d/activities/since-date/2026-03-21T09:00:00" % cid) or []
    c.ok(len(since) == 1, "activity since a date before the open")
    none = c.api("GET", "/v2/campaigns/{campaignId}/activities/since-date/{date}",
                 "/v2/campaigns/%d/activities/since-date/2026-03-22T00:00:00" % cid)
    c.ok(none == [], "no activity since a later date")
    c.error_shape("POST", "/v2/campaigns/send", 400, "sending a sent campaign", {"campaignId": cid,
                                                                                "addressBookIds": [bid]})

    # errors: auth, unknown route, 429 with Retry-After, 500
    c.error_shape("GET", "/v2/account-info", 401, "wrong credentials", auth=("nobody", "wrong"))
    c.error_shape("GET", "/v2/no-such-thing", 404, "an unknown route")
    c.call("POST", "/_fake/fail", {"status": 429, "count": 1, "retry_after": "2", "match": "/v2/data-fields"}, auth=None)
    h = c.error_shape("GET", "/v2/data-fields", 429, "an injected 429")
    c.ok(h.get("Retry-After") == "2", "429 carries Retry-After")
    c.call("POST", "/_fake/fail", {"status": 500, "count": 1, "methods": ["POST"]}, auth=None)
    c.error_shape("POST", "/v2/address-books", 500, "an injected 500", {"name": "x500"})
    c.ok(c.call("GET", "/v2/data-fields")[0] == 200, "the injection is spent after count requests")
    stats = json.loads(c.call("GET", "/_fake/stats", auth=None)[1])
    c.ok(stats.get("by_route", {}).get("GET /v2/data-fields", 0) >= 3 and stats.get("failed_injected") == 2,
         "stats count by route and injected failures")

    missing = sorted(set(TABLE) - c.seen)
    c.ok(not missing, "every documented row exercised: missing %s" % missing)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--break", dest="broken", action="append", default=[])
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="ddcheck.")
    pf = os.path.join(tmp, "port")
    cmd = [sys.executable, os.path.join(HERE, "dotdigital_fake.py"), "--port-file", pf, "--user", USER,
           "--password", PASSWORD]
    for b in a.broken:
        cmd += ["--break", b]
    fake = subprocess.Popen(cmd)
    try:
        for _ in range(200):
            if os.path.exists(pf):
                break
            time.sleep(0.05)
        port = int(open(pf).read())
        c = Checker("http://127.0.0.1:%d" % port)
        try:
            walk(c)
        except Exception as e:          # a shape so wrong the walk cannot go on is a failure too
            c.ok(False, "walk stopped: %r" % e)
    finally:
        fake.terminate()
        fake.wait()
    print("%d passed, %d failed" % (c.passed, c.failed))
    return 0 if c.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
