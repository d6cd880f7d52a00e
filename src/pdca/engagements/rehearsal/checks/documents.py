"""Mandatory documented information (DOC rules): what the catalog says a requirement asks to
be maintained or retained, against the documents the organization links to it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pdca.documents.models import Document, DocumentVersion
from pdca.engagements.rehearsal.engine import Context, Hit, check, param
from pdca.standards.models import Requirement

if TYPE_CHECKING:
    from pdca.engagements.rehearsal.rules import Rule

Status = DocumentVersion.Status
#: Versions that make a document current: anything but superseded and obsolete ones.
LIVE = {Status.DRAFT, Status.IN_REVIEW, Status.APPROVED, Status.PUBLISHED}


def _asked(ctx: Context, rule: Rule) -> list[tuple[Requirement, list[str]]]:
    """Requirements of the rule's standards (of its `kinds`, but those it `skip`s) that ask for
    documented information of its `types`, not excluded by the system, each with what they ask
    for."""
    types = set(param(rule, "types"))
    kinds = set(param(rule, "kinds"))
    skip = set(param(rule, "skip"))
    wanted = {s.pk for s in ctx.standards_for(rule)}
    found = []
    for requirement in ctx.requirements().values():
        if (
            requirement.standard_id not in wanted
            or requirement.pk in ctx.excluded
            or requirement.kind not in kinds
            or requirement.number in skip
        ):
            continue
        what = [
            str(entry.get("what", ""))
            for entry in requirement.documented_information or []
            if isinstance(entry, dict) and entry.get("type") in types
        ]
        if what:
            found.append((requirement, what))
    found.sort(key=lambda pair: (pair[0].standard.name, pair[0].sort_key))
    return found


def _statuses(ctx: Context) -> dict[int, set[str]]:
    """{requirement id: statuses of the versions of the current documents linked to it} for
    every requirement of the adopted standards (one query, shared by the DOC rules). A linked
    document without a version contributes an empty set."""

    def read() -> dict[int, set[str]]:
        through = Document.requirements.through
        rows = through.objects.filter(
            requirement__standard__in=ctx.standards,
            document__organization_id=ctx.organization_id,
            document__obsolete=False,
            document__archived_at__isnull=True,
        ).values_list("requirement_id", "document__versions__status")
        found: dict[int, set[str]] = {}
        for requirement_id, status in rows:
            states = found.setdefault(requirement_id, set())
            if status:
                states.add(status)
        return found

    result: dict[int, set[str]] = ctx.cached("document-statuses", read)
    return result


def _detail(requirement: Requirement, what: list[str], problem: str) -> str:
    return f"{requirement.label} ({requirement.title}) asks for: {'; '.join(what)}. {problem}"


#: Parameters both DOC checks take: what is asked for (maintain, retain), of which kind of
#: requirement (Annex controls are left to the SoA), and numbers to leave out (7.5.1 asks for
#: what the organization itself finds necessary: no fixed document).
ASKED = {"types": ["maintain"], "kinds": ["clause"], "skip": ["7.5.1"]}


@check("documented_information_missing", **ASKED)
def documented_information_missing(ctx: Context, rule: Rule) -> list[Hit]:
    """A requirement asks for documented information of one of `types` (maintain, retain) and
    no current document linked to it has a version in any state."""
    statuses = _statuses(ctx)
    hits = []
    for requirement, what in _asked(ctx, rule):
        if statuses.get(requirement.pk, set()) & LIVE:
            continue
        hits.append(
            Hit(
                requirement.standard,
                f"{rule.title}: {what[0]}",
                _detail(requirement, what, "No current document is linked to it."),
                requirement=requirement,
                subject=requirement.number,
            )
        )
    return hits


@check("documented_information_unapproved", **ASKED, approved=["approved", "published"])
def documented_information_unapproved(ctx: Context, rule: Rule) -> list[Hit]:
    """Documents are linked to a requirement that asks for documented information of one of
    `types`, but none has a version in one of the `approved` states: only drafts or versions
    in review."""
    statuses = _statuses(ctx)
    approved = set(param(rule, "approved"))
    hits = []
    for requirement, what in _asked(ctx, rule):
        found = statuses.get(requirement.pk, set()) & LIVE
        if not found or found & approved:
            continue
        states = ", ".join(sorted(Status(s).label.lower() for s in found))
        hits.append(
            Hit(
                requirement.standard,
                f"{rule.title}: {what[0]}",
                _detail(
                    requirement,
                    what,
                    f"Its documents are not approved yet (versions {states}).",
                ),
                requirement=requirement,
                subject=requirement.number,
            )
        )
    return hits
