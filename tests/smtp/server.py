#!/usr/bin/python3
# tests/smtp/server.py -- the SMTP server tests/suite_smtp.sh talks to.
#
# Runs only under Debian's /usr/bin/python3 (that is where aiosmtpd is).
# Listens on 127.0.0.1, a free port chosen by the kernel, written to
# DIR/port once it listens.  Every accepted message is stored as
# DIR/mail/N.eml (the bytes as received, dot-unstuffed) with DIR/mail/N.env
# (JSON: mail_from, rcpt_tos, session number, whether TLS was on).  DIR/stats holds JSON with
# the sessions opened, the most open at once, the messages accepted and
# the AUTH attempts, the most transactions at once for one recipient
# domain (max_domain) and the transactions whose RCPT came in the same
# read as MAIL (pipelined).
#
#   server.py DIR [--mode plain|starttls|smtps|silent|refuse] [--auth USER:PASS]
#                 [--no-pipelining]
#
#   plain     no TLS offered
#   starttls  STARTTLS offered (DIR/cert.pem, DIR/key.pem)
#   smtps     implicit TLS on connect
#   silent    accepts connections and never says a word (timeouts)
#   refuse    greets with 554 (no service for this client)
#   --auth    AUTH required (after STARTTLS when TLS is on)
#   --delay S  every message is stored, then its 250 waits S seconds (a slow
#             relay: a client killed meanwhile does not know it was accepted)
#   --no-pipelining  EHLO does not offer PIPELINING (RFC 2920), which it
#             offers by default as most servers do (aiosmtpd reads commands
#             in order either way)
#
# What happens to a message depends on its recipient's local part, so one
# server and one batch can mix outcomes:
#   grey*     451 at RCPT the first time that address is seen, then accepted
#   reject*   550 at RCPT, always
#   latin*    550 at RCPT in Latin-1, always (a reply that is not UTF-8)
#   baddata*  554 to the end of DATA, always (the message refused for good)
#   drop*     the connection is cut during DATA the first time, then accepted
#   slow*     accepted after a 0.3 s pause (keeps sessions busy: concurrency)
#   stall*    no answer to the end of DATA for 30 s (a timeout mid-message)
#   anything else: accepted
# and on its sender: a MAIL FROM whose local part starts with
# "shop+refused" gets 550 (the sender refused, not the recipient).
import argparse, asyncio, json, os, ssl, sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

ap = argparse.ArgumentParser()
ap.add_argument("dir")
ap.add_argument("--mode", default="plain", choices=["plain", "starttls", "smtps", "silent", "refuse"])
ap.add_argument("--auth", default=None)
ap.add_argument("--no-pipelining", action="store_true")
ap.add_argument("--delay", type=float, default=0.0)
args = ap.parse_args()
D = args.dir
os.makedirs(os.path.join(D, "mail"), exist_ok=True)
stats = {"sessions": 0, "open": 0, "max_open": 0, "messages": 0, "auth_ok": 0, "auth_bad": 0,
         "max_domain": 0, "pipelined": 0}
inflight = {}                       # recipient domain -> transactions under way
seen = set()
count = 0


def save_stats():
    tmp = os.path.join(D, "stats.tmp")
    with open(tmp, "w") as f:
        json.dump(stats, f)
    os.replace(tmp, os.path.join(D, "stats"))


def hold(session, address):
    """A transaction for address's domain is under way on session."""
    d = address.split("@")[-1].lower()
    if getattr(session, "domain", None) is None:
        session.domain = d
        inflight[d] = inflight.get(d, 0) + 1
        stats["max_domain"] = max(stats["max_domain"], inflight[d])


def release(session):
    d = getattr(session, "domain", None) if session else None
    if d is not None:
        inflight[d] -= 1
        session.domain = None


