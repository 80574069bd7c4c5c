"""Word, OpenDocument, PDF, HTML and e-mail: the same minutes in each format
give the same communities, themes, places and signals as the plain-text
version; evidence carries paragraph (and page) locations; footnotes,
comments, deleted changes, scripts and hidden text stay out; PDF running
headers, footers and page numbers go and hyphenated words are joined; an
e-mail yields its body and its attachments, dated by the message; damaged,
encrypted and image-only files get one line each and the run goes on."""
import datetime
import json
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import setup, run, check, jsonl, validate  # noqa: E402
import docfixtures as fx  # noqa: E402

binary, root, work = setup()

MINUTES = [
    ("h", 1, "Independent Advisory Group Minutes"),
    ("p", "Date: 14/10/2025"),
    ("p", "LOCATION: Fishermead Community Centre, Milton Keynes"),
    ("table", [["Init", "Position and Area"], ["RA", "IAG Chair"], ["HB", "TVP Community & Diversity Officer"],
               ["PC", "TVP LPA Commander"], ["FA", "IAG Member"], ["SO", "IAG Member"], ["KL", "IAG Member"]]),
    ("h", 2, "1. Welcome and Introductions"),
    ("p", "RA welcomed everyone and thanked the community centre for hosting the meeting."),
    ("h", 2, "2. Community tension"),
    ("p", "FA said that the Somali community in Fishermead is still very anxious after the stabbing, "
          "and that parents are worried about knife crime near the schools and the redways in the evenings."),
    ("p", "SO said that young Black men feel that the Section 60 searches in Conniburrow were "
          "disproportionate and that trust in the police is at a very low point in the neighbourhood."),
    ("p", "HB said that there has been an increase in reported hate crime against the Muslim community "
          "in Bletchley, including abuse outside the mosque after Friday prayers."),
    ("li", "HB to share the hate crime figures with members"),
    ("li", "PC to attend the next community meeting in Fishermead"),
    ("h", 2, "3. Any other business"),
    ("p", "KL said that a video circulating on social media about Polish families in Netherfield is "
          "causing rumours and fear, and asked the police to respond quickly to misinformation."),
    ("p", "RA said that the next meeting will be held on 11/11/2025."),
]


def extract(paths, extra=()):
    p = run([binary, "extract", "--jsonl", "--jobs", "2", *extra, *paths], expect=(0, 1))
    return p, jsonl(p.stdout)


def summary(o):
    sig = sorted((s["community"], s["theme"], s["polarity"], s["eep"], s.get("negated", False), s["count"])
                 for s in o["signals"])
    return {"communities": o["communities"], "themes": o["themes"], "places": o["places"], "signals": sig}


def write(name, data):
    path = os.path.join(work, name)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


# ------------------------------------------------ same content, six formats
txt = write("minutes.txt", fx.to_text(MINUTES))
files = {
    "docx": write("minutes.docx", fx.to_docx(MINUTES)),
    "odt": write("minutes.odt", fx.to_odt(MINUTES)),
    "html": write("minutes.html", fx.to_html(MINUTES)),
    # width 58 hyphenates "worried" and "searches" at line ends
    "pdf": write("minutes.pdf", fx.to_pdf(MINUTES, lines_per_page=22, width=58)),
    # content decides, not the name
    "docx-misnamed": write("minutes-docx.bin", fx.to_docx(MINUTES)),
}
p, out = extract([txt] + list(files.values()), ["--sentences"])
check(p.returncode == 0, f"exit {p.returncode}: {p.stderr}")
schema = os.path.join(root, "reports", "schema", "extract.schema.json")
base = out[0]
check(base["format"] == "text", "txt format")
check(base["signals"], "the text version has signals")
check(base["speakers"].get("FA", {}).get("in_table"), f"speaker table from text: {base['speakers']}")
want = summary(base)
for (kind, path), o in zip(files.items(), out[1:]):
    validate(o, schema)
    check(o["doc"] == path, f"{kind}: doc path {o['doc']}")
    fmt = kind.split("-")[0]
    check(o["format"] == fmt, f"{kind}: format {o['format']}")
    got = summary(o)
    for key in want:
        check(got[key] == want[key], f"{kind}: {key} differ from the .txt version:\n  {got[key]}\n  {want[key]}")
    check(o["date"] == "2025-10-14", f"{kind}: date {o['date']}")
    check(o["next_meeting"] == "2025-11-11", f"{kind}: next meeting {o['next_meeting']}")
    check(o["speakers"].get("FA", {}).get("in_table") and o["speakers"]["FA"]["role"] == "IAG Member",
          f"{kind}: attendee table as speakers: {o['speakers']}")
    text = " ".join(s["text"] for s in o["sentences"])
    for secret in ("FOOTNOTESECRET", "COMMENTSECRET", "DELETEDSECRET", "SCRIPTSECRET", "HIDDENSECRET"):
        check(secret not in text, f"{kind}: {secret} leaked into the text")
    with open(path, "rb") as f:
        import hashlib
        check(o["sha256"] == hashlib.sha256(f.read()).hexdigest(), f"{kind}: sha256 is the file's")
    for s in o["signals"]:
        for e in s["evidence"]:
            check(isinstance(e.get("paragraph"), int) and e["paragraph"] >= 1, f"{kind}: evidence paragraph {e}")
            check(("page" in e) == (fmt == "pdf"), f"{kind}: page only for PDF: {e}")
            # offsets are into the extracted text: the sentence list has the same span
            sent = o["sentences"][e["sentence"]]
            check((sent["start"], sent["end"], sent["text"]) == (e["start"], e["end"], e["text"]),
                  f"{kind}: evidence offsets {e} vs sentence {sent}")
    if fmt == "pdf":
        check("Page 1 of" not in text and "OFFICIAL" not in text and "Milton Keynes IAG" not in text,
              "pdf: running header, footer or page number left in")
        pages = {e.get("page") for s in o["signals"] for e in s["evidence"]}
        check(len(pages) >= 2, f"pdf: evidence from two pages: {pages}")
        check(fx.HYPHENATED, "the PDF fixture hyphenates words at line ends")
        for word in fx.HYPHENATED:
            check(word in text, f"pdf: hyphenated '{word}' joined again")
    if fmt in ("docx", "odt", "html"):
        titles = [s["title"] for s in o["sections"]]
        check("Community tension" in titles, f"{kind}: headings as sections: {titles}")

