#!/usr/bin/env python3
"""Builds the real documents the confidential-marker tests read, into the directory given.

OOXML and OpenDocument files are zips of XML parts, assembled here part by part as Office and
LibreOffice write them (LibreOffice itself is not on the build machines). The PDF is written by
a small PDF writer with a Flate-compressed content stream, so its text is invisible to a byte
search and only a real extractor (poppler) reads it. Usage: make_documents.py OUTDIR
"""
import os
import sys
import zipfile
import zlib

out = sys.argv[1]
bench = len(sys.argv) > 2 and sys.argv[2] == "--bench"  # also the large files scripts/bench-documents reads
os.makedirs(out, exist_ok=True)

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
CORE_NS = ('xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"')


def esc(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def write_zip(name, parts, stored_first=None):
    with zipfile.ZipFile(os.path.join(out, name), "w", zipfile.ZIP_DEFLATED) as z:
        if stored_first:
            z.writestr(zipfile.ZipInfo(stored_first[0]), stored_first[1], compress_type=zipfile.ZIP_STORED)
        for path, data in parts.items():
            z.writestr(path, data)


def core(title="", keywords=""):
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties {CORE_NS}>'
            f'<dc:title>{esc(title)}</dc:title><cp:keywords>{esc(keywords)}</cp:keywords>'
            '<dc:creator>Branch Secretary</dc:creator></cp:coreProperties>')


def custom(props):
    items = "".join(
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{i + 2}" name="{esc(k)}"><vt:lpwstr>{esc(v)}</vt:lpwstr></property>'
        for i, (k, v) in enumerate(props))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties '
            'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
            f'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">{items}</Properties>')


def paragraphs(lines):
    # A marker split over two runs, as Word does after an edit, must still read as one word.
    out_ = ""
    for line in lines:
        half = len(line) // 2
        out_ += f'<w:p><w:r><w:t xml:space="preserve">{esc(line[:half])}</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{esc(line[half:])}</w:t></w:r></w:p>'
    return out_


def watermark(words):
    """Word's watermark as Word writes it: a WordArt shape in the header, its words in v:textpath."""
    return ('<w:p><w:r><w:pict xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">'
            '<v:shape id="PowerPlusWaterMarkObject1" o:spid="_x0000_s2049" type="#_x0000_t136" '
            'style="position:absolute;rotation:315;z-index:-251657216" fillcolor="silver" stroked="f">'
            f'<v:textpath style="font-family:&quot;Calibri&quot;;font-size:1pt" string="{esc(words)}"/></v:shape></w:pict></w:r></w:p>')


def docx(name, body, header=None, footer=None, title="", props=(), mark=None):
    types = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
             '<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>'
             '<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>'
             '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
             '<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/></Relationships>')
    sect = ""
    doc_rels = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    parts = {}
    if header:
        parts["word/header1.xml"] = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:hdr {W}>{paragraphs([header])}'
                                     + (watermark(mark) if mark else "") + '</w:hdr>')
        doc_rels += '<Relationship Id="rId10" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/>'
        sect += '<w:headerReference w:type="default" r:id="rId10"/>'
    if footer:
        parts["word/footer1.xml"] = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:ftr {W}>{paragraphs([footer])}</w:ftr>'
        doc_rels += '<Relationship Id="rId11" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>'
        sect += '<w:footerReference w:type="default" r:id="rId11"/>'
    doc_rels += "</Relationships>"
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>{paragraphs(body)}'
                f'<w:sectPr>{sect}</w:sectPr></w:body></w:document>')
    parts.update({"_rels/.rels": rels, "word/document.xml": document, "word/_rels/document.xml.rels": doc_rels,
                  "docProps/core.xml": core(title)})
    if props:
        parts["docProps/custom.xml"] = custom(props)
    write_zip(name, parts, stored_first=("[Content_Types].xml", types))


