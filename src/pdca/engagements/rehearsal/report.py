"""One run as people read it, on the page, in the PDF and at the command line: its findings
grouped into issues (a fact about the whole system, such as no management review, is one
finding per standard but one issue citing each standard's clause), majors first, each marked
new or still open against the previous run, with the rule that raised it.

Reads three queries (the findings, the previous run, its findings), whatever their number."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from pdca.engagements.models import PredictedFinding, Rehearsal
from pdca.engagements.rehearsal.rules import Rule, load_rules
from pdca.engagements.rehearsal.selectors import findings_of
from pdca.engagements.rehearsal.services import NEW, STILL_OPEN, Comparison, compare

ALL_STANDARDS = "All standards"
STATUS_LABELS = {NEW: "new", STILL_OPEN: "still open", "mixed": "partly new"}


@dataclass(frozen=True)
class Citation:
    """A requirement an issue cites: the standard's name, the clause, its title."""

    standard: str
    clause: str
    title: str

    @property
    def label(self) -> str:
        return f"{self.standard} {self.clause}"


@dataclass
class Issue:
    """Findings of one rule saying the same thing, with every requirement they cite."""

    grade: str
    rule_code: str
    rule: Rule | None
    title: str
    detail: str
    fix_url: str
    citations: list[Citation] = field(default_factory=list)
    statuses: set[str] = field(default_factory=set)

    @property
    def status(self) -> str:
        return next(iter(self.statuses)) if len(self.statuses) == 1 else "mixed"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def rule_title(self) -> str:
        return self.rule.title if self.rule else "(a rule no longer in use)"

    @property
    def provisional(self) -> bool:
        return bool(self.rule and self.rule.provisional)

    @property
    def requirement_label(self) -> str:
        return "; ".join(c.label for c in self.citations)

    def as_dict(self) -> dict[str, Any]:
        return {
            "grade": self.grade,
            "rule": self.rule_code,
            "rule_title": self.rule_title,
            "requirements": self.requirement_label,
            "title": self.title,
            "detail": self.detail,
            "status": self.status_label,
            "fix_url": self.fix_url,
        }


@dataclass(frozen=True)
class Report:
    rehearsal: Rehearsal
    findings: list[PredictedFinding]
    comparison: Comparison
    majors: list[Issue]
    minors: list[Issue]

    @property
    def groups(self) -> list[tuple[str, str, list[Issue]]]:
        return [
            ("major", "Likely major nonconformities", self.majors),
            ("minor", "Likely minor nonconformities", self.minors),
        ]

    @property
    def issues(self) -> list[Issue]:
        return [*self.majors, *self.minors]

    @property
    def by(self) -> str:
        """Who ran it: the person, and the certification body when one did."""
        r = self.rehearsal
        person = r.run_by.get_full_name() or r.run_by.email
        return f"{person} for {r.run_for}" if r.run_for_id else person


def citation(finding: PredictedFinding) -> Citation:
    requirement = finding.requirement
    return Citation(
        finding.standard.name if finding.standard else ALL_STANDARDS,
        finding.clause,
        requirement.title if requirement is not None else "",
    )


def issues_of(findings: list[PredictedFinding], comparison: Comparison) -> list[Issue]:
    """The findings grouped by rule and what they say, in order: majors first, then by rule,
    then as the findings come (by standard and clause)."""
    rules = load_rules().by_code()
    grouped: dict[tuple[str, str, str, str], Issue] = {}
    for finding in findings:
        key = (finding.grade, finding.rule, finding.title, finding.detail)
        issue = grouped.get(key)
        if issue is None:
            issue = grouped[key] = Issue(
                finding.grade,
                finding.rule,
                rules.get(finding.rule),
                finding.title,
                finding.detail,
                finding.fix_url,
            )
        issue.citations.append(citation(finding))
        issue.statuses.add(comparison.status_of(finding))
    order = {"major": 0, "minor": 1}
    return sorted(grouped.values(), key=lambda i: (order.get(i.grade, 2), i.rule_code))


def report_for(rehearsal: Rehearsal) -> Report:
    findings = findings_of(rehearsal)
    comparison = compare(rehearsal, findings)
    issues = issues_of(findings, comparison)
    return Report(
        rehearsal,
        findings,
        comparison,
        [i for i in issues if i.grade == PredictedFinding.Grade.MAJOR],
        [i for i in issues if i.grade != PredictedFinding.Grade.MAJOR],
    )


# --- as JSON (the API and `pdca rehearse --format json`) ---------------------------------


def summary_dict(rehearsal: Rehearsal) -> dict[str, Any]:
    return {
        "id": rehearsal.pk,
        "system_id": rehearsal.system_id,
        "system_name": rehearsal.system.name,
        "organization": rehearsal.system.organization.slug,
        "run_at": rehearsal.run_at,
        "run_by": rehearsal.run_by.email,
        "run_for": rehearsal.run_for.slug if rehearsal.run_for else None,
        "grant_id": rehearsal.grant_id,
        "rules_digest": rehearsal.rules_digest,
        "standards": list(rehearsal.standards),
        "majors": rehearsal.majors,
        "minors": rehearsal.minors,
        "rules_run": rehearsal.rules_run,
        "rules_passed": rehearsal.rules_passed,
        "url": reverse("engagements:rehearsal-detail", args=[rehearsal.pk]),
        "pdf_url": reverse("engagements:rehearsal-pdf", args=[rehearsal.pk]),
    }


def rehearsal_as_dict(rehearsal: Rehearsal) -> dict[str, Any]:
    """A run with its findings and comparison as JSON types, as the API gives it (four
    queries)."""
    findings = findings_of(rehearsal)
    comparison = compare(rehearsal, findings)
    rules = load_rules().by_code()

    def finding(f: PredictedFinding) -> dict[str, Any]:
        rule = rules.get(f.rule)
        return {
            "id": f.pk,
            "key": f.key,
            "rule": f.rule,
            "rule_title": rule.title if rule else "",
            "grade": f.grade,
            "standard": f.standard.code if f.standard else None,
            "standard_name": f.standard.name if f.standard else None,
            "requirement_id": f.requirement_id,
            "clause": f.clause,
            "requirement_title": f.requirement.title if f.requirement else "",
            "title": f.title,
            "detail": f.detail,
            "fix_url": f.fix_url,
            "change": comparison.status_of(f),
        }

    return {
        **summary_dict(rehearsal),
        "findings": [finding(f) for f in findings],
        "comparison": comparison.as_dict(),
    }
