"""tension report --format csv|html on the hand-written v2 fixture (with
trends, levels, incidents, events, tone, EEP, advisory) and on a real
database: CSV parsed back with Python's csv module equals the JSON, a field
with a comma, a quote and a newline round-trips; the HTML renders in
headless Chromium with the data in the DOM and a non-blank screenshot."""
import csv
import io
import json
import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from common import setup, run, check, fail

binary, root, work = setup()
fixture = os.path.join(root, "tests", "fixtures", "report-v2.json")
rep = json.load(open(fixture, encoding="utf-8"))


def read_csv(path):
    raw = open(path, "rb").read()
    check(raw.startswith(b"\xef\xbb\xbf"), f"{path}: UTF-8 BOM")
    body = raw[3:]
    check(b"\r\n" in body and body.endswith(b"\r\n"), f"{path}: CRLF line ends")
    check(b"\n" not in body.replace(b"\r\n", b"") or b'"' in body, f"{path}: bare LF only inside quotes")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"), newline="")))


def cell(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "; ".join(x if isinstance(x, str) else json.dumps(x) for x in v)
    if isinstance(v, float):
        return repr(v) if v != int(v) else f"{v:.1f}"
    return str(v)


# ---------------------------------------------------------------- CSV
out = os.path.join(work, "csv")
run([binary, "report", "--input", fixture, "--format", "csv", "--out", out])
expected = {"periods", "communities", "themes", "places", "organisations", "community_theme",
            "top_signals", "evidence", "eep", "tone", "trends", "levels", "level_reasons",
            "incidents", "emerging_terms", "upcoming_events"}
check(set(f[:-4] for f in os.listdir(out)) == expected, f"tables: {sorted(os.listdir(out))}")
periods = rep["periods"]

rows = read_csv(os.path.join(out, "themes.csv"))
want = [(p["period"], k, str(v)) for p in periods for k, v in sorted(p["themes"].items())]
check([(r["period"], r["theme"], r["count"]) for r in rows] == want, f"themes.csv {rows}")
rows = read_csv(os.path.join(out, "places.csv"))
check(("2025-01", "Oldbrook, East", "1") in [(r["period"], r["place"], r["count"]) for r in rows],
      "a key with a comma is quoted and read back")
rows = read_csv(os.path.join(out, "community_theme.csv"))
want = [(p["period"], x["community"], x["theme"], str(x["count"]), cell(x["rate_per_10k_words"]))
        for p in periods for x in p["community_theme"]]
check([(r["period"], r["community"], r["theme"], r["count"], r["rate_per_10k_words"]) for r in rows] == want,
      f"community_theme.csv {rows} != {want}")
rows = read_csv(os.path.join(out, "evidence.csv"))
texts = [e["text"] for p in periods for g in p["top_signals"] for e in g["evidence"]]
check([r["text"] for r in rows] == texts, "evidence texts round-trip")
tricky = [t for t in texts if "," in t and '"' in t and "\n" in t]
check(tricky and tricky[0] in [r["text"] for r in rows], "comma, quote and newline round-trip")
check(rows[2]["date"] == "" and rows[2]["speaker_role"] == "", "null is an empty cell")
rows = read_csv(os.path.join(out, "trends.csv"))
check([(r["community"], r["theme"], r["rising"], r["p_value"]) for r in rows] ==
      [("", "knife_crime", "true", "0.012"), ("muslim", "hate_crime", "false", "0.31")], f"trends {rows}")
rows = read_csv(os.path.join(out, "levels.csv"))
check(len(rows) == 1 + 2 + 3, f"one row per period x scope: {len(rows)}")
check(rows[-1]["scope"] == "community" and rows[-1]["community"] == "somali" and rows[-1]["level"] == "4",
      f"levels {rows[-1]}")
rows = read_csv(os.path.join(out, "level_reasons.csv"))
check(sum(len(p["levels"]["area"]["reasons"]) + sum(len(c["reasons"]) for c in p["levels"]["communities"].values())
          for p in periods) == len(rows), "one row per reason")
check(rows[-1]["contribution"] == "2.5", f"contribution {rows[-1]}")
rows = read_csv(os.path.join(out, "incidents.csv"))
check(rows[0]["documents"] == "fixtures/iag-2025-03-11.txt; fixtures/csp-2025-03.txt" and rows[0]["new"] == "true",
      f"incidents {rows}")
rows = read_csv(os.path.join(out, "eep.csv"))
check([r["evidenced"] for r in rows] == ["2", "6"], f"eep {rows}")

# csv needs a folder
bad = run([binary, "report", "--input", fixture, "--format", "csv"], expect=(2,))
check("--out" in bad.stderr, bad.stderr)
bad = run([binary, "report", "--input", fixture, "--format", "pdf"], expect=(2,))
check("json, csv or html" in bad.stderr, bad.stderr)
notjson = os.path.join(work, "bad.json")
open(notjson, "w").write("{not json")
bad = run([binary, "report", "--input", notjson, "--format", "html", "--out", "-"], expect=(3,))
check(notjson in bad.stderr and bad.stderr.count("\n") == 1, bad.stderr)

# --------------------------------------------------------------- HTML
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium(args):
    profile = tempfile.mkdtemp(dir=work)
    p = subprocess.run([CHROMIUM] + FLAGS + [f"--user-data-dir={profile}"] + args,
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        fail(f"chromium exited {p.returncode}: {p.stderr[-500:]}")
    return p.stdout


def png_pixels(path):
    """Decodes an 8-bit RGB/RGBA PNG with zlib; returns (width, height, set of pixels)."""
    data = open(path, "rb").read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: PNG signature")
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            check(depth == 8 and ctype in (2, 6), f"8-bit RGB(A): {depth} {ctype}")
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride, prev, colours = w * bpp, bytearray(w * bpp), set()
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        if y % 16 == 0:
            colours.update(bytes(line[i:i + 3]) for i in range(0, stride, bpp * 8))
        prev = line
    return w, h, colours


def check_html(path, report, label):
    html = open(path, encoding="utf-8").read()
    for bad in ("<script", "http://", "https://", "<link", "src="):
        check(bad not in html.lower(), f"{label}: self-contained, no {bad}")
    dom = chromium(["--dump-dom", "file://" + path])
    check("<svg" in dom and "</html>" in dom, f"{label}: rendered")
    for err in ("This page isn", "ERR_", "undefined", "NaN"):
        check(err not in dom, f"{label}: no error text ({err})")
    themes = {t for p in report["periods"] for t in p["themes"]}
    for t in themes:
        check(f'data-theme="{t}"' in dom, f"{label}: theme {t} in the DOM")
    charts = dom.count('<figure data-theme="')
    check(charts == len(themes), f"{label}: one chart per theme ({charts} for {len(themes)})")
    check(dom.count("<polyline") == len(themes), f"{label}: a polyline per theme")
    pairs = {(x["community"], x["theme"]) for p in report["periods"] for x in p["community_theme"]}
    check(dom.count('<td class="cell"') == len(pairs), f"{label}: a heat-map cell per pair")
    check("<th scope=\"col\"" in dom and "<title" in dom, f"{label}: table headers and titles")
    shot = os.path.join(work, label + ".png")
    chromium(["--screenshot=" + shot, "--window-size=1280,2000", "file://" + path])
    w, h, colours = png_pixels(shot)
    check((w, h) == (1280, 2000), f"{label}: screenshot size {w}x{h}")
    check(len(colours) > 20, f"{label}: screenshot not blank ({len(colours)} colours)")
    return dom


html = os.path.join(work, "fixture.html")
run([binary, "report", "--input", fixture, "--format", "html", "--out", html])
dom = check_html(html, rep, "fixture")
check(rep["advisory"] in dom, "advisory note shown")
check("&lt;script&gt;alert(1)&lt;/script&gt; &amp; worried" in dom, "evidence HTML-escaped")
check("Heightened" in dom and "contribution <b>2.5</b>" in dom, "levels with reasons")
check("Chair's report" in dom or "Chair&#39;s report" in dom, "section shown")
check("TVP Community &amp; Diversity Officer" in dom, "speaker role shown")
check("fixtures/iag-2025-02-11.txt" in dom, "document shown")
check("rising" in dom and "graffiti" in dom and "anniversary" in dom, "trends, terms, events")

# a report without the newer fields (schema 1.0) still renders
old = dict(rep)
old["periods"] = [{k: v for k, v in p.items() if k in ("period", "start", "end", "documents", "words",
                   "communities", "themes", "places", "organisations", "community_theme", "top_signals")}
                  for p in rep["periods"]]
del old["advisory"], old["trend_test"]
oldpath = os.path.join(work, "old.json")
json.dump(old, open(oldpath, "w"))
run([binary, "report", "--input", oldpath, "--format", "html", "--out", os.path.join(work, "old.html")])
olddom = check_html(os.path.join(work, "old.html"), old, "old")
check("carries no tension levels" in olddom, "absent levels said so")

# the real thing: the sample corpus
shutil.copytree(os.path.join(root, "corpora"), os.path.join(work, "corpora"))
run([binary, "ingest", "--db", os.path.join(work, "t.db"), os.path.join(work, "corpora", "sample")])
real = json.loads(run([binary, "report", "--db", os.path.join(work, "t.db")]).stdout)
run([binary, "report", "--db", os.path.join(work, "t.db"), "--format", "html", "--out",
     os.path.join(work, "real.html")])
check_html(os.path.join(work, "real.html"), real, "real")
run([binary, "report", "--db", os.path.join(work, "t.db"), "--format", "csv", "--out",
     os.path.join(work, "realcsv")])
rows = read_csv(os.path.join(work, "realcsv", "communities.csv"))
check(len(rows) == sum(len(p["communities"]) for p in real["periods"]), "one row per period x community")
check(not os.path.exists(os.path.join(work, "realcsv", "trends.csv")) or
      any("trends" in p for p in real["periods"]), "optional tables only when present")

# the incidents' temporary files go where TMPDIR says, and a TMPDIR that
# cannot hold them is one clear error, not a half-written report
tmpdir = os.path.join(work, "tmpdir")
os.makedirs(tmpdir)
env_run = lambda extra: subprocess.run(
    [binary, "report", "--db", os.path.join(work, "t.db"), "--out", os.path.join(work, "tmp.json")],
    env=dict(os.environ, **extra), capture_output=True, text=True)
p = env_run({"TMPDIR": tmpdir})
check(p.returncode == 0, f"report with TMPDIR set: {p.stderr}")
check(json.load(open(os.path.join(work, "tmp.json"), encoding="utf-8")) == real, "same report with TMPDIR")
check(os.listdir(tmpdir) == [], "no temporary file left behind")
os.remove(os.path.join(work, "tmp.json"))
missing = os.path.join(work, "no-such-dir")
p = env_run({"TMPDIR": missing})
check(p.returncode != 0, "report fails when TMPDIR does not exist")
check(missing in p.stderr and "TMPDIR" in p.stderr and len(p.stderr.strip().splitlines()) == 1,
      f"one line naming the directory and what to do: {p.stderr!r}")
check(not os.path.exists(os.path.join(work, "tmp.json")), "no report written")
print("ok")
