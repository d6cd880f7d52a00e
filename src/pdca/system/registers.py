"""The implementer's registers kept in the system app, declared once: the framework in
`core.registers` builds their pages, API, spreadsheets and CLI from these specs."""

from __future__ import annotations

from pdca.core.exceptions import FieldError, ValidationFailed
from pdca.core.registers.spec import RegisterSpec
from pdca.system.models import ContextIssue, InterestedParty, Objective, Process, Responsibility


def _validate_process(process: Process, related: dict[str, list]) -> None:
    errors = []
    if process.pk and any(p.pk == process.pk for p in related.get("feeds", [])):
        errors.append(FieldError("feeds", "A process cannot hand its outputs to itself."))
    duplicate = (
        Process.objects.filter(organization_id=process.organization_id, code__iexact=process.code)
        .exclude(pk=process.pk)
        .exists()
    )
    if process.code and duplicate:
        errors.append(FieldError("code", f"Another process already has the code {process.code}."))
    if errors:
        raise ValidationFailed(errors)


def _validate_objective(objective: Objective, related: dict[str, list]) -> None:
    if objective.start_date and objective.due_date and objective.due_date < objective.start_date:
        raise ValidationFailed.single("due_date", "The due date is before the start date.")
    if (
        objective.baseline is not None
        and objective.target is not None
        and objective.baseline == objective.target
        and objective.status == Objective.Status.ACTIVE
    ):
        raise ValidationFailed.single(
            "target", "The target equals the baseline: say what should change."
        )


def _unique(model, field: str, message: str):
    def check(obj, related) -> None:
        value = getattr(obj, field)
        if (
            value
            and model.objects.filter(
                organization_id=obj.organization_id, **{f"{field}__iexact": value}
            )
            .exclude(pk=obj.pk)
            .exists()
        ):
            raise ValidationFailed.single(field, message)

    return check


def _process_context(request, process):
    from pdca.system.processes.views import process_detail_context

    return process_detail_context(request, process)


def _objective_context(request, objective):
    from pdca.system.objectives.views import objective_detail_context

    return objective_detail_context(request, objective)


def _objective_annotate(queryset):
    from pdca.system.objectives.services import with_latest

    return with_latest(queryset)


CONTEXT_ISSUES = RegisterSpec(
    model=ContextIssue,
    slug="context-issues",
    namespace="workspace",
    fields=(
        "title",
        "origin",
        "category",
        "description",
        "effect",
        "effect_description",
        "response",
        "owner",
        "review_date",
        "status",
        "requirements",
    ),
    columns=("title", "origin", "category", "effect", "owner", "review_date", "status"),
    filters=("origin", "category", "effect", "status", "owner"),
    search=("title", "description", "effect_description", "response"),
    ordering=("title", "origin", "category", "review_date", "status"),
    clauses=("4.1",),
    intro=(
        "Internal and external issues that shape what the management system can achieve "
        "(clause 4.1), classed PESTLE or SWOT style, with their effect and when to look again."
    ),
)

INTERESTED_PARTIES = RegisterSpec(
    model=InterestedParty,
    slug="interested-parties",
    namespace="workspace",
    key_field="name",
    fields=(
        "name",
        "origin",
        "category",
        "needs",
        "addressed",
        "how_addressed",
        "monitoring",
        "influence",
        "owner",
        "review_date",
        "requirements",
    ),
    columns=("name", "origin", "category", "addressed", "influence", "owner", "review_date"),
    filters=("origin", "category", "addressed", "influence", "owner"),
    search=("name", "needs", "how_addressed", "monitoring"),
    ordering=("name", "category", "influence", "review_date"),
    clauses=("4.2",),
    validate=_unique(InterestedParty, "name", "This interested party is already registered."),
    intro=(
        "Who has a stake in the management system (clause 4.2), what they need and expect, "
        "which of those needs the system takes on, and how we keep track of them."
    ),
)

PROCESSES = RegisterSpec(
    model=Process,
    slug="processes",
    namespace="workspace",
    key_field="code",
    fields=(
        "code",
        "name",
        "category",
        "status",
        "owner",
        "purpose",
        "inputs",
        "outputs",
        "feeds",
        "resources",
        "competence",
        "methods",
        "kpis",
        "sites",
        "requirements",
    ),
    columns=("code", "name", "category", "owner", "status", "feeds"),
    filters=("category", "status", "owner", "sites"),
    search=("code", "name", "purpose", "inputs", "outputs"),
    ordering=("code", "name", "category", "status"),
    clauses=("4.4",),
    validate=_validate_process,
    detail_template="system/_process_detail.html",
    detail_context=_process_context,
    list_links=(("Process map", "process-map"),),
    limit_choices={"feeds": lambda qs, org: qs.exclude(status=Process.Status.RETIRED)},
    intro=(
        "The processes of the management system and how they interact (clause 4.4): who owns "
        "each, what goes in and comes out, and how it is measured."
    ),
)

RESPONSIBILITIES = RegisterSpec(
    model=Responsibility,
    slug="responsibilities",
    namespace="workspace",
    key_field="activity",
    fields=("activity", "description", "process", "requirements"),
    columns=("activity", "process"),
    filters=("process",),
    search=("activity", "description"),
    ordering=("activity",),
    clauses=("5.3",),
    validate=_unique(Responsibility, "activity", "This activity is already in the matrix."),
    list_links=(("RACI matrix", "raci"),),
    intro=(
        "Activities and decisions of the management system; who is responsible, accountable, "
        "consulted and informed for each is set in the RACI matrix (clause 5.3)."
    ),
)

OBJECTIVES = RegisterSpec(
    model=Objective,
    slug="objectives",
    namespace="workspace",
    fields=(
        "title",
        "description",
        "owner",
        "process",
        "kpi",
        "unit",
        "direction",
        "baseline",
        "target",
        "start_date",
        "due_date",
        "plan_what",
        "plan_resources",
        "plan_evaluation",
        "status",
        "requirements",
    ),
    columns=("title", "owner", "process", "target", "due_date", "status", "tracking"),
    column_labels={"tracking": "Tracking"},
    filters=("status", "owner", "process"),
    search=("title", "description", "kpi"),
    ordering=("due_date", "title", "status"),
    clauses=("6.2",),
    validate=_validate_objective,
    annotate=_objective_annotate,
    detail_template="system/_objective_detail.html",
    detail_context=_objective_context,
    list_links=(("Dashboard", "objective-dashboard"),),
    intro=(
        "Measurable objectives and the plans to achieve them (clause 6.2); whether each is on "
        "track follows from its latest measurement."
    ),
)

SPECS = (CONTEXT_ISSUES, INTERESTED_PARTIES, PROCESSES, RESPONSIBILITIES, OBJECTIVES)
