"""tests/escape/check_eml.py MAILDIR ADDRESS -- facts about the .eml sent
to ADDRESS, one `name=value` a line, for tests/suite_escape.sh to compare:
the decoded HTML and text parts, the headers as parsed, and the raw header
block's longest line, control characters and Bcc lines."""
import email, email.policy, glob, sys

def main(maildir, address):
    for path in sorted(glob.glob(maildir + "/*.eml")):
        raw = open(path, "rb").read()
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        if address not in str(msg["To"] or ""):
            continue
        head = raw.split(b"\r\n\r\n", 1)[0]
        lines = head.split(b"\r\n")
        parts = {p.get_content_type(): p.get_payload(decode=True).decode("utf-8") for p in msg.walk()
                 if p.get_content_maintype() == "text"}
        html, text = parts.get("text/html", ""), parts.get("text/plain", "")
        facts = {
            "found": 1,
            "longest_header_line": max(len(l) for l in lines),
            "header_controls": sum(1 for l in lines for b in l if b < 0x20 or b == 0x7f),
            "bcc_lines": sum(1 for l in lines if l.lower().startswith(b"bcc:")),
            "bcc_header": msg["Bcc"],
            "subject": str(msg["Subject"]).replace("\r", "\\r").replace("\n", "\\n"),
            "from_address": msg["From"].addresses[0].addr_spec if msg["From"] and msg["From"].addresses else "",
            "from_name": msg["From"].addresses[0].display_name if msg["From"] and msg["From"].addresses else "",
            "subject_length": len(str(msg["Subject"])),
            "html_escaped_name": int('&lt;a href=&quot;https://evil.example/phish&quot;&gt;Claim prize&lt;/a&gt;&lt;script&gt;alert(1)&lt;/script&gt;' in html),
            "html_script": int("<script" in html),
            "html_raw_constant": int("<p><b>Spring sale</b></p>" in html),
            "html_evil_href": int('href="https://evil.example' in html),
            "html_javascript": int("javascript:" in html),
            "html_site_href": html.split('">your site')[0].rsplit('href="', 1)[-1] if "your site" in html else "",
            "html_tracked_links": html.count("https://t.example.test/r/"),
            "text_evil_link_as_written": int("https://evil.example/phish" in text),
            "text_tracked_links": text.count("https://t.example.test/r/"),
            "text": text.replace("\r\n", "\n").rstrip("\n").replace("\n", "\\n"),
            "marks": int(b"\xfe" in raw or b"\xff" in raw),
        }
        for k, v in facts.items():
            print(f"{k}={v}")
        return
    print("found=0")

main(sys.argv[1], sys.argv[2])
