"""The workflow API: reading where a nonconformity stands, and taking each step through
POST /api/v1/nonconformities/{id}/steps/{step}/ (the permission matrix of every step, its
refusals, and the fields each one names)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from pdca.core.activity import object_label, snapshot
from pdca.core.models import ActivityEntry
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.documents.evidence.services import store_evidence
from pdca.improvement.models import CorrectiveAction, EffectivenessCheck, Nonconformity
from pdca.standards.models import Requirement
from pdca.system.models import Process
from pdca.system.permissions import IMPLEMENTERS
from pdca.tenancy.models import Site

pytestmark = pytest.mark.django_db

ROLES = sorted(ORGANIZATION_ROLES)
READERS = ORGANIZATION_ROLES - {Role.EMPLOYEE}
VERIFIERS = IMPLEMENTERS | {Role.TOP_MANAGEMENT, Role.INTERNAL_AUDITOR}
ORDER = [
    "reported",
    "triaged",
    "contained",
    "cause_analysed",
    "action_planned",
    "implemented",
    "verified",
    "closed",
]


# --- data ---------------------------------------------------------------------------------


@dataclass
class Kit:
    """What the steps refer to: the owner, a process, a requirement, an evidence file."""

    personas: object
    owner: object
    process: Process
    requirement: Requirement
    evidence: object

    @property
    def org(self):
        return self.personas.org


@pytest.fixture
def kit(personas, catalog) -> Kit:
    org = personas.org
    return Kit(
        personas=personas,
        owner=personas.users[Role.PROCESS_OWNER],
        process=Process.objects.create(organization=org, name="Machining", code="P-01"),
        requirement=Requirement.objects.get(standard__code="iso9001-2015", number="8.7"),
        evidence=store_evidence(org, ("gauge.txt", b"sticker expired"), actor=personas.manager),
    )


def make_nc(org, status: str = "reported", *, index: int = 0, owner=None, **fields):
    """A nonconformity put straight into `status`, with what the earlier steps record."""
    now = timezone.now()
    reached = ORDER.index(status) if status in ORDER else 0
    values: dict = {
        "reference": f"NC-{index + 1:04d}",
        "title": f"Gauge out of date {index}",
        "description": "Calibration sticker expired.",
        "source": "employee",
        "status": status,
    }
    if reached >= 1:
        values.update(
            severity="minor",
            owner=owner,
            due_date=timezone.localdate() + dt.timedelta(days=90),
            triaged_at=now,
        )
    if reached >= 2:
        values.update(correction="Gauge withdrawn.", contained_at=now)
    if reached >= 3:
        values.update(cause_method="free_text", root_cause="No recall list.", analysed_at=now)
    if reached >= 4:
        values.update(effectiveness_criteria="No expired gauge.", planned_at=now)
    if reached >= 5:
        values.update(implemented_at=now - dt.timedelta(days=30))
    if reached >= 6:
        values.update(verified_at=now)
    values.update(fields)
    return Nonconformity.objects.create(organization=org, **values)


def make_action(nc, owner, *, status: str = "planned", index: int = 0, **fields):
    values: dict = {
        "title": f"Start a recall list {index}",
        "owner": owner,
        "due_date": timezone.localdate() + dt.timedelta(days=10 + index),
        "status": status,
        "round": nc.round,
    }
    if status == "implemented":
        values.update(implemented_at=timezone.now(), implemented_by=owner, implementation_note="ok")
    values.update(fields)
    return CorrectiveAction.objects.create(
        organization_id=nc.organization_id, nonconformity=nc, **values
    )


def entries(obj, action: str, user=None):
    found = ActivityEntry.objects.filter(
        object_type=object_label(obj), object_id=str(obj.pk), action=action
    )
    return found.filter(actor=user) if user is not None else found


def post(client, url: str, body: dict | None = None):
    return client.post(url, body or {}, content_type="application/json")


def step_url(nc, step: str) -> str:
    return f"/api/v1/nonconformities/{nc.pk}/steps/{step}/"


def workflow_url(nc) -> str:
    return f"/api/v1/nonconformities/{nc.pk}/workflow/"


# --- each step: where it starts, who may take it, what it sends ---------------------------


def ready_for(kit: Kit, step: str):
    """A nonconformity on which `step` may be taken now (by a role allowed to)."""
    org, owner = kit.org, kit.owner
    start = {
        "triage": "reported",
        "dismiss": "reported",
        "contain": "triaged",
        "analyse": "contained",
        "plan": "cause_analysed",
        "implement": "action_planned",
        "verify": "implemented",
        "close": "verified",
    }[step]
    nc = make_nc(org, start, owner=owner)
    if step == "plan":
        make_action(nc, owner)
    if step in ("implement", "verify", "close"):
        make_action(nc, owner, status="implemented")
    return nc


def payload_for(kit: Kit, step: str) -> dict:
    return {
        "triage": {
            "severity": "major",
            "owner": kit.owner.pk,
            "process": kit.process.pk,
            "requirements": [kit.requirement.pk],
        },
        "dismiss": {"reason": "A wish, not a requirement."},
        "contain": {"correction": "Gauge withdrawn.", "evidence": [kit.evidence.pk]},
        "analyse": {
            "method": "five_whys",
            "whys": ["Not recalled", "No recall list"],
            "root_cause": "No calibration recall list.",
        },
        "plan": {"effectiveness_criteria": "No expired gauge at the next audit."},
        "implement": {},
        "verify": {"effective": True, "notes": "Sampled 10 gauges.", "evidence": []},
        "close": {"note": "Done."},
    }[step]


TARGET = {
    "triage": "triaged",
    "dismiss": "dismissed",
    "contain": "contained",
    "analyse": "cause_analysed",
    "plan": "action_planned",
    "implement": "implemented",
    "verify": "verified",
    "close": "closed",
}
OWNER_STEPS = IMPLEMENTERS | {Role.PROCESS_OWNER}
ALLOWED = {
    "triage": IMPLEMENTERS,
    "dismiss": IMPLEMENTERS,
    "contain": OWNER_STEPS,
    "analyse": OWNER_STEPS,
    "plan": OWNER_STEPS,
    "implement": OWNER_STEPS,
    "verify": VERIFIERS,
    "close": IMPLEMENTERS,
}
STEPS = list(TARGET)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("step", STEPS)
def test_each_step_answers_each_role_as_the_rules_say(client, kit, step, role):
    nc = ready_for(kit, step)
    user = kit.personas.users[role]
    before, count = snapshot(nc), ActivityEntry.objects.count()
    login(client, user)
    response = post(client, step_url(nc, step), payload_for(kit, step))
    nc.refresh_from_db()
    if role in ALLOWED[step]:
        assert response.status_code == 200, response.content
        assert response.json()["status"] == TARGET[step]
        assert nc.status == TARGET[step]
        entry = entries(nc, step, user).get()
        assert entry.via == "api"
        assert entry.changes["status"][1] == TARGET[step]
    else:
        assert response.status_code == (403 if role in READERS else 404), response.content
        assert response["Content-Type"] == "application/problem+json"
        assert snapshot(nc) == before
        assert ActivityEntry.objects.count() == count


@pytest.mark.parametrize("step", STEPS)
def test_the_outsider_gets_404_and_anonymous_401_on_every_step(client, kit, step):
    nc = ready_for(kit, step)
    before, count = snapshot(nc), ActivityEntry.objects.count()
    response = post(client, step_url(nc, step), payload_for(kit, step))
    assert response.status_code == 401
    login(client, kit.personas.outsider)
    assert post(client, step_url(nc, step), payload_for(kit, step)).status_code == 404
    nc.refresh_from_db()
    assert snapshot(nc) == before
    assert ActivityEntry.objects.count() == count


@pytest.mark.parametrize("step", STEPS)
def test_a_step_from_the_wrong_state_is_a_409_with_its_code(client, kit, step):
    start = "closed" if step != "close" else "implemented"
    nc = make_nc(kit.org, start, owner=kit.owner)
    before, count = snapshot(nc), ActivityEntry.objects.count()
    login(client, kit.personas.manager)
    response = post(client, step_url(nc, step), payload_for(kit, step))
    assert response.status_code == 409, response.content
    assert response.json()["code"] == f"cannot_{step}"
    assert response.json()["detail"].startswith(f"It is {start}")
    nc.refresh_from_db()
    assert snapshot(nc) == before
    assert ActivityEntry.objects.count() == count


def refused(client, nc, step: str, body: dict, user) -> dict:
    """Post a step that must be refused with 409; nothing may change."""
    before, count = snapshot(nc), ActivityEntry.objects.count()
    checks = EffectivenessCheck.objects.count()
    login(client, user)
    response = post(client, step_url(nc, step), body)
    assert response.status_code == 409, response.content
    nc.refresh_from_db()
    assert snapshot(nc) == before
    assert ActivityEntry.objects.count() == count
    assert EffectivenessCheck.objects.count() == checks
    return response.json()


def test_verify_is_refused_during_the_waiting_period(client, kit):
    nc = ready_for(kit, "verify")
    Nonconformity.objects.filter(pk=nc.pk).update(implemented_at=timezone.now())
    nc.refresh_from_db()
    auditor = kit.personas.users[Role.INTERNAL_AUDITOR]
    problem = refused(client, nc, "verify", payload_for(kit, "verify"), auditor)
    assert problem["code"] == "cannot_verify"
    opens = timezone.localdate() + dt.timedelta(days=14)
    assert f"runs until {opens}" in problem["detail"]


def test_verify_is_refused_to_a_verifier_who_owns_an_action(client, kit):
    auditor = kit.personas.users[Role.INTERNAL_AUDITOR]
    nc = make_nc(kit.org, "implemented", owner=kit.owner)
    make_action(nc, auditor, status="implemented")
    problem = refused(client, nc, "verify", payload_for(kit, "verify"), auditor)
    assert problem["code"] == "cannot_verify"
    assert "someone else" in problem["detail"]


def test_verify_is_refused_to_a_verifier_who_carried_out_an_action(client, kit):
    consultant = kit.personas.users[Role.CONSULTANT]
    nc = make_nc(kit.org, "implemented", owner=kit.owner)
    make_action(nc, kit.owner, status="implemented", implemented_by=consultant)
    problem = refused(client, nc, "verify", payload_for(kit, "verify"), consultant)
    assert problem["code"] == "cannot_verify"


def test_plan_is_refused_without_a_corrective_action(client, kit):
    nc = make_nc(kit.org, "cause_analysed", owner=kit.owner)
    problem = refused(client, nc, "plan", payload_for(kit, "plan"), kit.owner)
    assert problem["code"] == "cannot_plan"
    assert problem["detail"].startswith("Add at least one corrective action")


def test_implement_is_refused_while_an_action_is_planned(client, kit):
    nc = make_nc(kit.org, "action_planned", owner=kit.owner)
    make_action(nc, kit.owner, status="implemented", index=1)
    make_action(nc, kit.owner, title="Train the stores", index=2)
    problem = refused(client, nc, "implement", {}, kit.owner)
    assert problem["code"] == "cannot_implement"
    assert problem["detail"] == "1 action(s) not implemented yet: Train the stores."


def test_an_audit_findings_nonconformity_is_not_dismissed(client, kit):
    from pdca.audits.models import Audit, Finding

    nc = make_nc(kit.org, "reported", source="internal_audit")
    audit = Audit.objects.create(
        organization=kit.org,
        reference="IA-01",
        title="Production audit",
        start_date=dt.date(2026, 3, 2),
        end_date=dt.date(2026, 3, 3),
    )
    Finding.objects.create(
        organization=kit.org,
        audit=audit,
        number=1,
        grade="minor",
        title="Gauge",
        evidence="Seen",
        statement="Expired",
        nonconformity=nc,
    )
    problem = refused(client, nc, "dismiss", payload_for(kit, "dismiss"), kit.personas.manager)
    assert problem["code"] == "cannot_dismiss"


def test_a_check_finding_the_actions_not_effective_opens_round_two(client, kit):
    nc = ready_for(kit, "verify")
    auditor = kit.personas.users[Role.INTERNAL_AUDITOR]
    login(client, auditor)
    body = {"effective": False, "notes": "Two expired gauges found.", "evidence": []}
    response = post(client, step_url(nc, "verify"), body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["round"]) == ("contained", 2)
    assert [(c["round"], c["effective"]) for c in data["checks"]] == [(1, False)]
    assert [s["name"] for s in data["steps"]] == ["analyse"]
    assert entries(nc, "verify", auditor).get().changes["round"] == [1, 2]


def test_the_employee_who_reported_it_sees_it_but_may_not_triage_it(client, kit):
    employee = kit.personas.employee
    nc = make_nc(kit.org, "reported", reported_by=employee)
    login(client, employee)
    assert client.get(workflow_url(nc)).status_code == 200
    response = post(client, step_url(nc, "triage"), payload_for(kit, "triage"))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


# --- 422: each step names its fields -------------------------------------------------------


def _foreign(kit: Kit, what: str) -> int:
    """The id of a row of organization B, which org A's steps must refuse."""
    other = kit.personas.other
    if what == "process":
        return Process.objects.create(organization=other, name="B", code="B").pk
    if what == "site":
        return Site.objects.create(organization=other, name="Depot B").pk
    return store_evidence(other, ("b.txt", b"other org"), actor=kit.personas.outsider).pk


