"""Vigil, the rules engine for vendor and third-party risk, from Python.

    import vigil
    engine = vigil.Engine(rules="rules", db="risk.db")
    for finding in engine.evaluate(as_of="2026-11-01"):
        print(finding["rule"], finding["entity"], finding["message"])

Findings are dicts shaped like `vigil run --format json`; rule errors raise
vigil.RuleError (a ValueError) whose `diagnostics` lists `file:line:col: ...`;
bad facts, dates or ids raise ValueError. Same semantics as vigil::Engine.
"""
import datetime
import json
import os

from ._vigil import Engine as _Engine, RuleError, __version__

__all__ = ["Engine", "RuleError", "__version__"]


def _date_text(as_of):
    if as_of is None:
        return ""
    if isinstance(as_of, datetime.date):
        return as_of.isoformat()
    if isinstance(as_of, str):
        return as_of
    raise TypeError("as_of must be an ISO date string, a datetime.date or None, not %s" % type(as_of).__name__)


def _json_text(value):
    return value if isinstance(value, str) else json.dumps(value)


class Engine:
    """Rules and a portfolio, evaluated on demand (safe from several threads)."""

    def __init__(self, rules=None, db=None):
        self._engine = _Engine()
        if db is not None:
            self._engine.load_database(os.fspath(db))
        paths = [] if rules is None else [rules] if isinstance(rules, (str, os.PathLike)) else list(rules)
        for path in paths:
            self._engine.add_rules_from(os.fspath(path))

    def add_rules(self, text, name="<string>"):
        """Adds one rule text; with an error it is not added (RuleError)."""
        self._engine.add_rules(text, name)

    def load_facts(self, portfolio):
        """Replaces the portfolio by a portfolio JSON document (a dict, or JSON text)."""
        self._engine.load_facts_json(_json_text(portfolio))

    def evaluate(self, as_of=None):
        """Every rule over the whole portfolio: a list of finding dicts."""
        return json.loads(self._engine.evaluate(_date_text(as_of)))

    def evaluate_entities(self, ids, as_of=None):
        """The rules of each loaded entity's kind, for those entities only."""
        return json.loads(self._engine.evaluate_entities(list(ids), _date_text(as_of)))

    def evaluate_overlay(self, entities=(), edges=(), as_of=None):
        """Entities and edges laid over the portfolio for this call only: the findings they add or change."""
        overlay = {"entities": list(entities), "edges": list(edges)}
        return json.loads(self._engine.evaluate_overlay(json.dumps(overlay), _date_text(as_of)))

    @property
    def rule_count(self):
        return self._engine.rule_count()

    @property
    def entity_count(self):
        return self._engine.entity_count()
