"""The rules of management review, tested through the services: which inputs a system gets,
figures against seeded registers, the previous review's actions round trip, holding and
approving (who, and what must be there first), minutes frozen with their hash, and the
schedule of reviews."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.registers.services import create_entry, delete_entry, update_entry
from pdca.core.roles import Role
from pdca.core.testing.files import docx_text, pdf_text
from pdca.improvement.models import ImprovementOpportunity, Nonconformity
from pdca.reviews import minutes, selectors, services
from pdca.reviews.models import ManagementReview, ReviewOutput
from pdca.reviews.registers import MANAGEMENT_REVIEWS, REVIEW_ACTIONS

from .factories import TODAY, make_output, make_review, make_system

pytestmark = pytest.mark.django_db

ENV = "iso14001-2015"


def keys(review) -> list[str]:
    return list(review.inputs.values_list("key", flat=True))


def figures_of(review, key: str) -> dict:
    data = review.inputs.get(key=key).figures
    return {f["label"]: f["value"] for f in data["figures"]}


def nonconformity(org, days_ago: int, **fields) -> Nonconformity:
    values = {"title": f"NC {days_ago}", "description": "Found", "source": "employee", **fields}
    nc = Nonconformity.objects.create(organization=org, **values)
    reported = timezone.now() - dt.timedelta(days=days_ago)
    Nonconformity.objects.filter(pk=nc.pk).update(created_at=reported)
    nc.refresh_from_db()
    return nc


def held(review, personas):
    """Compile, assess every input and conclude, then record the review as held."""
    services.compile_inputs(review, actor=personas.manager)
    for item in review.inputs.all():
        services.assess_input(item, actor=personas.manager, assessment="Read and understood.")
    update_entry(
        MANAGEMENT_REVIEWS, review, actor=personas.manager, conclusions="Suitable and effective."
    )
    return services.transition_review(review, actor=personas.manager, to="held")


def test_a_quality_system_gets_the_common_inputs_and_customer_feedback(catalog, personas):
    review = make_review(personas.org)
    services.compile_inputs(review, actor=personas.manager)
    assert keys(review) == [
        "previous_actions",
        "context_changes",
        "objectives",
        "nonconformities",
        "monitoring",
        "audit_results",
        "providers",
        "resources",
        "risk_actions",
        "improvement",
        "customer_feedback",
    ]
    assert review.inputs.get(key="nonconformities").clauses == "9.3.2 c)"


def test_an_environmental_system_gets_compliance_and_aspects_not_customer_feedback(
    catalog, personas
):
    system = make_system(personas.org, codes=(ENV,), name="EMS")
    review = make_review(personas.org, system=system)
    services.compile_inputs(review, actor=personas.manager)
    assert "environment" in keys(review)
    assert "customer_feedback" not in keys(review)


def test_nonconformity_figures_count_the_period_and_what_was_open_on_the_data_date(
    catalog, personas
):
    org = personas.org
    nonconformity(org, 30, severity="major")
    nonconformity(org, 40, severity="minor", due_date=TODAY - dt.timedelta(days=1))
    closed = nonconformity(org, 50, severity="minor", status="closed")
    Nonconformity.objects.filter(pk=closed.pk).update(
        closed_at=timezone.now() - dt.timedelta(days=10)
    )
    nonconformity(org, 500)  # before the period, still open
    nonconformity(org, 20, status="dismissed")  # not a nonconformity after all
    nonconformity(personas.other, 5, severity="major")  # another organization's
    review = make_review(org)
    services.compile_inputs(review, actor=personas.manager)
    assert figures_of(review, "nonconformities") == {
        "Reported in the period": 3,
        "Closed in the period": 1,
        "Open": 3,
        "Open majors": 1,
        "Open minors": 1,
        "Open past their due date": 1,
        "Median days to close": 40.0,
    }


def test_the_data_date_reads_the_registers_as_they_stood(catalog, personas):
    org = personas.org
    nonconformity(org, 5, severity="major")  # reported after the data date
    review = make_review(org, data_as_of=TODAY - dt.timedelta(days=10))
    services.compile_inputs(review, actor=personas.manager)
    assert figures_of(review, "nonconformities")["Open majors"] == 0


def test_a_new_review_follows_the_previous_one_and_opens_with_its_actions(catalog, personas):
    org = personas.org
    first = make_review(org, 400, title="2025 review", status="approved")
    make_review(org, 300, title="Planned, never held", system=first.system)
    done = make_output(org, 1, review=first, status="done", outcome="Hired")  # as if closed
    late = make_output(
        org,
        2,
        review=first,
        kind="action",
        owner=personas.users[Role.PROCESS_OWNER],
        due_date=TODAY - dt.timedelta(days=5),
    )
    second = create_entry(
        MANAGEMENT_REVIEWS,
        org,
        actor=personas.manager,
        system=first.system,
        title="2026 review",
        meeting_date=TODAY,
    )
    assert second.previous == first
    services.compile_inputs(second, actor=personas.manager)
    assert figures_of(second, "previous_actions") == {
        "Actions decided": 2,
        "Done": 1,
        "Open": 1,
        "Open past their due date": 1,
        "Cancelled": 0,
    }
    rows = second.inputs.get(key="previous_actions").figures["rows"]
    assert [r["label"] for r in rows] == [late.title, done.title]
    # The owner closes the action; compiled again, the review sees it done.
    with pytest.raises(ValidationFailed):
        services.transition_output(
            late, actor=personas.users[Role.PROCESS_OWNER], to="done", outcome=" "
        )
    services.transition_output(
        late, actor=personas.users[Role.PROCESS_OWNER], to="done", outcome="Supplier audited"
    )
    with pytest.raises(Conflict):
        update_entry(REVIEW_ACTIONS, late, actor=personas.manager, title="Changed afterwards")
    services.compile_inputs(second, actor=personas.manager)
    assert figures_of(second, "previous_actions")["Done"] == 2
    assert ReviewOutput.objects.get(pk=late.pk).completed_on == TODAY


def test_changing_the_date_of_a_compiled_review_asks_to_compile_again(catalog, personas):
    review = make_review(personas.org)
    services.compile_inputs(review, actor=personas.manager)
    update_entry(
        MANAGEMENT_REVIEWS,
        review,
        actor=personas.manager,
        data_as_of=TODAY - dt.timedelta(days=7),
    )
    assert ManagementReview.objects.get(pk=review.pk).compiled_at is None
    services.compile_inputs(review, actor=personas.manager)
    services.transition_review(review, actor=personas.manager, to="held")
    with pytest.raises(ValidationFailed) as refused:
        update_entry(MANAGEMENT_REVIEWS, review, actor=personas.manager, data_as_of=TODAY)
    assert refused.value.errors[0].code == "held"
    assert ManagementReview.objects.get(pk=review.pk).data_as_of == TODAY - dt.timedelta(days=7)


def test_compiling_again_keeps_the_written_assessments(catalog, personas):
    review = make_review(personas.org)
    services.compile_inputs(review, actor=personas.manager)
    item = review.inputs.get(key="objectives")
    services.assess_input(item, actor=personas.users[Role.TOP_MANAGEMENT], assessment="On track")
    services.compile_inputs(review, actor=personas.manager)
    item = review.inputs.get(key="objectives")
    assert item.assessment == "On track"
    assert item.assessed_by == personas.users[Role.TOP_MANAGEMENT]


def test_holding_needs_top_management_and_compiled_inputs(catalog, personas):
    review = make_review(personas.org, chair=None)
    with pytest.raises(ValidationFailed) as refused:
        services.transition_review(review, actor=personas.manager, to="held")
    assert {e.code for e in refused.value.errors} == {"no_top_management", "not_compiled"}
    review.refresh_from_db()
    assert review.status == "planned" and review.held_at is None


def test_a_future_meeting_cannot_be_recorded_as_held(catalog, personas):
    review = make_review(personas.org, meeting_date=TODAY + dt.timedelta(days=3))
    services.compile_inputs(review, actor=personas.manager)
    with pytest.raises(ValidationFailed) as refused:
        services.transition_review(review, actor=personas.manager, to="held")
    assert [e.code for e in refused.value.errors] == ["future"]


def test_approval_needs_every_input_assessed_and_conclusions(catalog, personas):
    review = make_review(personas.org)
    services.compile_inputs(review, actor=personas.manager)
    services.transition_review(review, actor=personas.manager, to="held")
    with pytest.raises(ValidationFailed) as refused:
        services.transition_review(review, actor=personas.users[Role.TOP_MANAGEMENT], to="approved")
    assert {e.code for e in refused.value.errors} == {"input_not_assessed", "required"}
    review.refresh_from_db()
    assert review.status == "held" and review.minutes == {} and review.minutes_sha256 == ""


def test_only_top_management_approves_the_minutes(catalog, personas):
    review = held(make_review(personas.org), personas)
    with pytest.raises(PermissionDenied):
        services.transition_review(review, actor=personas.manager, to="approved")
    assert ManagementReview.objects.get(pk=review.pk).status == "held"


def test_approved_minutes_are_frozen_with_their_hash(catalog, personas):
    org = personas.org
    review = held(make_review(org), personas)
    owner = personas.users[Role.PROCESS_OWNER]
    action = create_entry(
        REVIEW_ACTIONS,
        org,
        actor=personas.manager,
        review=review,
        kind="action",
        title="Audit the coating supplier",
        owner=owner,
        due_date=TODAY + dt.timedelta(days=60),
    )
    ceo = personas.users[Role.TOP_MANAGEMENT]
    review = services.transition_review(review, actor=ceo, to="approved")
    assert review.status == "approved" and review.approved_by == ceo
    assert review.minutes_sha256 == services.minutes_hash(review.minutes)
    assert len(review.minutes_sha256) == 64
    assert [o["title"] for o in review.minutes["outputs"]] == [action.title]
    assert services.minutes_intact(review)
    # Nothing of the minutes changes any more…
    with pytest.raises(Conflict) as refused:
        services.compile_inputs(review, actor=personas.manager)
    assert refused.value.code == "review_frozen"
    with pytest.raises(Conflict):
        services.assess_input(review.inputs.first(), actor=ceo, assessment="Changed")
    with pytest.raises(Conflict):
        update_entry(MANAGEMENT_REVIEWS, review, actor=ceo, conclusions="Rewritten")
    with pytest.raises(ValidationFailed) as closed:
        create_entry(
            REVIEW_ACTIONS,
            org,
            actor=personas.manager,
            review=review,
            kind="decision",
            title="Late decision",
        )
    assert closed.value.errors[0].code == "review_closed"
    with pytest.raises(Conflict):
        delete_entry(MANAGEMENT_REVIEWS, review, actor=personas.manager)
    # …but its actions are still followed up.
    services.transition_output(action, actor=owner, to="done", outcome="Audited")
    assert ReviewOutput.objects.get(pk=action.pk).status == "done"
    # A stored copy altered behind pdca's back no longer matches its hash.
    ManagementReview.objects.filter(pk=review.pk).update(
        minutes={**review.minutes, "conclusions": "Rewritten"}
    )
    review.refresh_from_db()
    assert not services.minutes_intact(review)


def test_an_improvement_decided_opens_an_improvement_opportunity_on_approval(catalog, personas):
    org = personas.org
    review = held(make_review(org), personas)
    owner = personas.users[Role.PROCESS_OWNER]
    output = make_output(
        org,
        5,
        review=review,
        kind="improvement",
        title="Automate the gauge calibration log",
        owner=owner,
        due_date=TODAY + dt.timedelta(days=90),
    )
    services.transition_review(review, actor=personas.users[Role.TOP_MANAGEMENT], to="approved")
    output.refresh_from_db()
    opportunity = ImprovementOpportunity.objects.get(pk=output.opportunity_id)
    assert (opportunity.source, opportunity.title, opportunity.owner) == (
        "management_review",
        "Automate the gauge calibration log",
        owner,
    )


def test_a_planned_review_is_cancelled_with_a_reason(catalog, personas):
    review = make_review(personas.org)
    with pytest.raises(ValidationFailed):
        services.transition_review(review, actor=personas.manager, to="cancelled")
    services.transition_review(review, actor=personas.manager, to="cancelled", reason="Merged")
    review.refresh_from_db()
    assert (review.status, review.status_note) == ("cancelled", "Merged")
    with pytest.raises(Conflict) as refused:
        services.transition_review(review, actor=personas.manager, to="held")
    assert refused.value.code == "invalid_transition"


def test_the_chair_must_be_top_management(catalog, personas):
    with pytest.raises(ValidationFailed) as refused:
        create_entry(
            MANAGEMENT_REVIEWS,
            personas.org,
            actor=personas.manager,
            system=make_system(personas.org),
            title="Review",
            meeting_date=TODAY,
            chair=personas.manager,
        )
    assert refused.value.errors[0].field == "chair"
    assert not ManagementReview.objects.filter(organization=personas.org).exists()


def test_a_review_is_due_one_interval_after_the_last_one_held(catalog, personas):
    org = personas.org
    system = make_system(org)
    review = make_review(org, 400, system=system)
    ManagementReview.objects.filter(pk=review.pk).update(status="approved")
    schedule = selectors.schedule_of(system)
    assert schedule.last_held == TODAY - dt.timedelta(days=400)
    assert schedule.interval_months == 12 and schedule.overdue
    services.set_review_interval(system, actor=personas.manager, months=18)
    schedule = selectors.schedule_of(system)
    assert schedule.interval_months == 18 and not schedule.overdue
    with pytest.raises(ValidationFailed):
        services.set_review_interval(system, actor=personas.manager, months=48)
    with pytest.raises(PermissionDenied):
        services.set_review_interval(system, actor=personas.employee, months=6)


def test_the_minutes_print_as_pdf_and_docx(catalog, personas):
    review = held(make_review(personas.org), personas)
    make_output(personas.org, 1, review=review, kind="action", owner=personas.manager)
    for text in (
        pdf_text(minutes.minutes_pdf(review)),
        docx_text(minutes.minutes_docx(review)),
    ):
        assert review.title in text
        assert "Status of actions from previous management reviews" in text
        assert "Read and understood." in text and "Suitable and effective." in text
        assert "Hire a second quality engineer 1" in text