def col(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def xlsx(name, sheets, props=(), header=None, order=None, extra=(), raw=None):
    """sheets: list of (sheet name, rows of cell strings). Strings go to the shared string table.
    order: the parts' names in the order to write them (the rest follow); extra: (name, data)
    parts written after all others, duplicates allowed."""
    shared, index = [], {}
    sheet_xml = []
    for _, rows in sheets:
        data = ""
        for r, row in enumerate(rows):
            cells = ""
            for c, value in enumerate(row):
                if value not in index:
                    index[value] = len(shared)
                    shared.append(value)
                cells += f'<c r="{col(c)}{r + 1}" t="s"><v>{index[value]}</v></c>'
            data += f'<row r="{r + 1}">{cells}</row>'
        sheet_xml.append('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet '
                         'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                         f'<sheetData>{data}</sheetData>'
                         + (f'<headerFooter><oddHeader>{esc(header)}</oddHeader></headerFooter>' if header else "")
                         + '</worksheet>')
    sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           f'count="{len(shared)}" uniqueCount="{len(shared)}">' + "".join(f"<si><t>{esc(s)}</t></si>" for s in shared) + "</sst>")
    wb = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
          + "".join(f'<sheet name="{esc(n)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, (n, _) in enumerate(sheets))
          + "</sheets></workbook>")
    wb_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               + "".join(f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i + 1}.xml"/>' for i in range(len(sheets)))
               + f'<Relationship Id="rId{len(sheets) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    types = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
             '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    parts = {"_rels/.rels": rels, "xl/workbook.xml": wb, "xl/_rels/workbook.xml.rels": wb_rels, "xl/sharedStrings.xml": sst,
             "docProps/core.xml": core()}
    for i, x in enumerate(sheet_xml):
        parts[f"xl/worksheets/sheet{i + 1}.xml"] = (raw or {}).get(i + 1, x)
    if props:
        parts["docProps/custom.xml"] = custom(props)
    if order:
        parts = {**{p: parts[p] for p in order}, **{p: d for p, d in parts.items() if p not in order}}
    write_zip(name, parts, stored_first=("[Content_Types].xml", types))
    if extra:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a duplicate name is the point
            with zipfile.ZipFile(os.path.join(out, name), "a", zipfile.ZIP_DEFLATED) as z:
                for path, data in extra:
                    z.writestr(path, data)


def pptx(name, slides, footer=None, notes=None, master=None):
    types = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="xml" ContentType="application/xml"/></Types>')
    parts = {}
    for i, text in enumerate(slides):
        shapes = f'<p:sp><p:txBody><a:p><a:r><a:t>{esc(text)}</a:t></a:r></a:p></p:txBody></p:sp>'
        if footer:
            shapes += f'<p:sp><p:nvSpPr><p:nvPr><p:ph type="ftr"/></p:nvPr></p:nvSpPr><p:txBody><a:p><a:r><a:t>{esc(footer)}</a:t></a:r></a:p></p:txBody></p:sp>'
        parts[f"ppt/slides/slide{i + 1}.xml"] = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><p:sld '
            'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main">'
            f'<p:cSld><p:spTree>{shapes}</p:spTree></p:cSld></p:sld>')
    ns = ('xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
          'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"')
    if notes:
        parts["ppt/notesSlides/notesSlide1.xml"] = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><p:notes {ns}><p:cSld><p:spTree>'
            f'<p:sp><p:txBody><a:p><a:r><a:t>{esc(notes)}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:notes>')
    if master:
        parts["ppt/slideMasters/slideMaster1.xml"] = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><p:sldMaster {ns}><p:cSld><p:spTree>'
            f'<p:sp><p:txBody><a:p><a:r><a:t>{esc(master)}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sldMaster>')
    write_zip(name, parts, stored_first=("[Content_Types].xml", types))


def odt(name, body, footer=None, classification=None):
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
          'xmlns:dc="http://purl.org/dc/elements/1.1/"')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.3"><office:body><office:text>'
               + "".join(f"<text:p>{esc(line)}</text:p>" for line in body) + "</office:text></office:body></office:document-content>")
    styles = f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {ns} office:version="1.3"><office:master-styles><style:master-page style:name="Standard">'
    if footer:
        styles += f"<style:footer><text:p>{esc(footer)}</text:p></style:footer>"
    styles += "</style:master-page></office:master-styles></office:document-styles>"
    meta = f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {ns} office:version="1.3"><office:meta><dc:title>Notes</dc:title>'
    if classification:
        meta += f'<meta:user-defined meta:name="Classification">{esc(classification)}</meta:user-defined>'
    meta += "</office:meta></office:document-meta>"
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/></manifest:manifest>')
    write_zip(name, {"content.xml": content, "styles.xml": styles, "meta.xml": meta, "META-INF/manifest.xml": manifest},
              stored_first=("mimetype", "application/vnd.oasis.opendocument.text"))


