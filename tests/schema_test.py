"""The JSON Schemas in docs/schema/ against real outputs: run (json and jsonl) over the samples and
the DORA register, diff between two runs, and every rule test file in rules/. Also checks that each
schema refuses what it should (a finding without its rule, an unknown member, a misspelt key).

Run by ctest with Debian's python3 and python3-jsonschema: schema_test.py VIGIL SOURCE_DIR."""
import glob
import json
import os
import subprocess
import sys
import tempfile

import jsonschema

vigil, source = sys.argv[1], sys.argv[2]
schema_dir = os.path.join(source, "docs", "schema")
schemas = {}
for path in glob.glob(os.path.join(schema_dir, "*.schema.json")):
    with open(path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    schemas[os.path.basename(path)] = schema
store = {schema["$id"]: schema for schema in schemas.values()}


def validator(name, pointer=""):
    schema = schemas[name]
    resolver = jsonschema.RefResolver(base_uri=schema["$id"], referrer=schema, store=store)
    if pointer:
        schema = {"$ref": schema["$id"] + "#" + pointer}
    return jsonschema.Draft202012Validator(schema, resolver=resolver)


findings = validator("findings.schema.json")
finding = validator("findings.schema.json", "/$defs/finding")
diff = validator("diff.schema.json")
rule_test = validator("rule-test.schema.json")
checked = 0


def valid(v, instance, what):
    global checked
    errors = sorted(v.iter_errors(instance), key=lambda e: list(e.path))
    if errors:
        sys.exit(f"{what}: {errors[0].message} at {list(errors[0].path)}")
    checked += 1


def invalid(v, instance, what):
    if v.is_valid(instance):
        sys.exit(f"the schema accepts {what}")


def vigil_out(*args, cwd):
    done = subprocess.run([vigil, *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        sys.exit(f"vigil {' '.join(args)}: exit {done.returncode}: {done.stderr}")
    return done.stdout


with tempfile.TemporaryDirectory() as work:
    vigil_out("import", os.path.join(source, "samples", "portfolio"), "--db", "s.db", cwd=work)
    rules = os.path.join(source, "rules")
    first = json.loads(vigil_out("run", "--db", "s.db", "--rules", rules, "--as-of", "2026-11-01", "--format", "json", cwd=work))
    later = json.loads(vigil_out("run", "--db", "s.db", "--rules", rules, "--as-of", "2027-06-30", "--format", "json", cwd=work))
    valid(findings, first, "run --format json")
    valid(findings, later, "run --format json (later)")
    assert any(f["status"] == "accepted" and "waiver" in f for f in first), "the samples have an accepted finding"
    assert any(f["entity"] is None for f in first) and any(f["kind"] == "value" for f in first)
    assert any("paths" in f["evidence"] for f in first)
    for line in vigil_out("run", "--db", "s.db", "--rules", rules, "--format", "jsonl", "--no-store", cwd=work).splitlines():
        valid(finding, json.loads(line), "run --format jsonl")
    changes = json.loads(vigil_out("diff", "--db", "s.db", "--format", "json", cwd=work))
    valid(diff, changes, "diff --format json")
    for category in ("new", "resolved", "changed", "still_open"):
        assert changes[category], f"the sample diff has {category} findings"

    vigil_out("import", "--from", "dora-roi", os.path.join(source, "samples", "dora-roi"), "--db", "d.db", cwd=work)
    dora = json.loads(vigil_out("run", "--db", "d.db", "--rules", os.path.join(rules, "dora"), "--as-of", "2026-06-30",
                                "--format", "json", cwd=work))
    assert dora
    valid(findings, dora, "run --format json (DORA)")

    test_files = glob.glob(os.path.join(source, "rules", "**", "*.test.json"), recursive=True)
    assert len(test_files) >= 10
    for path in test_files:
        with open(path, encoding="utf-8") as f:
            valid(rule_test, json.load(f), os.path.relpath(path, source))

    sample = dict(first[0])
    invalid(finding, {k: v for k, v in sample.items() if k != "rule"}, "a finding without its rule")
    invalid(finding, {**sample, "colour": "red"}, "a finding with an unknown member")
    invalid(finding, {**sample, "severity": "severe"}, "an unknown severity")
    invalid(diff, {**changes, "resolved": [{**changes["resolved"][0], "days_open": 3}]}, "a resolved finding with days open")
    invalid(diff, {**changes, "changed": [{k: v for k, v in changes["changed"][0].items() if k != "before"}]},
            "a changed finding without before")
    invalid(rule_test, {"rules": ["r.vigil"], "as_of": "2026-01-01", "cases": [{"name": "n", "expects": []}]},
            "a misspelt expect")
    invalid(rule_test, {"rules": ["r.vigil"], "as_of": "soon", "cases": []}, "an as_of that is not a date")

print(f"{checked} documents valid against docs/schema/")
