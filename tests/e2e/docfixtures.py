"""Writers for the formats officers receive, from one simple document model,
so a test can give tension the same content as .txt, .docx, .odt, .pdf, .html
and .eml and compare what comes out. Standard library only.

A document is a list of blocks:
  ("h", level, text)        heading
  ("p", text)               paragraph
  ("li", text)              list item
  ("table", [[cell, ...]])  table, first row included
"""
import base64
import io
import zipfile
from email.message import EmailMessage
from email.utils import format_datetime
from xml.sax.saxutils import escape


ZIP_TIME = (2025, 1, 1, 0, 0, 0)  # fixed, so the same content gives the same bytes


def _zinfo(name, compress=zipfile.ZIP_DEFLATED):
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = compress
    return info


def to_text(blocks):
    out = []
    for b in blocks:
        if b[0] == "h":
            out.append("#" * b[1] + " " + b[2])
        elif b[0] == "p":
            out.append(b[1])
        elif b[0] == "li":
            out.append("- " + b[1])
        elif b[0] == "table":
            out.append("\n".join("\t".join(r) for r in b[1]))
    return "\n\n".join(out) + "\n"


# ------------------------------------------------------------------ Word

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _w_run(text):
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def to_docx(blocks, extras=True):
    body = []
    for b in blocks:
        if b[0] == "h":
            body.append(f'<w:p><w:pPr><w:pStyle w:val="Heading{b[1]}"/></w:pPr>{_w_run(b[2])}</w:p>')
        elif b[0] == "p":
            text = b[1]
            # split the paragraph over several runs, as Word does
            mid = len(text) // 2
            runs = _w_run(text[:mid]) + '<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">' + escape(text[mid:]) + "</w:t></w:r>"
            body.append(f"<w:p>{runs}</w:p>")
        elif b[0] == "li":
            body.append('<w:p><w:pPr><w:pStyle w:val="ListParagraph"/><w:numPr><w:ilvl w:val="0"/>'
                        f'<w:numId w:val="1"/></w:numPr></w:pPr>{_w_run(b[1])}</w:p>')
        elif b[0] == "table":
            rows = "".join("<w:tr>" + "".join(f"<w:tc><w:p>{_w_run(c)}</w:p></w:tc>" for c in r) + "</w:tr>"
                           for r in b[1])
            body.append(f"<w:tbl><w:tblPr/>{rows}</w:tbl>")
        body.append("<w:p/>")  # empty spacing paragraphs, as people type them
    if extras:
        # a footnote reference, a comment and a deleted tracked change: all left out
        body.append('<w:p><w:r><w:t>Noted.</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r>'
                    '<w:commentRangeStart w:id="0"/><w:r><w:commentReference w:id="0"/></w:r>'
                    '<w:del w:id="5" w:author="x"><w:r><w:delText>DELETEDSECRET</w:delText></w:r></w:del></w:p>')
    doc = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {W}><w:body>'
           + "".join(body) + '<w:sectPr/></w:body></w:document>')
    styles = (f'<?xml version="1.0" encoding="UTF-8"?><w:styles {W}>'
              + "".join(f'<w:style w:type="paragraph" w:styleId="Heading{i}"><w:name w:val="heading {i}"/>'
                        f'<w:pPr><w:outlineLvl w:val="{i - 1}"/></w:pPr></w:style>' for i in range(1, 4))
              + '<w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/></w:style>'
              + "</w:styles>")
    ct = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
          '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
          "</Types>")
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            "</Relationships>")
    drels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
             '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
             "</Relationships>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(_zinfo("[Content_Types].xml"), ct)
        z.writestr(_zinfo("_rels/.rels"), rels)
        z.writestr(_zinfo("word/document.xml"), doc)
        z.writestr(_zinfo("word/styles.xml"), styles)
        z.writestr(_zinfo("word/_rels/document.xml.rels"), drels)
        if extras:
            z.writestr(_zinfo("word/footnotes.xml"), f'<w:footnotes {W}><w:footnote w:id="1"><w:p>{_w_run("FOOTNOTESECRET")}</w:p></w:footnote></w:footnotes>')
            z.writestr(_zinfo("word/comments.xml"), f'<w:comments {W}><w:comment w:id="0"><w:p>{_w_run("COMMENTSECRET")}</w:p></w:comment></w:comments>')
    return buf.getvalue()


