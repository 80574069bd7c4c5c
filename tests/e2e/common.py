"""Shared helpers for the end-to-end tests: run tension, fail loudly."""
import json
import os
import shutil
import subprocess
import sys


def setup():
    if len(sys.argv) != 4:
        sys.exit("usage: TEST.py TENSION_BINARY REPO_ROOT WORK_DIR")
    binary, root, work = sys.argv[1:4]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    return binary, root, work


def run(args, cwd=None, expect=(0,), stdin=None):
    p = subprocess.run(args, cwd=cwd, input=stdin, capture_output=True, text=True)
    if p.returncode not in expect:
        sys.stderr.write(p.stdout + p.stderr)
        fail(f"{' '.join(args)} exited {p.returncode}, expected {expect}")
    return p


def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def validate(instance, schema_path):
    import jsonschema
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator(schema).validate(instance)


def jsonl(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]
