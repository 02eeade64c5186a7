#!/usr/bin/env python3
"""Runs the CEL conformance corpus through `smdl eval --batch`.

Usage: run.py SMDL CORPUS_DIR [--expect docs/conformance.md] [--failures] [--suite NAME]

Prints the pass count of every suite. With --expect, reads the recorded pass
counts from the table in that file and exits 1 if any suite passes fewer
tests than recorded (and reports suites that now pass more, so that the
record can be raised). --failures lists every failing test.

A test passes when smdl gives the expected value (doubles compare by value
and any NaN matches any NaN; maps ignore entry order) or, when an error is
expected, any error.
"""
import argparse
import json
import math
import os
import re
import subprocess
import sys


def same(expected, actual):
    if not isinstance(expected, dict) or not isinstance(actual, dict) or len(expected) != 1 or len(actual) != 1:
        return expected == actual
    (etag, ev), = expected.items()
    (atag, av), = actual.items()
    if etag != atag:
        return False
    if etag == "double":
        def num(x):
            if isinstance(x, str):
                return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(x)
            return float(x)
        e, a = num(ev), num(av)
        if e is None or a is None:
            return False
        if math.isnan(e) or math.isnan(a):
            return math.isnan(e) and math.isnan(a)
        return e == a
    if etag == "list":
        return len(ev) == len(av) and all(same(x, y) for x, y in zip(ev, av))
    if etag == "map":
        if len(ev) != len(av):
            return False
        remaining = list(av)
        for k, v in ev:
            for i, (k2, v2) in enumerate(remaining):
                if same(k, k2):
                    if not same(v, v2):
                        return False
                    del remaining[i]
                    break
            else:
                return False
        return True
    if etag == "optional":
        if ev is None or av is None:
            return ev is None and av is None
        return same(ev, av)
    return ev == av


def load_suites(corpus):
    files = []
    for name in sorted(os.listdir(corpus)):
        if name.endswith(".jsonl"):
            files.append(os.path.join(corpus, name))
    ext = os.path.join(corpus, "ext")
    if os.path.isdir(ext):
        for name in sorted(os.listdir(ext)):
            if name.endswith(".jsonl"):
                files.append(os.path.join(ext, name))
    suites = {}
    for path in files:
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line:
                    test = json.loads(line)
                    suites.setdefault(test["suite"], []).append(test)
    return suites


def read_expected(path):
    expected = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\|\s*([a-z_0-9]+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|", line)
            if m:
                expected[m.group(1)] = int(m.group(3))
    return expected


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("smdl")
    ap.add_argument("corpus")
    ap.add_argument("--expect")
    ap.add_argument("--failures", action="store_true")
    ap.add_argument("--suite")
    args = ap.parse_args()

    suites = load_suites(args.corpus)
    if args.suite:
        suites = {args.suite: suites.get(args.suite, [])}
    tests = [t for name in suites for t in suites[name]]
    requests = []
    for t in tests:
        req = {"expr": t["expr"], "check": t.get("check", True)}
        if "vars" in t:
            req["vars"] = t["vars"]
        if "types" in t:
            req["types"] = t["types"]
        requests.append(json.dumps(req))
    proc = subprocess.run([args.smdl, "eval", "--batch", "-"], input="\n".join(requests) + "\n",
                          capture_output=True, text=True, timeout=600)
    lines = proc.stdout.splitlines()
    if proc.returncode != 0 or len(lines) != len(tests):
        print(f"smdl eval --batch failed (exit {proc.returncode}, {len(lines)} of {len(tests)} lines)")
        print(proc.stderr[-2000:])
        return 2

    results = {}
    for t, line in zip(tests, lines):
        got = json.loads(line)
        exp = t["expect"]
        if "error" in exp:
            ok = "error" in got
        else:
            ok = "value" in got and same(exp["value"], got["value"])
        results.setdefault(t["suite"], []).append((t, ok, got))

    expected = read_expected(args.expect) if args.expect else {}
    status = 0
    print(f"{'suite':<16} {'tests':>6} {'pass':>6} {'recorded':>9}")
    total = passed = 0
    for name in sorted(results):
        rs = results[name]
        n = len(rs)
        p = sum(1 for _, ok, _ in rs if ok)
        total += n
        passed += p
        rec = expected.get(name)
        note = ""
        if rec is not None and p < rec:
            note = "  FAIL: below the recorded count"
            status = 1
        elif rec is not None and p > rec:
            note = "  (better than recorded: raise docs/conformance.md)"
        print(f"{name:<16} {n:>6} {p:>6} {'' if rec is None else rec:>9}{note}")
        if args.failures:
            for t, ok, got in rs:
                if not ok:
                    print(f"  {t['section']}/{t['name']}: {t['expr']}")
                    print(f"    expected {json.dumps(t['expect'])}")
                    print(f"    got      {json.dumps(got)[:300]}")
    print(f"{'total':<16} {total:>6} {passed:>6}")
    if args.expect:
        for name in expected:
            if name not in results:
                print(f"suite {name} is recorded but missing from the corpus")
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
