"""The rules of the stage 1 rehearsal as data: `rules.yaml` read, checked field by field, and
digested (SHA-256 of its canonical form) so that every run records which rules it used.

The file ships with the code and is read once per process; a rule that names an unknown check,
a parameter its check does not take or a value of the wrong type stops the load with an error
naming the rule and the field."""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pdca.core.activity import canonical
from pdca.engagements.rehearsal.engine import CHECKS

RULES_FILE = Path(__file__).with_name("rules.yaml")
GRADES = ("major", "minor")
CODE = re.compile(r"^[A-Z]{2,5}-\d{2}$")
CLAUSE = re.compile(r"^\d+(\.\d+)*( [a-z]\))?$")
URL_NAME = re.compile(r"^[a-z_-]+:[a-z0-9_-]+$")
FIELDS = {
    "code",
    "title",
    "description",
    "clause",
    "clauses",
    "standards",
    "grade",
    "check",
    "params",
    "fix",
    "fix_system",
    "provisional",
    "source",
}
REQUIRED = FIELDS - {"clauses", "fix_system", "params"}


class RulesError(ValueError):
    """The rules file is not valid: the message names the rule and the field."""


@dataclass(frozen=True)
class Rule:
    """One rule: what it predicts, against which requirement of which standards, with which
    likely grade, how it is checked and where it is fixed."""

    code: str
    title: str
    description: str
    clause: str
    standards: tuple[str, ...]
    grade: str
    check: str
    fix: str
    provisional: bool
    source: str
    clauses: dict[str, str] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    fix_system: str = ""

    def applies_to(self, code: str) -> bool:
        """Whether the rule applies to the standard with code `code` (a prefix matches, so
        that a later edition of the standard keeps its rules)."""
        return not self.standards or any(code.startswith(prefix) for prefix in self.standards)

    def number_for(self, code: str) -> str | None:
        """The standard's own clause number the rule cites, when it gives one."""
        for prefix, number in self.clauses.items():
            if code.startswith(prefix):
                return number
        return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "description": self.description,
            "clause": self.clause,
            "clauses": dict(self.clauses),
            "standards": list(self.standards),
            "grade": self.grade,
            "check": self.check,
            "params": dict(self.params),
            "fix": self.fix,
            "fix_system": self.fix_system,
            "provisional": self.provisional,
            "source": self.source,
        }


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    digest: str

    def by_code(self) -> dict[str, Rule]:
        return {rule.code: rule for rule in self.rules}


def _fail(where: str, problem: str) -> RulesError:
    return RulesError(f"{where}: {problem}")


def _text(raw: dict[str, Any], name: str, where: str, *, blank: bool = False) -> str:
    value = raw.get(name, "")
    if not isinstance(value, str) or (not blank and not value.strip()):
        raise _fail(f"{where}.{name}", "give a non-empty text")
    return value.strip()


def _same_type(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and value >= 0
    if isinstance(default, list | tuple):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if isinstance(default, dict):
        return isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(x, str) for x in v)
            for k, v in value.items()
        )
    return isinstance(value, type(default))


def _params(raw: Any, check: str, where: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _fail(f"{where}.params", "give a mapping of parameter names to values")
    accepted = CHECKS[check].params
    for name, value in raw.items():
        if name not in accepted:
            known = ", ".join(sorted(accepted)) or "none"
            raise _fail(
                f"{where}.params.{name}",
                f"check {check!r} takes no such parameter (it takes: {known})",
            )
        if not _same_type(accepted[name], value):
            raise _fail(
                f"{where}.params.{name}",
                f"give a value of the type of its default ({accepted[name]!r})",
            )
    return dict(raw)


def parse_rule(raw: Any, index: int) -> Rule:
    """One rule from its mapping in the file, or RulesError naming the field."""
    where = f"rules[{index}]"
    if not isinstance(raw, dict):
        raise _fail(where, "give a mapping")
    unknown = sorted(set(raw) - FIELDS)
    if unknown:
        raise _fail(f"{where}.{unknown[0]}", "unknown field")
    missing = sorted(REQUIRED - set(raw))
    if missing:
        raise _fail(f"{where}.{missing[0]}", "missing")
    code = _text(raw, "code", where)
    where = f"rule {code}"
    if not CODE.match(code):
        raise _fail(f"{where}.code", "write it as AREA-nn, e.g. DOC-01")
    clause = _text(raw, "clause", where)
    if not CLAUSE.match(clause):
        raise _fail(f"{where}.clause", "give a clause number such as 9.3.2")
    standards = raw["standards"]
    if not isinstance(standards, list) or not all(isinstance(s, str) and s for s in standards):
        raise _fail(f"{where}.standards", "give a list of standard code prefixes (empty: all)")
    clauses = raw.get("clauses") or {}
    if not isinstance(clauses, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and CLAUSE.match(v) for k, v in clauses.items()
    ):
        raise _fail(f"{where}.clauses", "give standard code prefixes and clause numbers")
    outside = [k for k in clauses if standards and not any(k.startswith(s) for s in standards)]
    if outside:
        raise _fail(f"{where}.clauses.{outside[0]}", "the rule does not apply to this standard")
    grade = raw["grade"]
    if grade not in GRADES:
        raise _fail(f"{where}.grade", "give major or minor")
    check = raw["check"]
    if check not in CHECKS:
        raise _fail(f"{where}.check", f"no check named {check!r}")
    fix = _text(raw, "fix", where)
    if not URL_NAME.match(fix):
        raise _fail(f"{where}.fix", "give a page's URL name, e.g. documents:coverage")
    fix_system = raw.get("fix_system", "")
    if not isinstance(fix_system, str):
        raise _fail(f"{where}.fix_system", "give the URL argument's name")
    if not isinstance(raw["provisional"], bool):
        raise _fail(f"{where}.provisional", "give true or false")
    return Rule(
        code=code,
        title=_text(raw, "title", where),
        description=" ".join(_text(raw, "description", where).split()),
        clause=clause,
        clauses=dict(clauses),
        standards=tuple(standards),
        grade=grade,
        check=check,
        params=_params(raw.get("params"), check, where),
        fix=fix,
        fix_system=fix_system,
        provisional=raw["provisional"],
        source=_text(raw, "source", where),
    )


def parse(text: str) -> RuleSet:
    """The rules of a rules file's text, validated, with their digest."""
    from pdca.engagements.rehearsal import checks  # noqa: F401  (they fill CHECKS)

    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RulesError(f"rules file: not valid YAML ({exc})") from None
    if not isinstance(document, dict) or document.get("format") != 1:
        raise RulesError("rules file: give `format: 1` and a list of `rules`")
    raw_rules = document.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RulesError("rules file.rules: give a non-empty list")
    rules = tuple(parse_rule(raw, index) for index, raw in enumerate(raw_rules))
    seen: set[str] = set()
    for rule in rules:
        if rule.code in seen:
            raise _fail(f"rule {rule.code}.code", "used twice")
        seen.add(rule.code)
    digest = hashlib.sha256(canonical([r.as_dict() for r in rules]).encode("utf-8")).hexdigest()
    return RuleSet(rules, digest)


@functools.cache
def load_rules() -> RuleSet:
    """The shipped rules (read and checked once per process)."""
    return parse(RULES_FILE.read_text(encoding="utf-8"))
