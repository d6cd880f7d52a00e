"""How a rule of the rehearsal is evaluated: the context a check reads (the system, its
standards, its exclusions, the catalog's requirements), what a check returns (hits), and the
registry of checks by name (`rules.yaml` names them; `checks/` fills the registry).

A check is a plain function `(context, rule) -> list[Hit]` that reads a fixed number of
queries whatever the size of the registers: the runs of a large organization cost what the
runs of a small one cost. Reads shared by several checks are made once per run (`memo`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.urls import NoReverseMatch, reverse

from pdca.standards.models import EditionMapping, Requirement, Standard
from pdca.system.models import AdoptedStandard, ManagementSystem
from pdca.system.selectors import excluded_requirements

if TYPE_CHECKING:
    from pdca.engagements.rehearsal.rules import Rule

#: How many records a finding's detail names before it says "and n more".
NAMED = 5


@dataclass(frozen=True)
class Hit:
    """One thing a check found: the finding it predicts, before it is stored.

    `standard` None means the finding is about the system as a whole (the rule's Harmonized
    Structure clause is cited). `requirement` None lets the engine cite the rule's clause in
    `standard`. `subject` tells apart several hits of one rule in one standard (a requirement
    number, a record's id) and makes the finding's compare key; `fix_url` replaces the rule's
    page when the check knows a better one (the record itself)."""

    standard: Standard | None
    title: str
    detail: str = ""
    requirement: Requirement | None = None
    subject: str = ""
    fix_url: str = ""


@dataclass
class Context:
    """What every check of one run reads: the system, its organization, the day of the run,
    the standards it adopts (active), what it excludes, and the catalog's requirements of those
    standards (read once, on first use)."""

    system: ManagementSystem
    today: dt.date
    standards: list[Standard]
    excluded: dict[int, str]
    memo: dict[Any, Any] = field(default_factory=dict)
    _by_number: dict[tuple[int, str], Requirement] | None = None
    _by_core: dict[tuple[int, str], Requirement] | None = None
    _moved: dict[tuple[int, str], Requirement] = field(default_factory=dict)

    @classmethod
    def for_system(cls, system: ManagementSystem, today: dt.date) -> Context:
        """The context of a run on `system` (three queries, and one per level of excluded
        clauses)."""
        standards = [
            a.standard
            for a in AdoptedStandard.objects.filter(system=system, dropped_on__isnull=True)
            .select_related("standard")
            .order_by("standard__name", "standard__edition")
        ]
        excluded = excluded_requirements([system.pk])[system.pk]
        return cls(system=system, today=today, standards=standards, excluded=excluded)

    @property
    def organization_id(self) -> int:
        return self.system.organization_id

    def standards_for(self, rule: Rule) -> list[Standard]:
        """The adopted standards the rule applies to."""
        return [s for s in self.standards if rule.applies_to(s.code)]

    def cached(self, key: Any, read: Callable[[], Any]) -> Any:
        """`read()` once per run for `key` (reads several checks share)."""
        if key not in self.memo:
            self.memo[key] = read()
        return self.memo[key]

    def _index(self) -> None:
        by_number: dict[tuple[int, str], Requirement] = {}
        by_core: dict[tuple[int, str], Requirement] = {}
        rows = (
            Requirement.objects.filter(standard__in=self.standards, retired=False)
            .select_related("core", "standard")
            .order_by("standard_id", "sort_key")
        )
        for requirement in rows:
            by_number.setdefault((requirement.standard_id, requirement.number), requirement)
            if requirement.core is not None:
                by_core.setdefault((requirement.standard_id, requirement.core.number), requirement)
        # A rule written with an older edition's number follows the catalog's transition map.
        for line in EditionMapping.objects.filter(
            new_standard__in=self.standards, old__isnull=False, new__isnull=False
        ).select_related("old", "new", "new__standard"):
            assert line.old is not None and line.new is not None
            self._moved.setdefault((line.new_standard_id, line.old.number), line.new)
        self._by_number, self._by_core = by_number, by_core

    def requirements(self) -> dict[tuple[int, str], Requirement]:
        """{(standard id, number): requirement} of the adopted standards (one query)."""
        if self._by_number is None:
            self._index()
        assert self._by_number is not None
        return self._by_number

    def cited(self, rule: Rule, standard: Standard) -> tuple[Requirement | None, str]:
        """The requirement of `standard` the rule cites and the clause as written: the
        standard's own number when the rule gives one, otherwise the requirement derived from
        the rule's Harmonized Structure clause (or of that number, or of its parent clause)."""
        by_number = self.requirements()
        assert self._by_core is not None
        own = rule.number_for(standard.code)
        if own is not None:
            number = own.split(" ")[0]
            found = by_number.get((standard.pk, number))
            if found is None and (moved := self._moved.get((standard.pk, number))) is not None:
                return moved, moved.number + own[len(number) :]
            return found, own
        # A standard without the sub-clause (ISO 14001 has no 9.3.2) is cited at its parent.
        parts = rule.clause.split(".")
        while parts:
            number = ".".join(parts)
            found = self._by_core.get((standard.pk, number)) or by_number.get((standard.pk, number))
            if found is not None:
                return found, found.number
            parts.pop()
        return None, rule.clause


@dataclass(frozen=True)
class CheckSpec:
    """A check by name: its function and the parameters it accepts, with their defaults (the
    type of a default is the type a parameter must have)."""

    name: str
    function: Callable[[Context, Rule], list[Hit]]
    params: dict[str, Any]
    doc: str


CHECKS: dict[str, CheckSpec] = {}


def check(
    name: str, **params: Any
) -> Callable[[Callable[[Context, Rule], list[Hit]]], Callable[[Context, Rule], list[Hit]]]:
    """Register a check under `name`, accepting `params` (name=default)."""

    def register(function: Callable[[Context, Rule], list[Hit]]) -> Callable[..., list[Hit]]:
        if name in CHECKS:
            raise ValueError(f"rehearsal check {name!r} is registered twice")
        CHECKS[name] = CheckSpec(name, function, params, (function.__doc__ or "").strip())
        return function

    return register


def each_standard(ctx: Context, rule: Rule, title: str, detail: str = "", **kw: Any) -> list[Hit]:
    """The same finding against each adopted standard the rule applies to: a fact about the
    system as a whole (no management review) fails the requirement of every standard."""
    return [Hit(standard, title, detail, **kw) for standard in ctx.standards_for(rule)]


def param(rule: Rule, name: str) -> Any:
    """The rule's value of a parameter of its check, or the check's default."""
    if name in rule.params:
        return rule.params[name]
    return CHECKS[rule.check].params[name]


def names(items: Iterable[str], total: int | None = None) -> str:
    """ "A, B, C, D, E and 3 more": the first few of a list, for a finding's detail."""
    shown = list(items)
    total = len(shown) if total is None else total
    head = shown[:NAMED]
    text = ", ".join(head)
    if total > len(head):
        text += f" and {total - len(head)} more"
    return text


def months_ago(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month + 1, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Draft:
    """A predicted finding ready to be stored: a hit with its rule, requirement and key."""

    rule: Rule
    standard: Standard | None
    requirement: Requirement | None
    clause: str
    title: str
    detail: str
    fix_url: str
    key: str


@dataclass(frozen=True)
class Outcome:
    drafts: list[Draft]
    rules_run: int
    rules_passed: int


def fix_url(rule: Rule, system: ManagementSystem) -> str:
    """The page where the rule's finding is fixed."""
    kwargs = {rule.fix_system: system.pk} if rule.fix_system else {}
    try:
        return reverse(rule.fix, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def draft(ctx: Context, rule: Rule, hit: Hit) -> Draft:
    """The finding `hit` predicts: the requirement it cites (the hit's own, or the rule's in
    the hit's standard, or the rule's Harmonized Structure clause for the system as a whole),
    and the key that finds it again in the next run."""
    standard = hit.standard
    requirement = hit.requirement
    if requirement is not None:
        own = rule.number_for(requirement.standard.code)
        clause = own if own and own.split(" ")[0] == requirement.number else requirement.number
    elif standard is not None:
        requirement, clause = ctx.cited(rule, standard)
    else:
        clause = rule.clause
    code = standard.code if standard is not None else "*"
    key = f"{rule.code}:{code}:{clause}:{hit.subject}"[:200]
    return Draft(
        rule=rule,
        standard=standard,
        requirement=requirement,
        clause=clause[:30],
        title=hit.title[:300],
        detail=hit.detail,
        fix_url=(hit.fix_url or fix_url(rule, ctx.system))[:300],
        key=key,
    )


def evaluate(ctx: Context, rules: Iterable[Rule]) -> Outcome:
    """Run every rule that applies to one of the system's standards: the findings, how many
    rules ran and how many found nothing. Two hits with one key make one finding."""
    drafts: dict[str, Draft] = {}
    run = passed = 0
    for rule in rules:
        if not ctx.standards_for(rule):
            continue
        run += 1
        hits = CHECKS[rule.check].function(ctx, rule)
        if not hits:
            passed += 1
        for hit in hits:
            found = draft(ctx, rule, hit)
            drafts.setdefault(found.key, found)
    return Outcome(list(drafts.values()), run, passed)
