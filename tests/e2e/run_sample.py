"""tension run from the repository root: database and reports appear, and
every report validates against its schema."""
import json
import os
import shutil
import sqlite3
from common import setup, run, check, validate

binary, root, work = setup()
# run in a copy of the layout so the test never writes into the source tree
shutil.copytree(os.path.join(root, "corpora"), os.path.join(work, "corpora"))
shutil.copytree(os.path.join(root, "lexicons"), os.path.join(work, "lexicons"))
p = run([binary, "run"], cwd=work)
out = os.path.join(work, "reports", "out")
for period in ("week", "month", "quarter", "fyear"):
    path = os.path.join(out, f"report-{period}.json")
    check(os.path.exists(path), f"{path} written")
    check(path.replace(work + "/", "") in p.stdout or path in p.stdout, f"run says where {period} is")
    report = json.load(open(path, encoding="utf-8"))
    validate(report, os.path.join(root, "reports", "schema", "report.schema.json"))
# the outputs officers and the national team read
for f in ("report.html", "national-summary.json", os.path.join("csv", "periods.csv"),
          os.path.join("csv", "evidence.csv")):
    check(os.path.exists(os.path.join(out, f)), f"{f} written")
check("report.html" in p.stdout and "national-summary.json" in p.stdout and "csv" in p.stdout,
      f"run says where the outputs are: {p.stdout}")
validate(json.load(open(os.path.join(out, "national-summary.json"), encoding="utf-8")),
         os.path.join(root, "reports", "schema", "national-summary.schema.json"))
check("<svg" in open(os.path.join(out, "report.html"), encoding="utf-8").read(), "html has charts")
month = json.load(open(os.path.join(out, "report-month.json"), encoding="utf-8"))
periods = [p["period"] for p in month["periods"]]
check(len([p for p in periods if p != "undated"]) >= 6, f"at least six months: {periods}")
check(month["lexicon"]["hash"] and month["tool"]["version"], "stamped with versions")
db = sqlite3.connect(os.path.join(out, "tension.db"))
n = db.execute("select count(*) from documents").fetchone()[0]
files = [f for f in os.listdir(os.path.join(root, "corpora", "sample")) if not f.startswith(".")]
check(n == len(files), f"{n} documents stored for {len(files)} files")
check(oct(os.stat(os.path.join(out, "tension.db")).st_mode & 0o777) == "0o600", "database mode 0600")
# a second run changes nothing and reports are byte-identical
before = open(os.path.join(out, "report-month.json"), "rb").read()
summary_before = open(os.path.join(out, "national-summary.json"), "rb").read()
p2 = run([binary, "run"], cwd=work)
check("0 stored" in p2.stdout, f"second run stores nothing: {p2.stdout}")
check(open(os.path.join(out, "report-month.json"), "rb").read() == before, "reports identical")
check(open(os.path.join(out, "national-summary.json"), "rb").read() == summary_before, "summary identical")
print("ok")