class Handler:
    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if not args.no_pipelining:
            responses.insert(1, "250-PIPELINING")
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        # the client pipelined when RCPT is already read in behind MAIL
        if b"RCPT TO" in bytes(getattr(server._reader, "_buffer", b"")):
            stats["pipelined"] += 1
        if address.lower().startswith("shop+refused"):
            return "550 5.7.1 <%s>: Sender address rejected: not allowed" % address
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        if local.startswith("latin"):
            return ("550 5.1.1 <%s>: bo\xeete inconnue" % address).encode("latin-1")
        if local.startswith("grey") and address not in seen:
            seen.add(address)
            return "451 4.7.1 <%s>: Greylisted, try again later" % address
        envelope.rcpt_tos.append(address)
        hold(session, address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        try:
            return await self.data(server, session, envelope)
        finally:
            release(session)

    async def data(self, server, session, envelope):
        global count
        local = envelope.rcpt_tos[0].split("@")[0].lower()
        if local.startswith("drop") and ("drop", envelope.rcpt_tos[0]) not in seen:
            seen.add(("drop", envelope.rcpt_tos[0]))
            server.transport.close()
            return "421 4.3.0 dropping"     # never reaches the client
        if local.startswith("slow"):
            await asyncio.sleep(0.3)
        if local.startswith("stall"):
            await asyncio.sleep(30)
        if local.startswith("baddata"):
            return "554 5.7.1 <%s>: Message rejected: content refused" % envelope.rcpt_tos[0]
        count += 1
        base = os.path.join(D, "mail", str(count))
        with open(base + ".eml", "wb") as f:
            f.write(envelope.content)
        with open(base + ".env", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                       "session": session.number,
                       "tls": server.transport.get_extra_info("ssl_object") is not None}, f)
        stats["messages"] += 1
        save_stats()
        if args.delay:
            await asyncio.sleep(args.delay)
        return "250 2.0.0 Ok: queued as %d" % count


class Counting(SMTP):
    def connection_made(self, transport):
        stats["sessions"] += 1
        stats["open"] += 1
        stats["max_open"] = max(stats["max_open"], stats["open"])
        save_stats()
        super().connection_made(transport)
        if self.session is not None:
            self.session.number = stats["sessions"]

    def connection_lost(self, exc):
        release(self.session)
        stats["open"] -= 1
        save_stats()
        super().connection_lost(exc)


def authenticator(server, session, envelope, mechanism, auth_data):
    user, password = args.auth.split(":", 1)
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == user.encode() and auth_data.password == password.encode()
    stats["auth_ok" if ok else "auth_bad"] += 1
    save_stats()
    return AuthResult(success=ok, handled=False)   # handled=False: aiosmtpd answers 535


class Silent(asyncio.Protocol):
    def connection_made(self, transport):
        stats["sessions"] += 1
        save_stats()
        self.transport = transport
        if args.mode == "refuse":
            transport.write(b"554 5.7.1 No SMTP service for you\r\n")


async def main():
    loop = asyncio.get_running_loop()
    tls = None
    if args.mode in ("starttls", "smtps"):
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(os.path.join(D, "cert.pem"), os.path.join(D, "key.pem"))
    if args.mode in ("silent", "refuse"):
        factory = Silent
    else:
        def factory():
            kw = dict(hostname="test.local", ident="camp test server", loop=loop)
            if args.mode == "starttls":
                kw["tls_context"] = tls
            if args.auth:
                kw.update(authenticator=authenticator, auth_required=True,
                          auth_require_tls=args.mode != "plain")
            return Counting(Handler(), **kw)
    server = await loop.create_server(factory, "127.0.0.1", 0,
                                      ssl=tls if args.mode == "smtps" else None)
    save_stats()
    port = server.sockets[0].getsockname()[1]
    with open(os.path.join(D, "port.tmp"), "w") as f:
        f.write(str(port))
    os.replace(os.path.join(D, "port.tmp"), os.path.join(D, "port"))
    await server.serve_forever()


if __name__ == "__main__":
    import warnings
    warnings.simplefilter("ignore")
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
