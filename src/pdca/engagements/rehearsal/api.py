"""API of the stage 1 rehearsal: run it on a system, list a system's runs, read one run with
its findings and the comparison with the run before it, download it as PDF, and read the
rules as data. Thin endpoints over `selectors` and `services`.

Another organization's system or run is 404, as is a client's system for a certification body
without an open grant naming it; a member whose role may not read rehearsals gets 403. Each
read by a certification body under a grant is logged in the client's activity log."""

import datetime as dt
from typing import Any, Literal

from django.http import HttpResponse
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from pdca.core.api import Id, Page, responses
from pdca.core.views import file_response
from pdca.engagements.rehearsal import selectors, services
from pdca.engagements.rehearsal.pdf import filename, rehearsal_pdf
from pdca.engagements.rehearsal.report import rehearsal_as_dict, summary_dict
from pdca.engagements.rehearsal.rules import load_rules

router = Router(tags=["stage 1 rehearsal"])

Grade = Literal["major", "minor"]


class PredictedFindingOut(Schema):
    id: int
    key: str = Field(description="Stable across runs (rule, standard, clause, subject)")
    rule: str = Field(description="The rule's code, e.g. DOC-01 (GET /rehearsal-rules/)")
    rule_title: str
    grade: Grade = Field(description="The likely grade")
    standard: str | None = Field(description="Standard code; null: the system as a whole")
    standard_name: str | None
    requirement_id: int | None
    clause: str = Field(description="The requirement's number, e.g. 9.3.2 or 6.1.3 d)")
    requirement_title: str
    title: str
    detail: str
    fix_url: str = Field(description="The page where it is fixed")
    change: Literal["new", "still_open"] = Field(description="Against the previous run")


class ComparedFindingOut(Schema):
    key: str
    rule: str
    grade: Grade
    standard: str | None
    clause: str
    title: str


class RehearsalComparisonOut(Schema):
    previous_id: int | None = Field(description="The run before (same side); null: the first")
    previous_run_at: dt.datetime | None
    same_rules: bool = Field(description="False when the two runs used different rules")
    new: list[ComparedFindingOut]
    resolved: list[ComparedFindingOut] = Field(
        description="In the previous run, gone from this one"
    )
    still_open: list[ComparedFindingOut]


class RehearsalSummaryOut(Schema):
    id: int
    system_id: int
    system_name: str
    organization: str = Field(description="The system's organization (slug)")
    run_at: dt.datetime
    run_by: str = Field(description="E-mail of who ran it")
    run_for: str | None = Field(description="The certification body's slug when one ran it")
    grant_id: int | None
    rules_digest: str = Field(description="SHA-256 of the rules the run used")
    standards: list[str]
    majors: int
    minors: int
    rules_run: int
    rules_passed: int
    url: str = Field(description="The run's page")
    pdf_url: str


class RehearsalOut(RehearsalSummaryOut):
    findings: list[PredictedFindingOut]
    comparison: RehearsalComparisonOut


class RehearsalRuleOut(Schema):
    code: str
    title: str
    description: str
    clause: str = Field(description="Harmonized Structure clause the rule cites")
    clauses: dict[str, str] = Field(description="Standard's own numbers, by code prefix")
    standards: list[str] = Field(description="Code prefixes it applies to; empty: all")
    grade: Grade
    check: str
    params: dict[str, Any]
    fix: str = Field(description="URL name of the page where its finding is fixed")
    fix_system: str
    provisional: bool = Field(description="Rests on a reference fact not yet verified")
    source: str


class RehearsalRulesOut(Schema):
    digest: str = Field(description="SHA-256 of the rules; every run records the one it used")
    count: int
    rules: list[RehearsalRuleOut]


@router.post(
    "/systems/{system_id}/rehearsals/",
    response=responses(RehearsalOut, 201),
    operation_id="run_rehearsal",
)
def run_system_rehearsal(request, system_id: Id) -> Status:
    """Run the stage 1 rehearsal on a management system now: system managers, consultants
    and top management of its organization, or a certification body's member under an open
    grant naming the system. 201 with the run, its findings and the comparison; 422
    `no_standards` when the system adopts no standard."""
    user = request.auth
    access = selectors.system_access(user, system_id)
    rehearsal = services.run_rehearsal(access.system, actor=user)
    services.log_read(rehearsal, user=user, grant=access.grant)
    rehearsal, _ = selectors.rehearsal_access(user, rehearsal.pk)
    return Status(201, rehearsal_as_dict(rehearsal))


@router.get(
    "/systems/{system_id}/rehearsals/",
    response=responses(list[RehearsalSummaryOut]),
    operation_id="list_rehearsals",
)
@paginate(Page)
def list_system_rehearsals(request, system_id: Id) -> list[dict[str, Any]]:
    """The runs of a system, latest first (a certification body sees its own runs)."""
    user = request.auth
    access = selectors.system_access(user, system_id)
    services.log_read(access.system, user=user, grant=access.grant)
    runs = selectors.runs_of(access).select_related("system__organization")
    return _Summaries(runs)  # type: ignore[return-value]


class _Summaries:
    """A page of runs serialized lazily: the paginator counts and slices the query, only the
    page's rows are turned into summaries."""

    def __init__(self, queryset: Any) -> None:
        self.queryset = queryset

    def count(self) -> int:
        return int(self.queryset.count())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        return [summary_dict(r) for r in self.queryset[item]]


@router.get(
    "/rehearsals/{rehearsal_id}/", response=responses(RehearsalOut), operation_id="get_rehearsal"
)
def get_rehearsal(request, rehearsal_id: Id) -> dict[str, Any]:
    """One run with its findings (each marked new or still open) and the comparison with the
    run before it by the same side (new, resolved, still open)."""
    user = request.auth
    rehearsal, access = selectors.rehearsal_access(user, rehearsal_id)
    services.log_read(rehearsal, user=user, grant=access.grant)
    return rehearsal_as_dict(rehearsal)


@router.get(
    "/rehearsals/{rehearsal_id}/pdf/",
    response=responses(None),
    operation_id="get_rehearsal_pdf",
)
def get_rehearsal_pdf(request, rehearsal_id: Id) -> HttpResponse:
    """One run as an A4 PDF."""
    user = request.auth
    rehearsal, access = selectors.rehearsal_access(user, rehearsal_id)
    content = rehearsal_pdf(rehearsal, base_url=request.build_absolute_uri("/").rstrip("/"))
    services.log_read(rehearsal, user=user, grant=access.grant, download=True)
    return file_response(content, "application/pdf", filename(rehearsal))


@router.get(
    "/rehearsal-rules/",
    response=responses(RehearsalRulesOut),
    operation_id="list_rehearsal_rules",
)
def list_rehearsal_rules(request) -> dict[str, Any]:
    """The rules of the rehearsal as data (those of `rules.yaml`), with their digest."""
    ruleset = load_rules()
    return {
        "digest": ruleset.digest,
        "count": len(ruleset.rules),
        "rules": [rule.as_dict() for rule in ruleset.rules],
    }