def _yesterday(kit: Kit) -> str:
    return (timezone.localdate() - dt.timedelta(days=1)).isoformat()


def _no_such_requirement(kit: Kit) -> list[int]:
    return [Requirement.objects.order_by("-pk").first().pk + 1000]


#: (step, the change to its valid data (values may be callables of the kit), field named)
BAD_STEPS = [
    ("triage", {"severity": "critical"}, "severity"),
    ("triage", {"owner": None}, "owner"),
    ("triage", {"owner": lambda kit: kit.personas.outsider.pk}, "owner"),
    ("triage", {"process": None}, "process"),
    ("triage", {"process": lambda kit: _foreign(kit, "process")}, "process"),
    ("triage", {"site": lambda kit: _foreign(kit, "site")}, "site"),
    ("triage", {"requirements": []}, "requirements"),
    ("triage", {"requirements": _no_such_requirement}, "requirements"),
    ("triage", {"due_date": _yesterday}, "due_date"),
    ("triage", {"due_date": "2026-13-40"}, "due_date"),
    ("dismiss", {"reason": "  "}, "reason"),
    ("contain", {"correction": ""}, "correction"),
    ("contain", {"evidence": []}, "evidence"),
    ("contain", {"evidence": lambda kit: [_foreign(kit, "evidence")]}, "evidence"),
    ("analyse", {"method": None}, "method"),
    ("analyse", {"method": "guessing"}, "method"),
    ("analyse", {"whys": ["only one"]}, "whys"),
    ("analyse", {"method": "categories", "whys": [], "categories": ["luck"]}, "categories"),
    ("analyse", {"method": "categories", "whys": [], "categories": []}, "categories"),
    ("analyse", {"root_cause": ""}, "root_cause"),
    ("plan", {"effectiveness_criteria": ""}, "effectiveness_criteria"),
    ("verify", {"effective": None}, "effective"),
    ("verify", {"notes": ""}, "notes"),
    ("verify", {"evidence": lambda kit: [_foreign(kit, "evidence")]}, "evidence"),
    ("close", {"note": "a\x00b"}, "note"),
    ("implement", {"surprise": 1}, "surprise"),
]


