#!/usr/bin/python3
# tests/smtp/check_mail.py -- what tests/suite_smtp.sh asserts of the
# messages the test server received.
#
#   check_mail.py MAILDIR EXPECT BASE
#
# MAILDIR holds N.eml (as received) and N.env (the envelope, JSON) from
# server.py.  EXPECT has one line per sent trace, "email|message_id" (from
# the database).  BASE is the --base-url of the run.  Prints one line per
# check, "ok NAME" or "FAIL NAME: what was wrong"; the suite counts them.
import email, email.policy, email.utils, glob, json, os, re, sys
from datetime import datetime, timezone

maildir, expect_file, base = sys.argv[1:4]
expect = {}
for line in open(expect_file, encoding="utf-8"):
    line = line.rstrip("\n")
    if line:
        addr, mid = line.split("|", 1)
        expect[addr] = mid

got = []
for path in sorted(glob.glob(os.path.join(maildir, "*.eml"))):
    raw = open(path, "rb").read()
    env = json.load(open(path[:-4] + ".env"))
    got.append((os.path.basename(path), raw, env, email.message_from_bytes(raw, policy=email.policy.default)))


def report(name, problems):
    if problems:
        print("FAIL %s: %s" % (name, "; ".join(problems[:3])))
    else:
        print("ok %s" % name)


def each(name, fn):
    problems = []
    if not got:
        problems.append("no message received")
    for fname, raw, env, msg in got:
        try:
            why = fn(raw, env, msg)
        except Exception as e:  # a malformed message is a failure, not a crash
            why = "%s: %s" % (type(e).__name__, e)
        if why:
            problems.append("%s: %s" % (fname, why))
    report(name, problems)


def rcpt(env):
    return env["rcpt_tos"][0]


def by_rcpt(addr):
    for fname, raw, env, msg in got:
        if rcpt(env) == addr:
            return msg
    return None


def parts(msg):
    return {p.get_content_type(): p for p in msg.iter_parts()}


# every message expected arrived, once
counts = {}
for _, _, env, _ in got:
    counts[rcpt(env)] = counts.get(rcpt(env), 0) + 1
report("delivered once each", [a + " received %d times" % counts.get(a, 0) for a in expect if counts.get(a, 0) != 1]
       + [a + " not expected" for a in counts if a not in expect])


def crlf(raw, env, msg):
    if re.search(rb"(?<!\r)\n", raw):
        return "bare LF"
    if re.search(rb"\r(?!\n)", raw):
        return "bare CR"
    if any(len(l) > 998 for l in raw.split(b"\r\n")):
        return "a line over 998 octets"
each("CRLF line ends", crlf)


def envelope(raw, env, msg):
    if env["mail_from"] != "shop@example.com":
        return "MAIL FROM %r" % env["mail_from"]
    if len(env["rcpt_tos"]) != 1:
        return "RCPT TO %r" % env["rcpt_tos"]
each("envelope: MAIL FROM and a single RCPT TO", envelope)


def mime(raw, env, msg):
    if msg.get_content_type() != "multipart/alternative":
        return msg.get_content_type()
    types = [p.get_content_type() for p in msg.iter_parts()]
    if types != ["text/plain", "text/html"]:
        return "parts %r" % types
    for p in msg.iter_parts():
        if p.get_content_charset() != "utf-8":
            return "charset %r" % p.get_content_charset()
each("multipart/alternative: text/plain then text/html, UTF-8", mime)


def utf8(raw, env, msg):
    if rcpt(env) != "ada@x.test":
        return None
    p = parts(msg)
    if "Hi Ada Lövelace" not in p["text/plain"].get_content():
        return "text part %r" % p["text/plain"].get_content()[:80]
    if "Hi Ada Lövelace" not in p["text/html"].get_content():
        return "html part %r" % p["text/html"].get_content()[:80]
each("UTF-8 bodies decode", utf8)


def subject(raw, env, msg):
    s = str(msg["Subject"])
    if "\r" in s or "\n" in s:
        return "CR/LF in subject %r" % s
    if rcpt(env) == "ada@x.test" and s != "Héllo Ada Lövelace ✓":
        return "subject %r" % s
    if rcpt(env) == "ada@x.test" and b"=?UTF-8?" not in raw.split(b"\r\n\r\n")[0]:
        return "subject not RFC 2047 encoded"
