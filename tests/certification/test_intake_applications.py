"""Applications and their contract review (services): every field rule naming its field, the
reference numbered, drafts only changed, every move of the workflow and every refusal, and
the review's automatic checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pdca.certification.models import Application, AuditTimeCalculation
from pdca.certification.services.applications import (
    create_application,
    review_checks,
    transition_application,
    update_application,
)
from pdca.certification.services.audit_time import calculate_application_time
from pdca.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import Role
from pdca.standards.models import Standard
from tests.certification.factories import (
    TODAY,
    make_application,
    make_cb_personas,
    make_client,
    make_scope,
    make_site,
    standards,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def personas(db):
    return make_cb_personas()


@pytest.fixture
def manager(personas):
    return personas.users[Role.CB_MANAGER]


@pytest.fixture
def client_obj(personas):
    return make_client(personas.cb)


def fields(client_obj, **values):
    data = {
        "client": client_obj,
        "standards": standards(["iso9001-2015"]),
        "scope": "Design and manufacture of pumps",
        "sector_codes": "18; 19 ,18",
        "permanent_personnel": 40,
    }
    data.update(values)
    return data


def test_a_draft_is_written_with_a_numbered_reference(personas, manager, client_obj):
    first = create_application(personas.cb, actor=manager, **fields(client_obj))
    second = create_application(personas.cb, actor=manager, **fields(client_obj))
    year = TODAY.year
    assert (first.reference, second.reference) == (f"APP-{year}-001", f"APP-{year}-002")
    assert first.status == Application.Status.DRAFT
    assert first.sector_codes == "18, 19"
    assert [s.code for s in first.standards.all()] == ["iso9001-2015"]
    entry = ActivityEntry.objects.get(
        object_type="certification.application", object_id=str(first.pk)
    )
    assert entry.action == "create" and entry.changes["standards"][1] == [
        standards(["iso9001-2015"])[0].pk
    ]


def _not_catalog():
    return Standard.objects.create(
        code="own-framework",
        name="Own",
        title="Own framework",
        edition="1",
        discipline="other",
        structure="hs",
    )


CASES = [
    ({"standards": []}, "standards"),
    ({"standards": "own"}, "standards"),
    ({"client": None}, "client"),
    ({"permanent_personnel": 0}, "permanent_personnel"),
    ({"part_time_hours": Decimal("20")}, "part_time_persons"),
    ({"part_time_persons": 3}, "part_time_hours"),
    ({"full_time_hours": Decimal("0")}, "full_time_hours"),
    ({"repetitive_persons": 5}, "repetitive_justification"),
    ({"repetitive_persons": 40, "repetitive_justification": "Packing"}, "repetitive_persons"),
    ({"identical_activities": [{"name": "Call centre", "persons": 10}]}, "identical_activities"),
    (
        {
            "standards": "isms",
            "identical_activities": [{"name": "Call centre", "persons": 0}],
        },
        "identical_activities[0].persons",
    ),
    (
        {"standards": "isms", "identical_activities": [{"name": " ", "persons": 3}]},
        "identical_activities[0].name",
    ),
    (
        {"standards": "isms", "identical_activities": [{"name": "Agents", "persons": 400}]},
        "identical_activities",
    ),
    ({"off_site_share": Decimal("0.25")}, "off_site_share"),
    ({"off_site_share": Decimal("-0.01")}, "off_site_share"),
    ({"standards": "ems"}, "complexity"),
    ({"standards": "ohsms", "complexity": "limited"}, "complexity"),
    ({"complexity": "high"}, "complexity"),
    ({"integration_reduction": Decimal("10")}, "integration_reduction"),
    (
        {"standards": "qms+ems", "complexity": "low", "integration_reduction": Decimal("21")},
        "integration_reduction",
    ),
    (
        {"standards": "qms+ems", "complexity": "low", "integration_reduction": Decimal("10")},
        "integration_notes",
    ),
    ({"consultancy_received": True, "consultancy_until": TODAY}, "consultancy_by"),
    ({"consultancy_received": True, "consultancy_by": "Acme Consulting"}, "consultancy_until"),
    ({"consultancy_by": "Acme Consulting"}, "consultancy_received"),
    ({"kind": "merger"}, "kind"),
    ({"scope": ""}, "scope"),
    ({"colour": "red"}, "colour"),
]
SETS = {
    "isms": ["iso27001-2022"],
    "ems": ["iso14001-2015"],
    "ohsms": ["iso45001-2018"],
    "qms+ems": ["iso9001-2015", "iso14001-2015"],
}


@pytest.mark.parametrize(("values", "field"), CASES)
def test_each_rule_names_its_field_and_writes_nothing(personas, manager, client_obj, values, field):
    values = dict(values)
    if values.get("standards") == "own":
        values["standards"] = [_not_catalog()]
    elif isinstance(values.get("standards"), str):
        values["standards"] = standards(SETS[values["standards"]])
    entries = ActivityEntry.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        create_application(personas.cb, actor=manager, **fields(client_obj, **values))
    assert field in {e.field for e in caught.value.errors}, caught.value.errors
    assert not Application.objects.exists()
    assert ActivityEntry.objects.count() == entries


def test_sites_must_belong_to_the_client(personas, manager, client_obj):
    other_client = make_client(personas.cb, 2)
    own = make_site(client_obj, "HQ", is_central=True)
    theirs = make_site(other_client, "Depot")
    with pytest.raises(ValidationFailed) as caught:
        create_application(personas.cb, actor=manager, **fields(client_obj, sites=[own, theirs]))
    assert caught.value.errors[0].field == "sites"
    assert "Depot" in caught.value.errors[0].message
    made = create_application(personas.cb, actor=manager, **fields(client_obj, sites=[own]))
    assert list(made.sites.all()) == [own]


def test_another_bodys_client_and_a_duplicate_reference_are_refused(personas, manager, client_obj):
    foreign = make_client(personas.other)
    with pytest.raises(ValidationFailed) as caught:
        create_application(personas.cb, actor=manager, **fields(foreign))
    assert caught.value.errors[0].field == "client"
    create_application(personas.cb, actor=manager, **fields(client_obj, reference="APP-X"))
    with pytest.raises(ValidationFailed) as caught:
        create_application(personas.cb, actor=manager, **fields(client_obj, reference="APP-X"))
    assert caught.value.errors[0].field == "reference"


def test_valid_combinations_pass(personas, manager, client_obj):
    made = create_application(
        personas.cb,
        actor=manager,
        **fields(
            client_obj,
            standards=standards(["iso9001-2015", "iso14001-2015", "iso27001-2022"]),
            complexity="medium",
            integration_reduction=Decimal("15"),
            integration_notes="One management review, one internal audit programme",
            identical_activities=[{"name": "Support desk", "persons": 20}],
            part_time_persons=4,
            part_time_hours=Decimal("80"),
            off_site_share=Decimal("0.2"),
            consultancy_received=True,
            consultancy_by="Bright Path",
            consultancy_until=TODAY - dt.timedelta(days=30),
            repetitive_persons=5,
            repetitive_justification="Packing line",
        ),
    )
    assert made.integration_reduction == Decimal("15")


def test_only_managers_write_applications(personas, client_obj):
    for role in (Role.AUDITOR, Role.LEAD_AUDITOR, Role.CERTIFICATION_DECISION_MAKER, Role.ADMIN):
        with pytest.raises(PermissionDenied):
            create_application(personas.cb, actor=personas.users[role], **fields(client_obj))
    assert not Application.objects.exists()


def test_an_implementer_cannot_have_applications(personas, manager):
    from pdca.core.permissions import forget_memberships
    from pdca.tenancy.models import Membership

    # Even a body's manager role held in an implementing organization finds no applications.
    Membership.objects.create(organization=personas.org, user=manager, role=Role.CB_MANAGER)
    forget_memberships(manager)
    with pytest.raises(NotFound):
        create_application(personas.org, actor=manager, **fields(make_client(personas.org)))


def test_a_draft_changes_and_records_what_changed(personas, manager, client_obj):
    application = create_application(personas.cb, actor=manager, **fields(client_obj))
    update_application(
        application,
        actor=manager,
        standards=standards(["iso9001-2015", "iso45001-2018"]),
        complexity="high",
        scope="Pumps and valves",
    )
    application.refresh_from_db()
    assert application.scope == "Pumps and valves"
    entry = ActivityEntry.objects.get(action="update")
    assert set(entry.changes) >= {"scope", "complexity", "standards"}
    with pytest.raises(ValidationFailed) as caught:
        update_application(application, actor=manager, complexity="")
    assert caught.value.errors[0].field == "complexity"
    application.refresh_from_db()
    assert application.complexity == "high"


def test_only_a_draft_changes(personas, manager, client_obj):
    application = create_application(personas.cb, actor=manager, **fields(client_obj))
    transition_application(application, "submitted", actor=manager)
    with pytest.raises(Conflict) as caught:
        update_application(application, actor=manager, scope="Other")
    assert caught.value.code == "application_not_draft"


def _calculate(application, manager):
    return calculate_application_time(application, actor=manager)


def test_the_whole_workflow_records_the_review(personas, manager, client_obj):
    application = create_application(personas.cb, actor=manager, **fields(client_obj))
    transition_application(application, "submitted", actor=manager)
    assert application.submitted_at is not None
    with pytest.raises(Conflict) as caught:
        transition_application(application, "accepted", actor=manager)
    assert "audit time" in caught.value.message and "ISO 9001:2015" in caught.value.message
    _calculate(application, manager)
    transition_application(application, "accepted", actor=manager, notes="All checks pass")
    application.refresh_from_db()
    assert application.status == "accepted"
    assert application.reviewed_by == manager and application.reviewed_at is not None
    assert application.review_notes == "All checks pass"
    assert application.decline_reasons == []
    actions = list(
        ActivityEntry.objects.filter(object_type="certification.application")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "submit", "accept"]
    with pytest.raises(Conflict):
        transition_application(application, "withdrawn", actor=manager)


def test_declining_needs_a_reason(personas, manager, client_obj):
    application = create_application(personas.cb, actor=manager, **fields(client_obj))
    transition_application(application, "submitted", actor=manager)
    for reasons, notes, field in (
        ([], "", "reasons"),
        (["bribery"], "", "reasons"),
        (["other"], "", "notes"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            transition_application(
                application, "declined", actor=manager, reasons=reasons, notes=notes
            )
        assert caught.value.errors[0].field == field
        application.refresh_from_db()
        assert application.status == "submitted"
    transition_application(
        application,
        "declined",
        actor=manager,
        reasons=["no_accredited_scope", "no_accredited_scope", "impartiality_threat"],
        notes="Consultant too close",
    )
    application.refresh_from_db()
    assert application.decline_reasons == ["no_accredited_scope", "impartiality_threat"]
    assert application.status == "declined"


@pytest.mark.parametrize(
    ("start", "to", "ok"),
    [
        ("draft", "submitted", True),
        ("draft", "withdrawn", True),
        ("submitted", "withdrawn", True),
        ("draft", "accepted", False),
        ("draft", "declined", False),
        ("submitted", "draft", False),
        ("accepted", "declined", False),
        ("declined", "submitted", False),
        ("withdrawn", "draft", False),
        ("draft", "archived", False),
    ],
)
def test_every_move(personas, manager, client_obj, start, to, ok):
    application = make_application(personas.cb, client_obj, status=start)
    if ok:
        transition_application(application, to, actor=manager)
        application.refresh_from_db()
        assert application.status == to
    else:
        with pytest.raises(Conflict) as caught:
            transition_application(application, to, actor=manager)
        assert caught.value.code == "invalid_transition"
        application.refresh_from_db()
        assert application.status == start


def test_submitting_checks_the_fields_again(personas, manager, client_obj):
    application = make_application(personas.cb, client_obj, ["iso14001-2015"])  # no complexity
    with pytest.raises(ValidationFailed) as caught:
        transition_application(application, "submitted", actor=manager)
    assert caught.value.errors[0].field == "complexity"
    application.refresh_from_db()
    assert application.status == "draft"


def test_reasons_only_go_with_a_decline(personas, manager, client_obj):
    application = make_application(personas.cb, client_obj)
    with pytest.raises(ValidationFailed):
        transition_application(application, "submitted", actor=manager, reasons=["other"])


def test_an_auditor_may_not_review(personas, manager, client_obj):
    application = make_application(personas.cb, client_obj, status="submitted")
    with pytest.raises(PermissionDenied):
        transition_application(
            application,
            "declined",
            actor=personas.users[Role.AUDITOR],
            reasons=["other"],
            notes="x",
        )


def _qualify(cb, email_index, standard_code, kind="auditor", **extra):
    from pdca.accounts.models import User
    from pdca.people.models import Qualification
    from pdca.tenancy.models import Membership

    user = User.objects.create_user(f"q{email_index}@cb.example", "x" * 20)
    Membership.objects.create(organization=cb, user=user, role=Role.AUDITOR)
    return Qualification.objects.create(
        organization=cb,
        person=user,
        kind=kind,
        standard=standards([standard_code])[0],
        granted_on=TODAY - dt.timedelta(days=10),
        **extra,
    )


def test_review_checks(personas, manager, client_obj):
    from pdca.certification.models import ConflictOfInterest

    application = make_application(
        personas.cb,
        client_obj,
        ["iso9001-2015", "iso14001-2015"],
        complexity="low",
        sector_codes="17, 28",
        consultancy_received=True,
        consultancy_by="Bright Path",
        consultancy_until=TODAY - dt.timedelta(days=400),
    )
    make_scope(personas.cb, "iso9001-2015", sector_codes="17")
    _qualify(personas.cb, 1, "iso9001-2015")
    _qualify(personas.cb, 2, "iso9001-2015", kind="lead_auditor")
    _qualify(personas.cb, 3, "iso9001-2015", status="suspended")
    _qualify(personas.cb, 4, "iso9001-2015", expires_on=TODAY - dt.timedelta(days=1))
    _qualify(personas.cb, 5, "iso14001-2015", kind="technical_expert")
    ConflictOfInterest.objects.create(
        organization=personas.cb,
        person=manager,
        client=client_obj,
        kind="relationship",
        declared_on=TODAY,
    )
    calculate_application_time(application, actor=manager)
    checks = review_checks(application)
    data = checks.to_dict()
    assert data["accreditation"]["accredited"] is False
    assert set(data["accreditation"]["missing"]) == {"ISO 9001:2015, sector 28", "ISO 14001:2015"}
    assert {s["standard"]: s["competent_auditors"] for s in data["standards"]} == {
        "iso9001-2015": 2,
        "iso14001-2015": 0,
    }
    assert data["audit_time_complete"] is True
    assert all(s["initial_days"] for s in data["standards"])
    assert data["consultancy_threat"] is True
    assert "Bright Path" in data["consultancy"] and "impartiality threat" in data["consultancy"]
    assert data["declared_conflicts"] == 1
    assert data["suggested_reasons"] == [
        "no_accredited_scope",
        "no_competent_auditors",
        "impartiality_threat",
    ]


def test_consultancy_more_than_two_years_ago_is_no_threat(personas, client_obj):
    application = make_application(
        personas.cb,
        client_obj,
        consultancy_received=True,
        consultancy_by="Old Partner",
        consultancy_until=TODAY - dt.timedelta(days=2 * 366 + 1),
    )
    checks = review_checks(application)
    assert checks.consultancy_threat is False
    assert "more than 2 years ago" in checks.consultancy_text
    assert review_checks(make_application(personas.cb, client_obj)).consultancy_text == (
        "No consultancy declared."
    )


def test_review_checks_take_the_same_queries_for_more_standards(personas, client_obj):
    from pdca.core.testing.queries import count_queries

    one = make_application(personas.cb, client_obj, ["iso9001-2015"])
    many = make_application(
        personas.cb,
        client_obj,
        ["iso9001-2015", "iso14001-2015", "iso45001-2018", "iso27001-2022"],
        complexity="low",
    )
    n_one, _ = count_queries(lambda: review_checks(one))
    n_many, _ = count_queries(lambda: review_checks(many))
    assert n_one == n_many
    assert AuditTimeCalculation.objects.count() == 0