@pytest.mark.parametrize(("step", "change", "field"), BAD_STEPS)
def test_bad_step_data_is_a_422_naming_the_field_and_writes_nothing(
    client, kit, step, change, field
):
    body = payload_for(kit, step)
    body.update({k: v(kit) if callable(v) else v for k, v in change.items()})
    nc = ready_for(kit, step)
    before, count = snapshot(nc), ActivityEntry.objects.count()
    login(client, kit.personas.manager)
    response = post(client, step_url(nc, step), body)
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in {e["field"] for e in response.json()["errors"]}, response.json()
    nc.refresh_from_db()
    assert snapshot(nc) == before
    assert ActivityEntry.objects.count() == count


# --- the workflow view --------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_workflow_view_answers_each_role(client, kit, role):
    nc = ready_for(kit, "verify")
    login(client, kit.personas.users[role])
    response = client.get(workflow_url(nc))
    if role in READERS:
        assert response.status_code == 200, response.content
        names = [(s["name"], s["allowed"]) for s in response.json()["steps"]]
        assert names == [("verify", role in VERIFIERS)]
    else:
        assert response.status_code == 404


def test_the_workflow_view_is_404_to_the_outsider_and_401_to_anonymous(client, kit):
    nc = make_nc(kit.org)
    assert client.get(workflow_url(nc)).status_code == 401
    login(client, kit.personas.outsider)
    assert client.get(workflow_url(nc)).status_code == 404