# ---------------------------------------------------------- OpenDocument

def to_odt(blocks):
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"')
    body = []
    i = 0
    while i < len(blocks):
        b = blocks[i]
        if b[0] == "h":
            body.append(f'<text:h text:outline-level="{b[1]}">{escape(b[2])}</text:h>')
        elif b[0] == "p":
            body.append(f"<text:p>{escape(b[1])}</text:p>")
        elif b[0] == "li":
            items = []
            while i < len(blocks) and blocks[i][0] == "li":
                items.append(f"<text:list-item><text:p>{escape(blocks[i][1])}</text:p></text:list-item>")
                i += 1
            body.append("<text:list>" + "".join(items) + "</text:list>")
            continue
        elif b[0] == "table":
            rows = "".join("<table:table-row>" + "".join(
                f'<table:table-cell><text:p>{escape(c)}</text:p></table:table-cell>' for c in r) + "</table:table-row>"
                for r in b[1])
            body.append(f'<table:table table:name="T">{rows}</table:table>')
        i += 1
    body.append('<text:p>Noted.<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation>'
                '<text:note-body><text:p>FOOTNOTESECRET</text:p></text:note-body></text:note>'
                '<office:annotation><text:p>COMMENTSECRET</text:p></office:annotation></text:p>')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
               "<office:body><office:text>" + "".join(body) + "</office:text></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(_zinfo("mimetype", zipfile.ZIP_STORED), "application/vnd.oasis.opendocument.text")
        z.writestr(_zinfo("META-INF/manifest.xml"), manifest)
        z.writestr(_zinfo("content.xml"), content)
    return buf.getvalue()


# ------------------------------------------------------------------ HTML

def to_html(blocks, title="Minutes"):
    body = []
    i = 0
    while i < len(blocks):
        b = blocks[i]
        if b[0] == "h":
            body.append(f"<h{b[1]}>{escape(b[2])}</h{b[1]}>")
        elif b[0] == "p":
            # a line break inside the source, and an inline element, as pages have
            words = escape(b[1]).split(" ")
            mid = len(words) // 2
            body.append("<p>" + " ".join(words[:mid]) + "\n   <span>" + " ".join(words[mid:]) + "</span></p>")
        elif b[0] == "li":
            items = []
            while i < len(blocks) and blocks[i][0] == "li":
                items.append(f"<li>{escape(blocks[i][1])}</li>")
                i += 1
            body.append("<ul>\n" + "\n".join(items) + "\n</ul>")
            continue
        elif b[0] == "table":
            rows = "\n".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in b[1])
            body.append(f"<table>\n{rows}\n</table>")
        i += 1
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title>"
            "<style>p { color: red }</style><script>var SCRIPTSECRET = 1;</script></head>\n<body>\n"
            + "\n".join(body) + '\n<div hidden>HIDDENSECRET</div>\n</body></html>\n').encode("utf-8")


# ------------------------------------------------------------------- PDF

def _pdf_str(s):
    b = s.encode("cp1252", "replace")
    return b"(" + b.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


HYPHENATED = []  # words to_pdf split at a line end, for tests to look for


def _wrap(text, width, hyphenate):
    """Greedy wrap in a monospaced font; long lowercase words are hyphenated
    at the line end, as word processors do."""
    lines, cur = [], ""
    for word in text.split(" "):
        room = width - len(cur) - (1 if cur else 0)
        if len(word) <= room:
            cur = cur + " " + word if cur else word
            continue
        if hyphenate and word.isalpha() and word.islower() and len(word) >= 7 and room >= 4 \
                and len(word) - (room - 1) >= 3:
            k = room - 1
            lines.append((cur + " " if cur else "") + word[:k] + "-")
            cur = word[k:]
            HYPHENATED.append(word)
            continue
        lines.append(cur)
        cur = word
    if cur:
        lines.append(cur)
    return lines


