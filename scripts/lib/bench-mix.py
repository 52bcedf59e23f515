#!/usr/bin/env python3
"""The realistic mix scripts/bench sends with --mix, written reproducibly into OUTDIR:

  plain.eml   70%  a 20 KB plain-text letter
  pdf.eml      8%  a letter with a PDF (written by LibreOffice: a committed test fixture)
  docx.eml     7%  a letter with a Word document (the same source, LibreOffice's DOCX)
  zip.eml     10%  a letter with a zip of two text files and a CSV
  html.eml     5%  an HTML newsletter with text alternative and links

Every message is clean under the shipped policy, so each is inspected in full and delivered.
Prints "NAME PERCENT" lines for the script. Usage: bench-mix.py OUTDIR
"""
import io
import os
import sys
import zipfile
from email.message import EmailMessage

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
office = os.path.join(root, "Tests/StewardConfidentialTests/Office")
paragraph = ("The branch committee met on Thursday and agreed the agenda for the annual general "
             "meeting, the date of the next social, and the plan for recruiting new members in the "
             "spring. Minutes will follow in the usual way. ")


def letter(subject):
    msg = EmailMessage()
    msg["From"] = "Carol <bench@partner.example>"
    msg["To"] = "member@london.union.example"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<bench-{subject.replace(' ', '-').lower()}@partner.example>"
    return msg


def write(name, msg):
    with open(os.path.join(out, name), "wb") as f:
        f.write(bytes(msg))


plain = letter("Branch meeting")
plain.set_content("Dear member,\n\n" + (paragraph + "\n\n") * 80 + "Carol\n")
write("plain.eml", plain)

for name, source, maintype, subtype in [
    ("pdf.eml", "plain-header.pdf", "application", "pdf"),
    ("docx.eml", "plain-header.docx", "application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
]:
    msg = letter("Minutes attached")
    msg.set_content("Dear member,\n\nthe minutes are attached.\n\nCarol\n")
    with open(os.path.join(office, source), "rb") as f:
        msg.add_attachment(f.read(), maintype=maintype, subtype=subtype, filename="minutes." + source.split(".")[-1])
    write(name, msg)

buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("agenda.txt", paragraph * 10)
    z.writestr("notes.txt", paragraph * 20)
    z.writestr("officers.csv", "name,role\nA. Member,steward\nB. Member,treasurer\n")
archive = letter("Papers for the meeting")
archive.set_content("Dear member,\n\nthe papers are in the zip.\n\nCarol\n")
archive.add_attachment(buffer.getvalue(), maintype="application", subtype="zip", filename="papers.zip")
write("zip.eml", archive)

news = letter("November newsletter")
news.set_content("Our November newsletter: the AGM is on 3 December.\n" + paragraph * 5)
items = "".join(f'<h2>Item {i}</h2><p>{paragraph}</p><p><a href="https://www.union.example/news/{i}">Read more</a></p>' for i in range(12))
news.add_alternative(f"<html><body><h1>November newsletter</h1>{items}</body></html>", subtype="html")
write("html.eml", news)

for name, percent in [("plain", 70), ("pdf", 8), ("docx", 7), ("zip", 10), ("html", 5)]:
    print(name, percent)