def rtf(name, body, header=None):
    text = r"{\rtf1\ansi\deff0{\fonttbl{\f0 Times New Roman;}}{\info{\title Minutes}}"
    if header:
        text += r"{\header\pard\qc " + header + r"\par}"
    text += r"\pard " + r"\par ".join(body) + r"\par}"
    with open(os.path.join(out, name), "w", encoding="ascii") as f:
        f.write(text)


def pdf(name, pages, picture=None):
    """A valid PDF with one Helvetica text object per line, content streams Flate-compressed;
    `picture`, when given, is stored as an image XObject drawn on the first page."""
    objects = []

    def add(data):
        objects.append(data if isinstance(data, bytes) else data.encode("latin-1"))
        return len(objects)

    font = add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    image = None
    if picture:
        side = int((len(picture) // 3) ** 0.5)
        image = add(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length %d >>\nstream\n"
                    % (side, side, side * side * 3) + picture[:side * side * 3] + b"\nendstream")
    pages_index = len(objects) + 1
    add("")  # placeholder for the page tree
    kids = []
    for number, lines in enumerate(pages):
        ops = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(
            "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") Tj T*" for line in lines) + " ET"
        drawn = image and number == 0
        if drawn:
            ops += " q 200 0 0 200 72 72 cm /Im1 Do Q"
        stream = zlib.compress(ops.encode("latin-1"))
        content = add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream")
        xobject = f" /XObject << /Im1 {image} 0 R >>" if drawn else ""
        kids.append(add(f"<< /Type /Page /Parent {pages_index} 0 R /MediaBox [0 0 612 792] "
                        f"/Resources << /Font << /F1 {font} 0 R >>{xobject} >> /Contents {content} 0 R >>"))
    objects[pages_index - 1] = (f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>").encode()
    catalog = add(f"<< /Type /Catalog /Pages {pages_index} 0 R >>")
    chunks = [b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"]
    offsets = []
    length = len(chunks[0])
    for i, obj in enumerate(objects):
        offsets.append(length)
        chunks.append(f"{i + 1} 0 obj\n".encode() + obj + b"\nendobj\n")
        length += len(chunks[-1])
    xref = length
    body = b"".join(chunks)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    body += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    body += f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    with open(os.path.join(out, name), "wb") as f:
        f.write(body)


def members(count):
    """A membership list: names, e-mail addresses, UK mobiles, NI numbers, postcodes (all made up)."""
    prefixes = ["AB", "CE", "HJ", "JK", "LM", "NP", "PR", "SW", "TW", "WX"]
    areas = ["SW1A 1AA", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "EC1A 1BB", "W1A 0AX", "LS1 4AP", "G2 3BZ", "EH1 1YZ"]
    rows = [["Name", "Email", "Phone", "NI number", "Postcode"]]
    for i in range(count):
        rows.append([f"Member {i}", f"member{i}@home{i % 7}.example", f"07700 9{i:05d}"[:13],
                     f"{prefixes[i % 10]} {i % 100:02d} {(i * 7) % 100:02d} {(i * 13) % 100:02d} {'ABCD'[i % 4]}",
                     areas[i % 10][:-2] + chr(65 + i % 26) + chr(65 + (i // 26) % 26)])
    return rows


# Markers in each kind of place, and clean twins that mention the word in a sentence.
docx("header-only.docx", ["Minutes of the branch committee.", "Attendance was good."], header="CONFIDENTIAL")
docx("footer-only.docx", ["Minutes of the branch committee."], footer="Private and Confidential")
docx("clean.docx", ["Minutes of the branch committee.", "Your feedback is treated confidentially and we keep it confidential."],
     header="Example Union", footer="Page 1")
docx("labelled.docx", ["Plans for 2027."], props=[
    ("MSIP_Label_1a2b3c4d-0000-4000-8000-123456789abc_Enabled", "true"),
    ("MSIP_Label_1a2b3c4d-0000-4000-8000-123456789abc_Name", "Highly Confidential")])
docx("public-label.docx", ["Plans for 2027."], props=[("Classification", "Public")])
xlsx("budget.xlsx", [("Summary", [["Budget"], ["Total", "1000"]]),
                     ("2027", [["Line", "CONFIDENTIAL — NOT FOR CIRCULATION"], ["Staff", "120000"]])])
# The same workbook with its parts in other orders: the sheets before the workbook's list of
# them (their names are not known while they are read), and the sheets before the shared
# strings (as Excel writes them).
budget = [("Summary", [["Budget"], ["Total", "1000"]]), ("2027", [["Line", "CONFIDENTIAL — NOT FOR CIRCULATION"], ["Staff", "120000"]])]
xlsx("budget-names-last.xlsx", budget, order=["xl/worksheets/sheet2.xml", "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml",
                                              "xl/workbook.xml", "xl/_rels/workbook.xml.rels"])
xlsx("budget-sheets-first.xlsx", budget, order=["_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                                                "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/sharedStrings.xml"])
xlsx("header-names-last.xlsx", [("2027", [["Line", "Amount"], ["Staff", "120000"]])], header='&L&"Arial,Bold"&12INTERNAL ONLY&RPage &P',
     order=["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"])
# A first sheet cut off inside its page header: what it left open carries on into the next
# sheet, whether the sheets are read while unzipped or after.
xlsx("cut-header.xlsx", [("S1", [["Line", "Amount"]]), ("S2", [["Staff", "120000"], ["Rent", "900"]])],
     raw={1: '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Line</t></is></c></row></sheetData>'
             '<headerFooter><oddHeader>&amp;LCONFIDENTIAL'})
# A cell with 20,000 attributes: libxml2 checks them against each other in time that grows
# with the square of their number (a million would take hours); and its benign twin, a cell
# whose text has 20,000 equals signs spread over many cells.
many = " ".join(f'a{i}=""' for i in range(20000))
xlsx("many-attributes.xlsx", [("S1", [["Line"]])],
     raw={1: '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<sheetData><row r="1"><c r="A1" t="inlineStr" {many}><is><t>Line</t></is></c></row></sheetData></worksheet>'})
xlsx("many-equals.xlsx", [("S1", [[f"x{i} = y{i} = z{i} = w{i}"] for i in range(6000)])])
# More sheets than are read while the zip is unpacked; the marking is in the last one.
xlsx("six-sheets.xlsx", [(f"S{i}", [["Line", f"Amount {i}"]]) for i in range(1, 6)] + [("S6", [["Note", "INTERNAL ONLY"]])])
# A second part under a sheet's name: the text reader takes the first, whichever way it is read.
xlsx("duplicate-sheet.xlsx", [("2027", [["Line", "INTERNAL ONLY"]])],
     extra=[("xl/worksheets/sheet1.xml", '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Nothing to see</t></is></c></row></sheetData></worksheet>')])
xlsx("sheet-header.xlsx", [("2027", [["Line", "Amount"], ["Staff", "120000"]])], header='&L&"Arial,Bold"&12INTERNAL ONLY&RPage &P')
xlsx("clean.xlsx", [("2027", [["Line", "Amount"], ["Staff", "120000"]])])
xlsx("members.xlsx", [("Members", members(60))])
xlsx("few-members.xlsx", [("Members", members(4))])
with open(os.path.join(out, "members.csv"), "w") as f:
    f.write("\n".join(",".join(row) for row in members(60)) + "\n")
pptx("slides.pptx", ["Strategy 2027", "Our plans"], footer="Internal only")
pptx("clean-slides.pptx", ["Strategy 2027", "Our plans"])
odt("footer.odt", ["Notes of the meeting."], footer="NOT FOR CIRCULATION")
odt("classified.odt", ["Notes of the meeting."], classification="Confidential")
odt("clean.odt", ["Notes of the meeting.", "We treat your details confidentially."])
rtf("header.rtf", ["Minutes of the meeting.", "All present."], header="STRICTLY CONFIDENTIAL")
rtf("clean.rtf", ["Minutes of the meeting.", "Please treat this confidentially."])
pdf("marked.pdf", [["Annual report"], ["Negotiating position", "CONFIDENTIAL - NOT FOR PUBLICATION"]])
pdf("clean.pdf", [["Annual report"], ["Everything here is public."]])
pdf("twenty-pages.pdf", [[f"Page {p} line {l}: the branch report for the year, with figures and notes." for l in range(40)] for p in range(20)])
# Issue 12: markings with qualifiers, embargoes and hierarchical labels, and their clean twins.
xlsx("qualified.xlsx", [("Pay", [["Line", "Amount"], ["Strictly Private and Confidential", ""], ["Staff", "120000"]])])
docx("qualified-header.docx", ["Minutes of the branch committee."], header="Highly Confidential")
# Places a reader sees that are not body text: a watermark, a sheet's name, an Excel note,
# speaker notes, a slide master. Each beside a twin with ordinary words there.
docx("watermark.docx", ["Minutes of the branch committee."], header="Example Union", mark="CONFIDENTIAL")
docx("watermark-draft.docx", ["Minutes of the branch committee."], header="Example Union", mark="DRAFT")
xlsx("sheet-name.xlsx", [("CONFIDENTIAL", [["Name", "Grade"], ["A. Member", "4"]])])
xlsx("sheet-name-plain.xlsx", [("Pay 2026", [["Name", "Grade"], ["A. Member", "4"]])])
NOTE = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<authors><author>J Smith</author></authors><commentList><comment ref="B2" authorId="0"><text><r><t xml:space="preserve">{}</t></r>'
        '</text></comment></commentList></comments>')
xlsx("note.xlsx", [("Pay", [["Name", "Grade"], ["A. Member", "4"]])], extra=[("xl/comments1.xml", NOTE.format("CONFIDENTIAL"))])
xlsx("note-plain.xlsx", [("Pay", [["Name", "Grade"], ["A. Member", "4"]])], extra=[("xl/comments1.xml", NOTE.format("Check the grade"))])
pptx("speaker-notes.pptx", ["Pay claim 2026"], notes="CONFIDENTIAL")
pptx("speaker-notes-plain.pptx", ["Pay claim 2026"], notes="Speak slowly")
pptx("slide-master.pptx", ["Pay claim 2026"], master="CONFIDENTIAL")
pptx("slide-master-plain.pptx", ["Pay claim 2026"], master="Example Union")
docx("embargo.docx", ["Embargoed until 10:00 on 3 June", "The branch will announce the ballot result."])
docx("hierarchical-label.docx", ["Plans for 2027."], props=[
    ("MSIP_Label_2b3c4d5e-0000-4000-8000-123456789abc_Enabled", "true"),
    ("MSIP_Label_2b3c4d5e-0000-4000-8000-123456789abc_Name", "Highly Confidential \\ HR")])
docx("clean-qualified.docx", ["The panel heard that the matter was highly confidential at the time.",
                              "The embargo on overtime ended in June."], header="Example Union")
docx("non-confidential-label.docx", ["Plans for 2027."], props=[("Classification", "Public - Non-Confidential")])

if bench:
    # Documents of 5 and 50 MB for scripts/bench-documents. Random-looking text compresses
    # poorly, as real figures and names do. The 5 MB files are all text. Real 50 MB Word,
    # PowerPoint, OpenDocument and PDF files are mostly pictures: theirs add incompressible
    # media to the 5 MB of text. The 50 MB XLSX is all cells, the worst case (it unpacks to
    # more than max_expanded_bytes).
    import random
    rng = random.Random(5)

    def words(count):
        return " ".join(f"{rng.getrandbits(32):08x}" for _ in range(count))

    def picture(size):
        return rng.randbytes(size)

    def add_media(name, media):
        with zipfile.ZipFile(os.path.join(out, name), "a", zipfile.ZIP_STORED) as z:
            for path, data in media.items():
                z.writestr(path, data)

    def sheet_rows(count):
        return [[f"{rng.getrandbits(48):012x}", f"{rng.random() * 1e6:.2f}", f"note {rng.getrandbits(32):08x}"] for _ in range(count)]

    xlsx("bench-5mb.xlsx", [("Data", sheet_rows(150000))])
    xlsx("bench-50mb.xlsx", [("Data", sheet_rows(1500000))])
    text = [words(12) for _ in range(90000)]
    for size, extra in (("5mb", 0), ("50mb", 45 << 20)):
        docx(f"bench-{size}.docx", text, header="Example Union", footer="Page 1", title="Report")
        pptx(f"bench-{size}.pptx", ["\n".join(text[i:i + 300]) for i in range(0, len(text), 300)], footer="Example Union")
        odt(f"bench-{size}.odt", text, footer="Example Union")
        if extra:
            add_media(f"bench-{size}.docx", {"word/media/image1.png": picture(extra)})
            add_media(f"bench-{size}.pptx", {"ppt/media/image1.png": picture(extra)})
            add_media(f"bench-{size}.odt", {"Pictures/image1.png": picture(extra)})
    pages = [[words(8) for _ in range(60)] for _ in range(1900)]
    pdf("bench-5mb.pdf", pages)
    pdf("bench-50mb.pdf", pages, picture=picture(45 << 20))
