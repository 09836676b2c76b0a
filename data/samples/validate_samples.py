#!/usr/bin/env python3
"""Validate data/samples/consultations.json against data/reference/can-tho.json.

Checks: the files parse; every consultation has the expected keys and kinds;
clause levels nest properly (chuong > muc (optional) > dieu > khoan > diem);
numbers are unique among siblings and follow Vietnamese legal numbering
(chương in Roman numerals, điều numbered continuously across the document,
khoản 1, 2, 3..., điểm a, b, c, d, đ, e...); unit codes exist in
units_current and lead_agency exists in agencies; closes_in_days >= 30;
every string in both files is NFC-normalised.

Usage: python3 data/samples/validate_samples.py   (exit status 1 on error)
"""

import json
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "data" / "samples" / "consultations.json"
REFERENCE = ROOT / "data" / "reference" / "can-tho.json"

KINDS = {"zoning_plan", "detailed_plan", "general_plan", "investment_project", "policy"}
CONSULTATION_KEYS = {"key", "title", "summary", "body", "kind", "lead_agency", "units",
                     "legal_basis", "opens_days_ago", "closes_in_days", "clauses"}
CLAUSE_KEYS = {"level", "number", "heading", "body", "children"}
# Allowed child levels for each level (None = document root).
CHILDREN = {
    None: {"chuong"},
    "chuong": {"muc", "dieu"},
    "muc": {"dieu"},
    "dieu": {"khoan"},
    "khoan": {"diem"},
    "diem": set(),
}
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
LETTERS = ["a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "x", "y"]

errors = []


def err(msg):
    errors.append(msg)


def check_nfc(value, where):
    if isinstance(value, str):
        if not unicodedata.is_normalized("NFC", value):
            err(f"{where}: string not NFC: {value[:60]!r}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            check_nfc(v, f"{where}[{i}]")
    elif isinstance(value, dict):
        for k, v in value.items():
            check_nfc(k, f"{where}.key")
            check_nfc(v, f"{where}.{k}")


def walk(nodes, parent_level, path, counters, stats):
    seen = set()
    for i, node in enumerate(nodes):
        where = f"{path}/{i}"
        if set(node) != CLAUSE_KEYS:
            err(f"{where}: keys {sorted(node)} != {sorted(CLAUSE_KEYS)}")
            continue
        level, number = node["level"], node["number"]
        stats[level] = stats.get(level, 0) + 1
        where = f"{path}/{level} {number}"
        if level not in CHILDREN[parent_level]:
            err(f"{where}: level {level!r} not allowed under {parent_level!r}")
        if not isinstance(number, str) or not number:
            err(f"{where}: number must be a non-empty string")
        if number in seen:
            err(f"{where}: duplicate number among siblings")
        seen.add(number)
        # Numbering conventions.
        if level == "chuong" and number != ROMAN[stats["chuong"] - 1]:
            err(f"{where}: expected chương {ROMAN[stats['chuong'] - 1]}")
        if level == "dieu":
            counters["dieu"] += 1
            if number != str(counters["dieu"]):
                err(f"{where}: điều must be numbered continuously, expected {counters['dieu']}")
        if level in ("khoan", "muc") and number != str(i + 1):
            err(f"{where}: expected {level} {i + 1}")
        if level == "diem" and (i >= len(LETTERS) or number != LETTERS[i]):
            err(f"{where}: expected điểm {LETTERS[i] if i < len(LETTERS) else '?'}")
        # Heading/body conventions.
        if level in ("chuong", "muc", "dieu"):
            if not isinstance(node["heading"], str) or not node["heading"].strip():
                err(f"{where}: {level} needs a heading")
        elif node["heading"] is not None:
            err(f"{where}: {level} heading must be null")
        if not isinstance(node["body"], str):
            err(f"{where}: body must be a string")
        if level in ("khoan", "diem") and not node["body"].strip():
            err(f"{where}: empty body")
        if level == "dieu" and not node["children"] and not node["body"].strip():
            err(f"{where}: điều without khoản needs a body")
        if not isinstance(node["children"], list):
            err(f"{where}: children must be a list")
            continue
        walk(node["children"], level, where, counters, stats)


def main():
    try:
        samples = json.loads(SAMPLES.read_text(encoding="utf-8"))
        reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        print(f"error: {e}")
        return 1

    check_nfc(samples, "samples")
    check_nfc(reference, "reference")
    unit_codes = {u["code"] for u in reference["units_current"]}
    agency_codes = {a["code"] for a in reference["agencies"]}
    for a in reference["agencies"]:
        for s in a["serves"]:
            if s != "*" and s not in unit_codes:
                err(f"agency {a['code']}: serves unknown unit {s}")

    if set(samples) != {"about", "consultations"}:
        err(f"top-level keys {sorted(samples)}")
    keys = set()
    for c in samples["consultations"]:
        name = c.get("key", "?")
        if set(c) != CONSULTATION_KEYS:
            err(f"{name}: keys differ: missing {sorted(CONSULTATION_KEYS - set(c))}, extra {sorted(set(c) - CONSULTATION_KEYS)}")
        if name in keys:
            err(f"{name}: duplicate key")
        keys.add(name)
        if c.get("kind") not in KINDS:
            err(f"{name}: bad kind {c.get('kind')!r}")
        if c.get("lead_agency") not in agency_codes:
            err(f"{name}: unknown lead_agency {c.get('lead_agency')!r}")
        for u in c.get("units", []):
            if u not in unit_codes:
                err(f"{name}: unknown unit code {u}")
        if len(set(c.get("units", []))) != len(c.get("units", [])):
            err(f"{name}: duplicate unit codes")
        if not isinstance(c.get("closes_in_days"), int) or c["closes_in_days"] < 30:
            err(f"{name}: closes_in_days must be an integer >= 30")
        if not isinstance(c.get("opens_days_ago"), int) or c["opens_days_ago"] < 0:
            err(f"{name}: opens_days_ago must be a non-negative integer")
        for field in ("title", "summary", "body", "legal_basis"):
            if not isinstance(c.get(field), str) or not c[field].strip():
                err(f"{name}: empty {field}")
        stats = {}
        counters = {"dieu": 0}
        walk(c.get("clauses", []), None, name, counters, stats)
        total = sum(stats.values())
        print(f"{name}: {total} clause nodes {stats}")

    if errors:
        for e in errors:
            print("error:", e)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
