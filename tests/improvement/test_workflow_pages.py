"""The corrective-action steps through the pages: each step by a role that may (the state
moves), by one that may not (403, nothing changed), by an outsider (404) and anonymously
(sign-in); invalid forms show the field's error and change nothing; uploads and refused
steps leave nothing half-written; the nonconformity's page shows its state and its forms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from pdca.core.models import ActivityEntry
from pdca.core.roles import Role
from pdca.core.testing.api_bundle import login
from pdca.documents.evidence.services import store_evidence
from pdca.documents.models import EvidenceFile
from pdca.improvement.actions import add_corrective_action, implement_corrective_action
from pdca.improvement.models import CorrectiveAction, EffectivenessCheck, Nonconformity
from pdca.improvement.reporting import report_nonconformity
from pdca.improvement.workflow.services import transition_nonconformity
from pdca.standards.models import Requirement
from pdca.system.models import Process

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog")]

S = Nonconformity.Status
ORDER = [
    S.REPORTED,
    S.TRIAGED,
    S.CONTAINED,
    S.CAUSE_ANALYSED,
    S.ACTION_PLANNED,
    S.IMPLEMENTED,
    S.VERIFIED,
    S.CLOSED,
]


def process_of(org) -> Process:
    return Process.objects.get_or_create(
        organization=org, code="P-01", defaults={"name": "Machining"}
    )[0]


def requirement() -> Requirement:
    return Requirement.objects.get(standard__code="iso9001-2015", number="8.7")


def upload(name: str = "gauge.txt", content: bytes = b"sticker expired") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/plain")


def make_nc(personas, status: str = S.REPORTED, *, title: str = "Gauge out of date"):
    """A nonconformity reported by the employee, owned by the process owner after triage,
    taken through the services up to `status` (its action owned by the process owner; the
    waiting period already over once implemented)."""
    org = personas.org
    users = personas.users
    manager, owner = users[Role.SYSTEM_MANAGER], users[Role.PROCESS_OWNER]
    nc = report_nonconformity(
        org, actor=users[Role.EMPLOYEE], title=title, description="Sticker expired."
    )
    reached = ORDER.index(status)
    if reached >= 1:
        transition_nonconformity(
            nc,
            "triage",
            actor=manager,
            severity="minor",
            owner=owner,
            process=process_of(org),
            requirements=[requirement()],
        )
    if reached >= 2:
        photo = store_evidence(org, ("photo.txt", b"withdrawn gauge"), actor=manager)
        transition_nonconformity(
            nc, "contain", actor=owner, correction="Gauge withdrawn.", evidence=[photo]
        )
    if reached >= 3:
        transition_nonconformity(
            nc,
            "analyse",
            actor=owner,
            method="five_whys",
            whys=["Not recalled", "No recall list"],
            root_cause="No calibration recall list.",
        )
        add_corrective_action(
            nc,
            actor=owner,
            title="Start a recall list",
            owner=owner,
            due_date=timezone.localdate() + dt.timedelta(days=10),
        )
    if reached >= 4:
        transition_nonconformity(nc, "plan", actor=owner, effectiveness_criteria="No expiry.")
    if reached >= 5:
        photo = store_evidence(org, ("list.txt", b"recall list"), actor=manager)
        action = nc.actions.get()
        implement_corrective_action(action, actor=owner, note="List in place.", evidence=[photo])
        transition_nonconformity(nc, "implement", actor=owner)
        Nonconformity.objects.filter(pk=nc.pk).update(
            implemented_at=timezone.now() - dt.timedelta(days=30)
        )
    if reached >= 6:
        transition_nonconformity(
            nc, "verify", actor=users[Role.INTERNAL_AUDITOR], effective=True, notes="Sampled."
        )
    if reached >= 7:
        transition_nonconformity(nc, "close", actor=manager)
    nc.refresh_from_db()
    assert nc.status == status
    return nc


def step_url(nc, step: str) -> str:
    return reverse("improvement:nonconformity-step", args=[nc.pk, step])


def detail_url(nc) -> str:
    return reverse("improvement:nonconformities-detail", args=[nc.pk])


def triage_data(personas):
    return {
        "triage-severity": "major",
        "triage-owner": personas.users[Role.PROCESS_OWNER].pk,
        "triage-process": process_of(personas.org).pk,
        "triage-requirements": [requirement().pk],
    }


#: step: (state it starts from, a role that may, a role that may not (but sees it), form data,
#: state it leads to)
CASES = {
    "triage": (S.REPORTED, Role.SYSTEM_MANAGER, Role.PROCESS_OWNER, triage_data, S.TRIAGED),
    "dismiss": (
        S.REPORTED,
        Role.CONSULTANT,
        Role.INTERNAL_AUDITOR,
        lambda p: {"dismiss-reason": "A planned stop, not a failure."},
        S.DISMISSED,
    ),
    "contain": (
        S.TRIAGED,
        Role.PROCESS_OWNER,
        Role.INTERNAL_AUDITOR,
        lambda p: {"contain-correction": "Gauge withdrawn.", "contain-evidence": upload()},
        S.CONTAINED,
    ),
    "analyse": (
        S.CONTAINED,
        Role.PROCESS_OWNER,
        Role.TOP_MANAGEMENT,
        lambda p: {
            "analyse-method": "five_whys",
            "analyse-whys": "Not recalled\nNo recall list\n",
            "analyse-root_cause": "No calibration recall list.",
        },
        S.CAUSE_ANALYSED,
    ),
    "plan": (
        S.CAUSE_ANALYSED,
        Role.PROCESS_OWNER,
        Role.INTERNAL_AUDITOR,
        lambda p: {"plan-effectiveness_criteria": "No expired gauge at the next audit."},
        S.ACTION_PLANNED,
    ),
    "verify": (
        S.IMPLEMENTED,
        Role.INTERNAL_AUDITOR,
        Role.PROCESS_OWNER,
        lambda p: {"verify-effective": "yes", "verify-notes": "Sampled 10 gauges."},
        S.VERIFIED,
    ),
    "close": (S.VERIFIED, Role.SYSTEM_MANAGER, Role.TOP_MANAGEMENT, lambda p: {}, S.CLOSED),
}


def implemented_ready(personas):
    """Action planned and its action implemented: ready for the implement step."""
    nc = make_nc(personas, S.ACTION_PLANNED)
    photo = store_evidence(personas.org, ("list.txt", b"recall list"), actor=personas.manager)
    implement_corrective_action(
        nc.actions.get(), actor=personas.users[Role.PROCESS_OWNER], note="Done.", evidence=[photo]
    )
    return nc


@pytest.mark.parametrize("step", sorted(CASES))
def test_a_role_that_may_takes_the_step_through_the_page(client, personas, step):
    start, role, _refused, data, target = CASES[step]
    nc = make_nc(personas, start)
    login(client, personas.users[role])
    response = client.post(step_url(nc, step), data(personas))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == detail_url(nc)
    nc.refresh_from_db()
    assert nc.status == target


def test_the_owner_marks_it_implemented_once_the_actions_are_done(client, personas):
    nc = implemented_ready(personas)
    login(client, personas.users[Role.PROCESS_OWNER])
    response = client.post(step_url(nc, "implement"), {})
    assert response.status_code == 302
    nc.refresh_from_db()
    assert nc.status == S.IMPLEMENTED


@pytest.mark.parametrize("step", sorted(CASES))
def test_a_role_that_may_not_is_refused_and_nothing_changes(client, personas, step):
    start, _role, refused, data, _target = CASES[step]
    nc = make_nc(personas, start)
    files = EvidenceFile.objects.count()
    login(client, personas.users[refused])
    response = client.post(step_url(nc, step), data(personas))
    assert response.status_code == 403
    nc.refresh_from_db()
    assert nc.status == start
    assert EvidenceFile.objects.count() == files


def test_the_reporting_employee_may_not_mark_it_implemented(client, personas):
    nc = implemented_ready(personas)
    login(client, personas.employee)
    assert client.post(step_url(nc, "implement"), {}).status_code == 403
    nc.refresh_from_db()
    assert nc.status == S.ACTION_PLANNED


@pytest.mark.parametrize("step", sorted(CASES))
def test_an_outsider_gets_404_on_every_step(client, personas, step):
    start, _role, _refused, data, _target = CASES[step]
    nc = make_nc(personas, start)
    login(client, personas.outsider)
    assert client.post(step_url(nc, step), data(personas)).status_code == 404
    nc.refresh_from_db()
    assert nc.status == start


def test_anonymous_is_sent_to_sign_in(client, personas):
    nc = make_nc(personas)
    response = client.post(step_url(nc, "triage"), triage_data(personas))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    nc.refresh_from_db()
    assert nc.status == S.REPORTED


def test_an_unknown_step_is_404(client, personas):
    nc = make_nc(personas)
    login(client, personas.manager)
    assert client.post(step_url(nc, "approve"), {}).status_code == 404


def test_a_step_is_only_posted(client, personas):
    nc = make_nc(personas)
    login(client, personas.manager)
    assert client.get(step_url(nc, "triage")).status_code == 405


def _step_errors(response, step: str) -> dict:
    return next(
        s["form"] for s in response.context["extra"]["steps"] if s["step"].name == step
    ).errors


@pytest.mark.parametrize(
    ("step", "data", "field", "message"),
    [
        ("triage", {"triage-severity": "major"}, "owner", "This field is required."),
        ("contain", {"contain-correction": "Withdrawn."}, "evidence", "This field is required."),
        (
            "analyse",
            {
                "analyse-method": "five_whys",
                "analyse-whys": "Only one why",
                "analyse-root_cause": "No list.",
            },
            "whys",
            "Ask why at least twice, each answer on its own line.",
        ),
        (
            "plan",
            {"plan-effectiveness_criteria": "  "},
            "effectiveness_criteria",
            "This field is required.",
        ),
        ("verify", {"verify-notes": "Sampled."}, "effective", "This field is required."),
    ],
)
def test_an_invalid_form_shows_the_fields_error_and_changes_nothing(
    client, personas, step, data, field, message
):
    start, role, *_ = CASES[step]
    nc = make_nc(personas, start)
    before = Nonconformity.objects.filter(pk=nc.pk).values().get()
    login(client, personas.users[role])
    response = client.post(step_url(nc, step), data)
    assert response.status_code == 422
    assert _step_errors(response, step)[field] == [message]
    assert message in response.content.decode()
    assert Nonconformity.objects.filter(pk=nc.pk).values().get() == before


def test_a_step_the_state_refuses_shows_why_and_leaves_no_file(client, personas):
    nc = make_nc(personas, S.REPORTED)
    files = EvidenceFile.objects.count()
    login(client, personas.manager)  # may change it, but it is not triaged yet
    response = client.post(
        step_url(nc, "contain"),
        {"contain-correction": "Withdrawn.", "contain-evidence": upload("new.txt", b"fresh")},
    )
    assert response.status_code == 409
    assert "this step follows triaged" in response.content.decode()
    nc.refresh_from_db()
    assert nc.status == S.REPORTED
    assert EvidenceFile.objects.count() == files


def test_the_check_is_refused_during_the_waiting_period(client, personas):
    nc = make_nc(personas, S.IMPLEMENTED)
    Nonconformity.objects.filter(pk=nc.pk).update(implemented_at=timezone.now())
    login(client, personas.users[Role.INTERNAL_AUDITOR])
    response = client.post(step_url(nc, "verify"), CASES["verify"][3](personas))
    assert response.status_code == 409
    assert "waiting period" in response.content.decode()
    assert EffectivenessCheck.objects.filter(nonconformity=nc).count() == 0


def test_not_effective_opens_a_new_round_of_analysis(client, personas):
    nc = make_nc(personas, S.IMPLEMENTED)
    login(client, personas.users[Role.INTERNAL_AUDITOR])
    response = client.post(
        step_url(nc, "verify"), {"verify-effective": "no", "verify-notes": "Expired gauge found."}
    )
    assert response.status_code == 302
    nc.refresh_from_db()
    assert (nc.status, nc.round) == (S.CONTAINED, 2)
    page = client.get(detail_url(nc)).content.decode()
    assert "analysis round 2" in page
    assert "Round 1" in page
    assert "Not effective" in page


def test_the_correction_keeps_the_uploaded_file(client, personas):
    nc = make_nc(personas, S.TRIAGED)
    login(client, personas.users[Role.PROCESS_OWNER])
    client.post(
        step_url(nc, "contain"),
        {"contain-correction": "Withdrawn.", "contain-evidence": upload("tag.txt", b"red tag")},
    )
    nc.refresh_from_db()
    assert [f.original_name for f in nc.correction_evidence.all()] == ["tag.txt"]
    assert "tag.txt" in client.get(detail_url(nc)).content.decode()


# --- the page ------------------------------------------------------------------------------


def test_the_page_marks_the_current_state_and_offers_the_next_steps(client, personas):
    nc = make_nc(personas, S.REPORTED)
    login(client, personas.manager)
    response = client.get(detail_url(nc))
    page = response.content.decode()
    assert 'id="capa-current-state">Reported' in page
    steps = {s["step"].name: s for s in response.context["extra"]["steps"]}
    assert sorted(steps) == ["dismiss", "triage"]
    assert steps["triage"]["form"] is not None
    assert f'action="{step_url(nc, "triage")}"' in page


def test_refused_steps_are_disabled_buttons_with_the_reason(client, personas):
    nc = make_nc(personas, S.IMPLEMENTED)
    Nonconformity.objects.filter(pk=nc.pk).update(implemented_at=timezone.now())
    login(client, personas.users[Role.INTERNAL_AUDITOR])
    response = client.get(detail_url(nc))
    steps = {s["step"].name: s for s in response.context["extra"]["steps"]}
    assert steps["verify"]["form"] is None
    assert "waiting period" in steps["verify"]["step"].reason
    page = response.content.decode()
    assert 'aria-describedby="step-verify-reason">Check effectiveness</button>' in page
    assert 'id="step-verify-reason"' in page


def test_the_page_shows_the_cause_as_a_numbered_chain(client, personas):
    nc = make_nc(personas, S.CAUSE_ANALYSED)
    login(client, personas.employee)  # the reporter follows it
    page = client.get(detail_url(nc)).content.decode()
    assert '<ol class="mb-2" id="capa-whys">' in page
    assert "No recall list" in page
    assert "No calibration recall list." in page


def test_an_employee_sees_their_own_report_but_not_anothers(client, personas):
    mine = make_nc(personas)
    other = Nonconformity.objects.create(
        organization=personas.org, title="Spill", description="Oil.", source="incident"
    )
    login(client, personas.employee)
    assert client.get(detail_url(mine)).status_code == 200
    assert client.get(detail_url(other)).status_code == 404
    entries = ActivityEntry.objects.count()
    assert client.post(step_url(other, "dismiss"), {"dismiss-reason": "x"}).status_code == 404
    other.refresh_from_db()
    assert (other.status, other.closure_note) == ("reported", "")
    assert ActivityEntry.objects.count() == entries


def test_the_reporting_employee_sees_only_their_own_action_on_the_page(client, personas):
    from pdca.improvement.models import CorrectiveAction, EffectivenessCheck

    nc = make_nc(personas, S.ACTION_PLANNED)
    theirs = CorrectiveAction.objects.create(
        organization=personas.org,
        nonconformity=nc,
        title="Label the gauge rack",
        owner=personas.employee,
        due_date=nc.due_date,
    )
    others = list(CorrectiveAction.objects.filter(nonconformity=nc).exclude(pk=theirs.pk))
    assert others
    EffectivenessCheck.objects.create(
        organization=personas.org,
        nonconformity=nc,
        checked_by=personas.manager,
        checked_at=nc.created_at,
        effective=False,
        notes="An earlier check the employee is not shown.",
    )
    login(client, personas.employee)
    page = client.get(detail_url(nc)).content.decode()
    assert "Label the gauge rack" in page
    assert all(action.title not in page for action in others)
    assert "An earlier check the employee is not shown." not in page
    login(client, personas.manager)
    page = client.get(detail_url(nc)).content.decode()
    assert all(action.title in page for action in [theirs, *others])
    assert "An earlier check the employee is not shown." in page


def test_the_page_links_the_risk_and_the_recurrence(client, personas):
    from pdca.risks.models import Risk

    earlier = make_nc(personas, S.TRIAGED, title="Gauge out of date in March")
    later = make_nc(personas, S.TRIAGED, title="Gauge out of date again")
    assert later.recurrence_of_id == earlier.pk
    risk = Risk.objects.create(organization=personas.org, code="R-001", title="Drift")
    Nonconformity.objects.filter(pk=later.pk).update(risk=risk)
    login(client, personas.manager)
    page = client.get(detail_url(later)).content.decode()
    assert reverse("risks:risks-detail", args=[risk.pk]) in page
    assert detail_url(earlier) in page
    assert detail_url(later) in client.get(detail_url(earlier)).content.decode()


# --- corrective actions --------------------------------------------------------------------


def action_data(personas, **overrides):
    return {
        "action-title": "Train the operators",
        "action-owner": personas.users[Role.PROCESS_OWNER].pk,
        "action-due_date": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
        **overrides,
    }


def add_url(nc) -> str:
    return reverse("improvement:action-create", args=[nc.pk])


def test_the_owner_adds_an_action(client, personas):
    nc = make_nc(personas, S.CAUSE_ANALYSED)
    login(client, personas.users[Role.PROCESS_OWNER])
    assert client.post(add_url(nc), action_data(personas)).status_code == 302
    assert sorted(nc.actions.values_list("title", flat=True)) == [
        "Start a recall list",
        "Train the operators",
    ]


def test_a_role_that_may_not_plan_cannot_add_an_action(client, personas):
    nc = make_nc(personas, S.CAUSE_ANALYSED)
    login(client, personas.users[Role.INTERNAL_AUDITOR])
    assert client.post(add_url(nc), action_data(personas)).status_code == 403
    login(client, personas.outsider)
    assert client.post(add_url(nc), action_data(personas)).status_code == 404
    assert nc.actions.count() == 1


def test_an_action_without_a_title_shows_the_error(client, personas):
    nc = make_nc(personas, S.CAUSE_ANALYSED)
    login(client, personas.users[Role.PROCESS_OWNER])
    response = client.post(add_url(nc), action_data(personas, **{"action-title": ""}))
    assert response.status_code == 422
    assert response.context["extra"]["add_action_form"].errors["title"] == [
        "This field is required."
    ]
    assert nc.actions.count() == 1


def test_an_action_is_not_added_once_implemented(client, personas):
    nc = make_nc(personas, S.IMPLEMENTED)
    login(client, personas.users[Role.PROCESS_OWNER])
    response = client.post(add_url(nc), action_data(personas))
    assert response.status_code == 409
    assert nc.actions.count() == 1


def test_the_owner_edits_a_planned_action_on_its_page(client, personas):
    nc = make_nc(personas, S.CAUSE_ANALYSED)
    action = nc.actions.get()
    url = reverse("improvement:action-edit", args=[action.pk])
    login(client, personas.users[Role.PROCESS_OWNER])
    assert client.get(url).status_code == 200
    data = {
        "title": "Start a calibration recall list",
        "owner": action.owner_id,
        "due_date": action.due_date.isoformat(),
    }
    assert client.post(url, {**data, "title": ""}).status_code == 422
    assert client.post(url, data).status_code == 302
    action.refresh_from_db()
    assert action.title == "Start a calibration recall list"
    login(client, personas.users[Role.INTERNAL_AUDITOR])
    assert client.get(url).status_code == 403
    login(client, personas.outsider)
    assert client.get(url).status_code == 404


def test_an_action_is_cancelled_with_a_reason(client, personas):
    nc = make_nc(personas, S.CAUSE_ANALYSED)
    action = nc.actions.get()
    url = reverse("improvement:action-cancel", args=[action.pk])
    login(client, personas.users[Role.INTERNAL_AUDITOR])
    assert client.post(url, {f"cancel-{action.pk}-reason": "No."}).status_code == 403
    login(client, personas.users[Role.PROCESS_OWNER])
    assert client.post(url, {f"cancel-{action.pk}-reason": ""}).status_code == 422
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.PLANNED
    response = client.post(url, {f"cancel-{action.pk}-reason": "Covered by the new procedure."})
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.implementation_note) == (
        CorrectiveAction.Status.CANCELLED,
        "Covered by the new procedure.",
    )


def test_the_action_owner_implements_it_with_evidence(client, personas):
    nc = make_nc(personas, S.ACTION_PLANNED)
    action = nc.actions.get()
    url = reverse("improvement:action-implement", args=[action.pk])
    prefix = f"implement-{action.pk}"
    login(client, personas.users[Role.INTERNAL_AUDITOR])
    assert client.post(url, {f"{prefix}-note": "Done."}).status_code == 403
    login(client, personas.users[Role.PROCESS_OWNER])
    response = client.post(url, {f"{prefix}-note": "Done."})
    assert response.status_code == 422
    assert "Attach evidence that it was done" in response.content.decode()
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.PLANNED
    response = client.post(
        url, {f"{prefix}-note": "List in place.", f"{prefix}-evidence": upload("l.txt", b"list")}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.IMPLEMENTED
    assert [f.original_name for f in action.evidence.all()] == ["l.txt"]
