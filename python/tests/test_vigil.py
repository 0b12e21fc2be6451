"""The Python binding (`import vigil`), with exact values; run by ctest (scripts/test)."""
import datetime
import os
import threading
import unittest

import vigil

RULES = """rule IRP-001 "Untested plan" {
  severity high
  for vendor v
  when v.tier == "critical" and (missing(v.tested) or v.tested < today - 1y)
  message "{v.name} untested"
}
"""

FACTS = {"entities": [
    {"id": "V1", "kind": "vendor", "attributes": {"name": "Acme", "tier": "critical", "tested": "2024-01-01"}},
    {"id": "V2", "kind": "vendor", "attributes": {"name": "Beta", "tier": "low"}},
    {"id": "S1", "kind": "service"}],
    "edges": [{"from": "S1", "to": "V1", "kind": "depends_on"}]}

SOURCE = os.environ.get("VIGIL_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))


def engine_with_facts():
    engine = vigil.Engine()
    engine.add_rules(RULES, name="irp.vigil")
    engine.load_facts(FACTS)
    return engine


class EngineTest(unittest.TestCase):
    def test_evaluate_gives_finding_dicts(self):
        findings = engine_with_facts().evaluate(as_of="2026-06-30")
        self.assertEqual(len(findings), 1)
        finding = findings[0]
        self.assertEqual((finding["rule"], finding["entity"], finding["kind"], finding["severity"], finding["message"]),
                         ("IRP-001", "V1", "vendor", "high", "Acme untested"))
        self.assertEqual(finding["status"], "open")
        self.assertEqual(finding["title"], "Untested plan")
        self.assertEqual(finding["evidence"]["facts"]["V1"]["tested"], "2024-01-01")

    def test_as_of_takes_a_date_and_today_by_default(self):
        engine = engine_with_facts()
        self.assertEqual(engine.evaluate(as_of=datetime.date(2024, 6, 30)), [])
        self.assertEqual([f["entity"] for f in engine.evaluate()], ["V1"])  # today is after 2025-01-01
        with self.assertRaises(ValueError) as raised:
            engine.evaluate(as_of="2026-02-30")
        self.assertIn("2026-02-30", str(raised.exception))
        with self.assertRaises(TypeError):
            engine.evaluate(as_of=20260630)

    def test_evaluate_entities(self):
        engine = engine_with_facts()
        self.assertEqual([f["entity"] for f in engine.evaluate_entities(["V1", "V2"], as_of="2026-06-30")], ["V1"])
        self.assertEqual(engine.evaluate_entities(["V2"], as_of="2026-06-30"), [])
        with self.assertRaises(ValueError) as raised:
            engine.evaluate_entities(["V404"])
        self.assertEqual(str(raised.exception), "no entity has the id 'V404'")

    def test_overlay_changes_nothing(self):
        engine = engine_with_facts()
        added = engine.evaluate_overlay(
            entities=[{"id": "V9", "kind": "vendor", "attributes": {"name": "Candidate", "tier": "critical"}}],
            edges=[{"from": "S1", "to": "V9", "kind": "depends_on"}], as_of="2026-06-30")
        self.assertEqual([(f["entity"], f["message"]) for f in added], [("V9", "Candidate untested")])
        self.assertEqual(engine.entity_count, 3)
        self.assertEqual([f["entity"] for f in engine.evaluate(as_of="2026-06-30")], ["V1"])

    def test_rule_errors_carry_diagnostics_and_change_nothing(self):
        engine = engine_with_facts()
        with self.assertRaises(vigil.RuleError) as raised:
            engine.add_rules("rule BAD {\n  severity low\n  for vendor v\n  when v.tier ==\n  message \"m\"\n}\n", name="bad.vigil")
        self.assertIsInstance(raised.exception, ValueError)
        self.assertEqual(raised.exception.diagnostics, ["bad.vigil:5:3: error: expected an expression but found 'message'"])
        self.assertEqual(engine.rule_count, 1)

    def test_bad_facts_raise_value_error(self):
        engine = vigil.Engine()
        with self.assertRaises(ValueError) as raised:
            engine.load_facts('{"entities": [{"id": "V1"}]}')
        self.assertEqual(str(raised.exception), "<facts>:1: an entity has no \"kind\"")
        with self.assertRaises(ValueError):
            vigil.Engine(db="/nonexistent/risk.db")

    def test_rules_and_database_from_paths(self):
        engine = vigil.Engine(rules=[os.path.join(SOURCE, "rules")])
        self.assertEqual(engine.rule_count, 27)

    def test_threads(self):
        engine = engine_with_facts()
        results = []
        threads = [threading.Thread(target=lambda: results.append(len(engine.evaluate(as_of="2026-06-30")))) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(results, [1, 1, 1, 1])


if __name__ == "__main__":
    unittest.main()