def to_pdf(blocks, header="Milton Keynes IAG", footer="OFFICIAL", lines_per_page=40,
           width=70, hyphenate=True):
    """A PDF of Courier 10pt text: wrapped paragraphs, tables in columns,
    a running header and footer and 'Page N of M' on every page."""
    rows = []  # (kind, text or cells)
    for b in blocks:
        if b[0] == "h":
            rows += [("gap", None), ("line", b[2])]
        elif b[0] in ("p", "li"):
            text = ("- " if b[0] == "li" else "") + b[1]
            rows.append(("gap", None))
            rows += [("line", l) for l in _wrap(text, width, hyphenate)]
        elif b[0] == "table":
            rows.append(("gap", None))
            rows += [("cells", r) for r in b[1]]
    pages, cur = [], []
    for r in rows:
        if len(cur) >= lines_per_page and r[0] != "gap":
            pages.append(cur)
            cur = []
        if r[0] == "gap" and not cur:
            continue
        cur.append(r)
    if cur:
        pages.append(cur)
    streams = []
    for pn, page in enumerate(pages, 1):
        ops = [b"BT /F1 10 Tf"]
        def at(x, y, s):
            ops.append(b"1 0 0 1 %d %d Tm " % (x, y) + _pdf_str(s) + b" Tj")
        at(72, 760, header)
        y = 730
        for kind, val in page:
            if kind == "gap":
                y -= 12
                continue
            if kind == "line":
                at(72, y, val)
            else:
                x = 72
                for i, c in enumerate(val):
                    at(x, y, c)
                    x += 90 if i == 0 else 200
            y -= 12
        at(72, 50, footer)
        at(290, 36, f"Page {pn} of {len(pages)}")
        ops.append(b"ET")
        streams.append(b"\n".join(ops))
    return _pdf_assemble(streams)


def _pdf_assemble(streams, encrypt=False):
    objs = []
    n = len(streams)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n))
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objs.append(f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode())
    font_id = 3 + 2 * n
    for i, s in enumerate(streams):
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 {font_id} 0 R >> >> /Contents {4 + 2 * i} 0 R >>".encode())
        objs.append(b"<< /Length %d >>\nstream\n" % len(s) + s + b"\nendstream")
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    extra = b""
    if encrypt:
        offsets.append(len(out))
        out += (b"%d 0 obj\n<< /Filter /Standard /V 1 /R 2 /O <" % (len(objs) + 1) + b"ab" * 32 +
                b"> /U <" + b"cd" * 32 + b"> /P -4 >>\nendobj\n")
        extra = b" /Encrypt %d 0 R /ID [<0123456789abcdef0123456789abcdef><0123456789abcdef0123456789abcdef>]" % (len(objs) + 1)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, extra, xref)
    return bytes(out)


def image_only_pdf():
    return _pdf_assemble([b"0.5 g 72 72 400 600 re f"])


def encrypted_pdf():
    return _pdf_assemble([b"BT /F1 10 Tf 72 700 Td (secret) Tj ET"], encrypt=True)


# ----------------------------------------------------------------- e-mail

def to_eml(body, attachments, date, subject="IAG papers", html=False):
    """attachments: [(filename, bytes, maintype, subtype)]"""
    m = EmailMessage()
    m["From"] = "Community Safety <community.safety@example.org.uk>"
    m["To"] = "Diversity Officer <cdo@example.police.uk>"
    m["Subject"] = subject
    m["Date"] = format_datetime(date)
    m["Message-ID"] = "<papers-1@example.org.uk>"
    if html:
        m.set_content(body, subtype="html")
    else:
        m.set_content(body)
    for name, data, maintype, subtype in attachments:
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(m)
