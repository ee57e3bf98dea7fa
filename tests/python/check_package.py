"""Checks a dataset release written by `courtwatch export DIR` as a newcomer would use it.

usage: check_package.py DIR EXPECTED_NOTES

1. every file matches SHA256SUMS;
2. `frictionless` validates the Data Package (types, enum/pattern constraints, primary and
   foreign keys), and reports a corrupted copy as invalid (so the check can fail);
3. pandas reads every file with the types the package declares, and the monitors' notes
   survive byte for byte; an empty cell and "NA" (not asked) stay distinguishable when read raw.
Exits non-zero with a message on the first failure.
"""

import csv
import hashlib
import json
import pathlib
import shutil
import sys
import tempfile

import pandas as pd
from frictionless import validate


def fail(message):
    print(f"check_package: {message}", file=sys.stderr)
    sys.exit(1)


def check_sums(folder):
    lines = (folder / "SHA256SUMS").read_text().splitlines()
    if len(lines) != 8:
        fail(f"SHA256SUMS lists {len(lines)} files, expected 8")
    for line in lines:
        digest, name = line.split("  ", 1)
        actual = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        if actual != digest:
            fail(f"{name}: checksum {actual} does not match SHA256SUMS {digest}")


def check_frictionless(folder):
    report = validate(str(folder / "datapackage.json"))
    if not report.valid:
        fail("frictionless: package invalid:\n" + json.dumps(report.flatten(["rowNumber", "fieldName", "type", "note"]), indent=1))
    # The validator must bite: a code outside the vocabulary is an error.
    with tempfile.TemporaryDirectory() as tmp:
        copy = pathlib.Path(tmp) / "release"
        shutil.copytree(folder, copy)
        path = copy / "observations.csv"
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        column = rows[0].index("public_admitted")
        rows[1][column] = "perhaps"
        with path.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f, lineterminator="\r\n").writerows(rows)
        broken = validate(str(copy / "datapackage.json"))
        if broken.valid:
            fail("frictionless accepted a code outside the vocabulary")


PANDAS_TYPES = {"integer": "Int64", "number": "float64", "string": "string"}


def read_typed(folder, resource):
    schema = resource["schema"]
    dtypes, dates = {}, []
    for field in schema["fields"]:
        if field["type"] in ("date", "datetime"):
            dtypes[field["name"]] = "string"
            dates.append(field)
        else:
            dtypes[field["name"]] = PANDAS_TYPES[field["type"]]
    frame = pd.read_csv(
        folder / resource["path"],
        dtype=dtypes,
        keep_default_na=False,
        na_values=schema["missingValues"],
        encoding=resource["encoding"],
    )
    for field in dates:
        frame[field["name"]] = pd.to_datetime(frame[field["name"]], format="ISO8601", utc=field["type"] == "datetime")
    return frame


def check_pandas(folder, expected_notes):
    package = json.loads((folder / "datapackage.json").read_text())
    frames = {r["name"]: read_typed(folder, r) for r in package["resources"]}
    observations = frames["observations"]
    if len(observations) < 1:
        fail("observations.csv has no rows")
    if str(observations["duration_minutes"].dtype) != "Int64":
        fail(f"duration_minutes read as {observations['duration_minutes'].dtype}")
    if not pd.api.types.is_datetime64_any_dtype(observations["scheduled_start"]):
        fail(f"scheduled_start read as {observations['scheduled_start'].dtype}")
    if not pd.api.types.is_datetime64_any_dtype(frames["rulings"]["decision_date"]):
        fail(f"decision_date read as {frames['rulings']['decision_date'].dtype}")
    if expected_notes not in set(observations["notes"].dropna()):
        fail(f"notes did not survive: {list(observations['notes'])!r}")
    # Joins work across files.
    joined = observations.merge(frames["hearings"], on="hearing_id", suffixes=("", "_hearing"))
    joined = joined.merge(frames["cases"], on="case_id", suffixes=("", "_case"))
    if len(joined) != len(observations):
        fail(f"{len(observations)} observations but {len(joined)} join to a hearing and a case")
    # Read raw, "" (unanswered) and NA (not asked) stay apart.
    raw = pd.read_csv(folder / "observations.csv", dtype=str, keep_default_na=False)
    if "NA" not in set(raw["interpreter_provided"]):
        fail("no NA (not asked) in interpreter_provided")
    if "" not in set(raw["panel_complete"]):
        fail("no empty (unanswered) cell in panel_complete")


def main():
    if len(sys.argv) != 3:
        fail("usage: check_package.py DIR EXPECTED_NOTES")
    folder = pathlib.Path(sys.argv[1])
    check_sums(folder)
    check_frictionless(folder)
    check_pandas(folder, sys.argv[2])
    print(f"check_package: {folder} is valid")


main()