def test_the_workflow_view_shows_what_each_step_recorded(client, kit):
    manager = kit.personas.manager
    earlier = make_nc(kit.org, "closed", index=1, owner=kit.owner)
    nc = make_nc(
        kit.org,
        "implemented",
        index=2,
        owner=kit.owner,
        process=kit.process,
        whys=["Not recalled", "No list"],
        cause_method="five_whys",
        cause_categories=["method"],
        recurrence_of=earlier,
    )
    nc.requirements.set([kit.requirement])
    nc.correction_evidence.set([kit.evidence])
    first = make_action(nc, kit.owner, status="cancelled", round=1, index=1)
    done = make_action(nc, kit.owner, status="implemented", index=2)
    done.evidence.set([kit.evidence])
    login(client, manager)
    data = client.get(workflow_url(nc)).json()
    assert data["id"] == nc.pk
    assert (data["status"], data["round"], data["severity"]) == ("implemented", 1, "minor")
    assert (data["owner"], data["process"]) == (kit.owner.pk, kit.process.pk)
    assert data["requirements"] == [
        {"id": kit.requirement.pk, "standard": "iso9001-2015", "number": "8.7"}
    ]
    assert data["correction"] == "Gauge withdrawn."
    assert data["correction_evidence"] == [kit.evidence.pk]
    assert data["cause"] == {
        "method": "five_whys",
        "whys": ["Not recalled", "No list"],
        "categories": ["method"],
        "root_cause": "No recall list.",
    }
    assert data["effectiveness_criteria"] == "No expired gauge."
    assert data["dates"]["closed"] is None
    assert data["dates"]["implemented"] is not None
    implemented = timezone.localdate(nc.implemented_at)
    assert data["deadlines"]["check_opens_on"] == str(implemented + dt.timedelta(days=14))
    assert data["deadlines"]["due_date"] == str(nc.due_date)
    assert data["deadlines"]["pending"] is None
    assert data["recurrence_of"] == {
        "id": earlier.pk,
        "reference": "NC-0002",
        "title": earlier.title,
    }
    assert [(a["id"], a["status"]) for a in data["actions"]] == [
        (first.pk, "cancelled"),
        (done.pk, "implemented"),
    ]
    assert data["actions"][1]["evidence"] == [kit.evidence.pk]
    assert data["checks"] == []
    assert data["steps"] == [
        {"name": "verify", "label": "Check effectiveness", "allowed": True, "reason": ""}
    ]