# ------------------------------------------------------------- an e-mail
body = ("Dear colleagues,\n\nPlease find attached the papers for the next IAG meeting.\n\n"
        "Parents in the Somali community have told us they are worried about knife crime near the schools.\n\n"
        "Regards,\nCommunity Safety Team\n")
note = [("h", 1, "Briefing note"), ("p", "Residents reported a rise in anti-social behaviour and fear of "
                                          "knife crime among young people in Bletchley.")]
date = datetime.datetime(2025, 10, 20, 9, 30, tzinfo=datetime.timezone.utc)
eml = write("papers.eml", fx.to_eml(body, [
    ("minutes.docx", fx.to_docx(MINUTES), "application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("logo.png", b"\x89PNG\r\n\x1a\n" + bytes(64), "image", "png"),
    ("briefing.html", fx.to_html(note), "text", "html"),
    ("minutes.pdf", fx.to_pdf(MINUTES, lines_per_page=22), "application", "pdf"),
], date))
p, out = extract([eml])
check(p.returncode == 0, f"eml: exit {p.returncode}: {p.stderr}")
docs = [o["doc"] for o in out]
check(docs == [eml, eml + "#1:minutes.docx", eml + "#3:briefing.html", eml + "#4:minutes.pdf"], f"eml parts: {docs}")
check(out[0]["format"] == "eml" and out[0]["date"] == "2025-10-20", f"eml body dated by the message: {out[0]['date']}")
check("somali" in out[0]["communities"], f"eml body read: {out[0]['communities']}")
check(summary(out[1]) == want and out[1]["date"] == "2025-10-14", "attached docx reads like the text, keeps its own date")
check(summary(out[3]) == want, "attached pdf reads like the text")
check(out[2]["format"] == "html" and out[2]["date"] == "2025-10-20", f"attachment without a date gets the message's: {out[2]['date']}")

# the database keeps the converted text beside the file's digest; a second run skips all
db = os.path.join(work, "t.db")
run([binary, "ingest", "--db", db, files["docx"], files["pdf"], eml])
con = sqlite3.connect(db)
rows = con.execute("select d.path, d.sha256, t.text from documents d join document_texts t on t.doc_id = d.id").fetchall()
check(len(rows) == 6, f"six documents stored: {[r[0] for r in rows]}")
for path, sha, text in rows:
    check("Somali" in text or "Bletchley" in text, f"{path}: converted text stored")
p = run([binary, "ingest", "--db", db, files["docx"], files["pdf"], eml])
check("0 stored" in p.stderr or "stored 0" in p.stderr or "6 unchanged" in p.stderr,
      f"second ingest stores nothing: {p.stderr}")

# ------------------------------------------- damaged files: one line each
docx = fx.to_docx(MINUTES)
bad = {
    "truncated.docx": docx[: len(docx) // 2],
    "broken-xml.docx": None,
    "broken.odt": None,
    "sheet.xlsx": None,
    "truncated.pdf": fx.to_pdf(MINUTES)[:300],
    "garbage.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 8,
    "encrypted.pdf": fx.encrypted_pdf(),
    "scan.pdf": fx.image_only_pdf(),
    "empty.html": b"<!DOCTYPE html><html><head><script>var x;</script></head><body>  </body></html>",
    "empty.eml": b"From: a@example.org\nDate: Mon, 20 Oct 2025 09:00:00 +0000\nSubject: \n\n\n",
}
import io
import zipfile
for name, zname, content in (("broken-xml.docx", "word/document.xml", "<w:document><w:body><w:p>"),
                             ("broken.odt", "content.xml", "<office:document-content")):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        if name.endswith(".odt"):
            z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr(zname, content)
    bad[name] = b.getvalue()
b = io.BytesIO()
with zipfile.ZipFile(b, "w") as z:
    z.writestr("xl/workbook.xml", "<workbook/>")
bad["sheet.xlsx"] = b.getvalue()
folder = os.path.join(work, "inbox")
os.makedirs(folder)
for name, data in bad.items():
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)
with open(os.path.join(folder, "good.docx"), "wb") as f:
    f.write(docx)
p = run([binary, "ingest", "--db", os.path.join(work, "bad.db"), folder], expect=(1,))
lines = [l for l in p.stderr.splitlines() if l.strip()]
for name in bad:
    hits = [l for l in lines if os.path.join(folder, name) in l]
    check(len(hits) == 1, f"one line for {name}: {hits}\n{p.stderr}")
noise = [l for l in lines if not l.startswith("tension:")]
check(not noise, f"library noise on stderr: {noise}")
msgs = "\n".join(lines)
for word in ("encrypted", "without text", "damaged", "neither a Word"):
    check(word in msgs, f"message says '{word}':\n{msgs}")
con = sqlite3.connect(os.path.join(work, "bad.db"))
stored = [os.path.basename(r[0]) for r in con.execute("select path from documents")]
check(stored == ["good.docx"], f"the good file is stored: {stored}")
print("ok")