each("RFC 2047 subject decodes", subject)


def names(raw, env, msg):
    to = msg["To"].addresses
    if len(to) != 1 or to[0].addr_spec != rcpt(env):
        return "To %r" % str(msg["To"])
    if rcpt(env) == "ada@x.test" and to[0].display_name != "Ada Lövelace":
        return "To name %r" % to[0].display_name
    head = raw.split(b"\r\n\r\n")[0].decode("ascii")
    for name in ("From", "To"):
        value = re.search(r"(?ims)^%s:(.*?)\r\n(?! )" % name, head + "\r\n").group(1)
        for word in re.findall(r"=\?UTF-8\?Q\?(.*?)\?=", value):
            if not re.fullmatch(r"[A-Za-z0-9!*+/=_-]*", word):
                return "%s: encoded word %r has characters a phrase must encode (RFC 2047 5(3))" % (name, word)
    fr = msg["From"].addresses
    if len(fr) != 1 or fr[0].addr_spec != "shop@example.com" or fr[0].display_name != "Camp Shöp":
        return "From %r" % str(msg["From"])
each("RFC 2047 names in From and To", names)


def date(raw, env, msg):
    d = email.utils.parsedate_to_datetime(str(msg["Date"]))
    if d != datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc):
        return "Date %s" % msg["Date"]
each("Date", date)


def message_id(raw, env, msg):
    want = "<%s>" % expect.get(rcpt(env), "?")
    if str(msg["Message-ID"]) != want:
        return "Message-ID %s, trace has %s" % (msg["Message-ID"], want)
each("Message-ID is the trace's", message_id)


def unsubscribe(raw, env, msg):
    lu = str(msg["List-Unsubscribe"] or "")
    if not re.fullmatch(re.escape("<" + base + "/u/") + r"[A-Za-z0-9_-]+>", lu):
        return "List-Unsubscribe %r" % lu
    if str(msg["List-Unsubscribe-Post"]) != "List-Unsubscribe=One-Click":
        return "List-Unsubscribe-Post %r" % msg["List-Unsubscribe-Post"]
each("List-Unsubscribe and List-Unsubscribe-Post (RFC 8058)", unsubscribe)


def links(raw, env, msg):
    html = parts(msg)["text/html"].get_content()
    hrefs = re.findall(r"""href=["']([^"']*)["']""", html)
    if len(hrefs) < 2:
        return "%d links" % len(hrefs)
    for h in hrefs:
        if h.startswith("http") and not h.startswith(base + "/r/"):
            return "link not tracked: %s" % h
    if "example.com" in html or "example.org" in html:
        return "an original URL is left in the HTML"
    if "example.com" in parts(msg)["text/plain"].get_content():
        return "an original URL is left in the text part"
each("links rewritten to BASE/r/", links)


def pixel(raw, env, msg):
    html = parts(msg)["text/html"].get_content()
    if not re.search(r"""<img [^>]*src=["']""" + re.escape(base + "/o/"), html):
        return "no open pixel"
each("open pixel BASE/o/", pixel)


def dots(raw, env, msg):
    lines = parts(msg)["text/plain"].get_content().splitlines()
    for want in (".hidden", ".", "..two"):
        if want not in lines:
            return "line %r lost (got %r)" % (want, lines)
each("dot-stuffing: lines starting with '.' arrive intact", dots)


HEADERS = {"date", "message-id", "from", "to", "subject", "mime-version", "list-unsubscribe",
           "list-unsubscribe-post", "content-type", "x-camp-campaign"}


def injection(raw, env, msg):
    head = raw.split(b"\r\n\r\n")[0].decode("ascii", "replace")
    names = set(k.lower() for k in msg.keys())
    if names - HEADERS:
        return "unexpected headers %r" % sorted(names - HEADERS)
    if re.search(r"(?im)^bcc:", head):
        return "a Bcc line in the header"
    if rcpt(env) == "eve@x.test" and "Bcc" not in msg["To"].addresses[0].display_name:
        return "the name lost its text: %r" % str(msg["To"])
each("CR/LF in a record value injects no header", injection)
