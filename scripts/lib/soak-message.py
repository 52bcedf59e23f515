#!/usr/bin/env python3
"""Writes the message scripts/soak sends with -F for its "with attachments" rows: text and HTML
alternatives, a one-page PDF written by LibreOffice (a committed test fixture), a zip of a text
file, and a CSV. Clean under the shipped policy, so every copy is inspected and delivered.
Usage: soak-message.py OUT.eml"""
import io
import os
import sys
import zipfile
from email.message import EmailMessage

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
msg = EmailMessage()
msg["From"] = "Carol <soak@partner.example>"
msg["To"] = "member@london.union.example"
msg["Subject"] = "Papers for the branch meeting"
msg.set_content("Dear member,\n\nthe papers for Thursday's meeting are attached.\n\nCarol\n")
msg.add_alternative("<html><body><p>Dear member,</p><p>the papers for Thursday's meeting are attached.</p></body></html>", subtype="html")
with open(os.path.join(root, "Tests/StewardConfidentialTests/Office/plain-embargo.pdf"), "rb") as f:
    msg.add_attachment(f.read(), maintype="application", subtype="pdf", filename="agenda.pdf")
buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("minutes.txt", "Minutes of the last meeting.\n" * 20)
msg.add_attachment(buffer.getvalue(), maintype="application", subtype="zip", filename="minutes.zip")
msg.add_attachment("name,role\nA. Member,steward\nB. Member,treasurer\n", subtype="csv", filename="officers.csv")
with open(sys.argv[1], "wb") as f:
    f.write(bytes(msg))
