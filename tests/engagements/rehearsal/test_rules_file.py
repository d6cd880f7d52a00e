"""The rules file: every rule documented in docs/rehearsal.md, every fix page a real URL, the
clauses found in the catalog, the digest stable and sensitive, and a broken file refused with
the rule and the field named."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from django.urls import reverse

from pdca.engagements.rehearsal.engine import CHECKS
from pdca.engagements.rehearsal.rules import RULES_FILE, RulesError, load_rules, parse

DOCS = Path(__file__).resolve().parents[3] / "docs" / "rehearsal.md"


def test_every_rule_is_documented_one_by_one():
    headings = re.findall(r"^### ([A-Z]+-\d\d) (.+)$", DOCS.read_text(encoding="utf-8"), re.M)
    documented = dict(headings)
    rules = load_rules().by_code()
    missing = sorted(set(rules) - set(documented))
    assert not missing, f"rules not documented in docs/rehearsal.md: {missing}"
    assert not sorted(set(documented) - set(rules)), "docs/rehearsal.md documents unknown rules"
    for code, rule in rules.items():
        assert documented[code] == rule.title, code


def test_every_check_is_used_and_documented():
    used = {rule.check for rule in load_rules().rules}
    assert used == set(CHECKS)
    assert all(spec.doc for spec in CHECKS.values())
    text = DOCS.read_text(encoding="utf-8")
    assert all(f"`{name}`" in text for name in CHECKS)


def test_every_fix_page_exists():
    for rule in load_rules().rules:
        kwargs = {rule.fix_system: 1} if rule.fix_system else {}
        assert reverse(rule.fix, kwargs=kwargs).startswith("/"), rule.code


@pytest.mark.usefixtures("catalog")
def test_every_rule_cites_a_requirement_of_each_standard_it_applies_to(personas):
    from pdca.engagements.rehearsal.engine import Context

    from .factories import AIMS, EMS, ISMS, OHS, QMS, TODAY, make_system

    context = Context.for_system(make_system(personas.org, (QMS, EMS, OHS, ISMS, AIMS)), TODAY)
    for rule in load_rules().rules:
        for standard in context.standards_for(rule):
            found, clause = context.cited(rule, standard)
            assert found is not None, (rule.code, standard.code)
            own = rule.number_for(standard.code)
            wanted = own.split(" ")[0] if own else rule.clause
            assert wanted == found.number or wanted.startswith(found.number + "."), (
                rule.code,
                standard.code,
                found.number,
            )
            assert clause == (own or found.number)


def test_the_digest_is_stable_and_follows_any_change():
    text = RULES_FILE.read_text(encoding="utf-8")
    assert parse(text).digest == load_rules().digest
    changed = text.replace("grace_days: 90", "grace_days: 60", 1)
    assert changed != text and parse(changed).digest != load_rules().digest


def raw_rules() -> dict:
    return yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))


def broken(change) -> str:
    document = raw_rules()
    change(document["rules"][0], document)
    return yaml.safe_dump(document)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda r, d: r.update(check="no_such_check"), "rule DOC-01.check: no check named"),
        (lambda r, d: r["params"].update(months=3), "rule DOC-01.params.months: check"),
        (lambda r, d: r["params"].update(types="maintain"), "rule DOC-01.params.types: give a"),
        (lambda r, d: r.update(grade="critical"), "rule DOC-01.grade: give major or minor"),
        (lambda r, d: r.update(clause="seven"), "rule DOC-01.clause: give a clause number"),
        (lambda r, d: r.update(code="doc1"), "rule doc1.code: write it as AREA-nn"),
        (lambda r, d: r.update(colour="red"), "rules[0].colour: unknown field"),
        (lambda r, d: r.pop("fix"), "rules[0].fix: missing"),
        (lambda r, d: r.update(fix="/documents/"), "rule DOC-01.fix: give a page's URL name"),
        (lambda r, d: r.update(provisional="yes"), "rule DOC-01.provisional: give true or false"),
        (lambda r, d: r.update(title="  "), "rule DOC-01.title: give a non-empty text"),
        (
            lambda r, d: r.update(standards=["iso9001"], clauses={"iso27001": "6.1.3"}),
            "rule DOC-01.clauses.iso27001: the rule does not apply",
        ),
        (lambda r, d: d["rules"].append(dict(r)), "rule DOC-01.code: used twice"),
        (lambda r, d: d.update(format=2), "give `format: 1`"),
        (lambda r, d: d.update(rules=[]), "rules file.rules: give a non-empty list"),
    ],
)
def test_a_broken_rules_file_is_refused_naming_the_rule_and_field(change, says):
    with pytest.raises(RulesError) as refused:
        parse(broken(change))
    assert says in str(refused.value)


def test_text_that_is_not_yaml_is_refused():
    with pytest.raises(RulesError, match="not valid YAML"):
        parse("rules: [unclosed")
