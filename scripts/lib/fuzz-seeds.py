#!/usr/bin/env python3
"""Real-format seeds for the fuzzing corpus (scripts/fuzz).

steward-fuzz's own seeds are small hand-written messages. libFuzzer finds its way into a format
much sooner from a real file of it, so each file given here (ClamAV's test files: programs,
packers, archives, OLE, RTF, TNEF, BinHex, SZDD; the LibreOffice-made documents of the tests)
becomes one message carrying it as a base64 attachment. Files that already are mail (a name
ending in .mail, .eml or .mbox) are written as they are. Anything that would not fit libFuzzer's
-max_len (64 KB) once encoded is skipped.

    fuzz-seeds.py OUTDIR FILE...
"""
import base64
import os
import sys

MAX_LEN = 65536


def message(name: str, data: bytes) -> bytes:
    encoded = base64.encodebytes(data).decode("ascii").replace("\n", "\r\n")
    return (
        "From: Carol <carol@partner.example>\r\n"
        "To: bob@london.union.example\r\n"
        f"Subject: {name}\r\n"
        "Date: Fri, 04 Dec 2026 10:00:00 +0000\r\n"
        f"Message-ID: <{name}@partner.example>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n'
        "\r\n"
        "--b\r\n"
        "Content-Type: text/plain\r\n"
        "\r\n"
        "Please see the attached file.\r\n"
        "--b\r\n"
        f'Content-Type: application/octet-stream; name="{name}"\r\n'
        f'Content-Disposition: attachment; filename="{name}"\r\n'
        "Content-Transfer-Encoding: base64\r\n"
        "\r\n" + encoded + "--b--\r\n"
    ).encode("ascii")


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    written = 0
    for path in sys.argv[2:]:
        if not os.path.isfile(path):
            continue
        name = os.path.basename(path)
        with open(path, "rb") as handle:
            data = handle.read()
        seed = data if name.endswith((".mail", ".eml", ".mbox")) else message(name, data)
        if len(seed) > MAX_LEN:
            continue
        with open(os.path.join(out, "real-" + name + ".eml"), "wb") as handle:
            handle.write(seed)
        written += 1
    print(f"fuzz-seeds: {written} real-format seeds in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