def test_the_workflow_view_shows_a_certification_findings_pending_deadline(client, kit):
    nc = make_nc(
        kit.org,
        "contained",
        owner=kit.owner,
        source="certification_audit",
        response_due=dt.date(2026, 4, 2),
        closure_due=dt.date(2026, 6, 1),
    )
    login(client, kit.personas.manager)
    deadlines = client.get(workflow_url(nc)).json()["deadlines"]
    assert deadlines["pending"] == {
        "what": "Correction, cause and action plan",
        "date": "2026-04-02",
    }
    assert (deadlines["response_due"], deadlines["closure_due"]) == ("2026-04-02", "2026-06-01")


def test_the_workflow_view_costs_the_same_queries_with_2_and_12_actions(client, kit):
    nc = make_nc(kit.org, "action_planned", owner=kit.owner)
    login(client, kit.personas.manager)
    for i in range(2):
        make_action(nc, kit.owner, index=i).evidence.set([kit.evidence])
    small, response = count_queries(lambda: client.get(workflow_url(nc)))
    assert len(response.json()["actions"]) == 2
    for i in range(2, 12):
        make_action(nc, kit.owner, index=i).evidence.set([kit.evidence])
    large, response = count_queries(lambda: client.get(workflow_url(nc)))
    assert len(response.json()["actions"]) == 12
    assert large == small


def test_openapi_documents_each_steps_own_body():
    from pdca.api import api

    paths = api.get_openapi_schema()["paths"]
    bodies = {}
    for path, operations in paths.items():
        if "/steps/" in path:
            body = operations["post"]["requestBody"]
            schema = body["content"]["application/json"]["schema"]
            ref = schema.get("$ref") or schema["anyOf"][0]["$ref"]
            bodies[path.split("/")[-2]] = (ref.rsplit("/", 1)[1], body.get("required"))
    assert bodies == {
        "triage": ("TriageIn", True),
        "dismiss": ("DismissIn", True),
        "contain": ("ContainIn", True),
        "analyse": ("AnalyseIn", True),
        "plan": ("PlanIn", True),
        "implement": ("ImplementIn", False),
        "verify": ("VerifyIn", True),
        "close": ("CloseIn", False),
    }
