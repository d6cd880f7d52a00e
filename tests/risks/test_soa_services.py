"""Statement of Applicability rules: one line per Annex A control, decisions with their
justification, completeness, approval into a frozen and hashed version, sync and deletion.

The factories at the top are shared by the other tests/risks/test_soa_*.py modules.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from django.utils import timezone

from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.risks.models import ControlApplicability, Risk, SoaVersion, StatementOfApplicability
from pdca.risks.soa import services
from pdca.standards.models import Requirement, Standard
from pdca.system.permissions import IMPLEMENTERS

ISMS = "iso27001-2022"
AIMS = "iso42001-2023"
#: Standards in the order the factories use them (one SoA per organization and standard).
ORDER = [
    ISMS,
    AIMS,
    "iso9001-2015",
    "iso14001-2015",
    "iso45001-2018",
    "iso22000-2018",
    "iso22301-2019",
]

pytestmark = pytest.mark.usefixtures("catalog")


# --- factories (direct inserts: the services are what the tests exercise) -------------------


def standard(code: str = ISMS) -> Standard:
    return Standard.objects.get(code=code)


def controls(code: str = ISMS) -> list[Requirement]:
    return list(
        Requirement.objects.filter(standard__code=code, kind="control", retired=False).order_by(
            "sort_key"
        )
    )


def make_soa(org, index: int = 0, code: str | None = None, **fields) -> StatementOfApplicability:
    """An SoA without lines (index picks the standard, one per organization)."""
    code = code or ORDER[index]
    found = StatementOfApplicability.objects.filter(organization=org, standard__code=code).first()
    return found or StatementOfApplicability.objects.create(
        organization=org, standard=standard(code), title=f"SoA {code}", **fields
    )


def make_line(org, index: int = 0, **fields) -> ControlApplicability:
    """The line of the index-th 27001 control in the organization's 27001 SoA."""
    soa = make_soa(org)
    return ControlApplicability.objects.create(
        organization=org, soa=soa, control=controls()[index], **fields
    )


def make_version(org, index: int = 0) -> SoaVersion:
    from pdca.tenancy.models import Membership

    soa = make_soa(org)
    approver = Membership.objects.filter(organization=org).order_by("pk").first().user
    lines = [
        {
            "control": "A.5.1",
            "title": "Policies for information security",
            "group": "A.5 Organizational controls",
            "applicable": True,
            "justification": "Every security rule starts from the policy.",
            "implementation": "implemented",
            "owner": None,
            "risks": [],
            "notes": "",
        }
    ]
    return SoaVersion.objects.create(
        organization=org,
        soa=soa,
        number=index + 1,
        approved_by=approver,
        approved_at=timezone.now(),
        lines=lines,
        sha256=services.lines_hash(lines),
    )


def make_risk(org, code: str = "R-001", **fields) -> Risk:
    return Risk.objects.create(organization=org, code=code, title=f"Risk {code}", **fields)


def decide_all(soa: StatementOfApplicability, applicable: bool = True) -> None:
    """Every line decided and justified (a direct update: setup, not the rule under test)."""
    soa.lines.update(applicable=applicable, justification="Chosen after the risk assessment.")


def entries(obj, action: str) -> int:
    from pdca.core.activity import object_label

    return ActivityEntry.objects.filter(
        object_type=object_label(obj), object_id=str(obj.pk), action=action
    ).count()


@pytest.fixture
def soa(personas) -> StatementOfApplicability:
    return services.create_soa(personas.org, standard(), actor=personas.manager)


# --- creating -----------------------------------------------------------------------------


def test_a_27001_soa_has_one_undecided_line_per_control_in_catalog_order(personas):
    soa = services.create_soa(personas.org, standard(), actor=personas.manager)
    lines = list(soa.lines.order_by("control__sort_key").select_related("control"))
    assert len(lines) == 93
    assert [line.control.number for line in lines[:3]] == ["A.5.1", "A.5.2", "A.5.3"]
    assert lines[-1].control.number == "A.8.34"
    assert {(line.applicable, line.justification, line.implementation) for line in lines} == {
        (None, "", "not_started")
    }
    assert soa.title == "Statement of Applicability, ISO/IEC 27001:2022"
    assert entries(soa, "create") == 1


def test_a_42001_soa_has_38_lines(personas):
    soa = services.create_soa(personas.org, standard(AIMS), actor=personas.manager, title="AI SoA")
    assert soa.lines.count() == 38
    assert soa.title == "AI SoA"


def test_a_standard_without_annex_a_is_refused_naming_standard(personas):
    with pytest.raises(ValidationFailed) as caught:
        services.create_soa(personas.org, standard("iso9001-2015"), actor=personas.manager)
    assert [e.field for e in caught.value.errors] == ["standard"]
    assert "has no Annex A controls" in caught.value.errors[0].message
    assert not StatementOfApplicability.objects.exists()
    assert not ControlApplicability.objects.exists()


def test_a_second_soa_for_the_same_standard_is_refused(personas, soa):
    with pytest.raises(ValidationFailed) as caught:
        services.create_soa(personas.org, standard(), actor=personas.manager)
    assert caught.value.errors[0].field == "standard"
    assert StatementOfApplicability.objects.count() == 1


def test_the_system_must_be_of_the_organization(personas):
    from pdca.system.models import ManagementSystem

    theirs = ManagementSystem.objects.create(organization=personas.other, name="B")
    with pytest.raises(ValidationFailed) as caught:
        services.create_soa(personas.org, standard(), actor=personas.manager, system=theirs)
    assert caught.value.errors[0].field == "system"
    assert not StatementOfApplicability.objects.exists()


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_only_implementers_create(personas, role):
    user = personas.users[role]
    if role in IMPLEMENTERS:
        assert services.create_soa(personas.org, standard(), actor=user).lines.count() == 93
    else:
        with pytest.raises(PermissionDenied):
            services.create_soa(personas.org, standard(), actor=user)
        assert not StatementOfApplicability.objects.exists()


# --- lines --------------------------------------------------------------------------------


def line_of(soa, number: str) -> ControlApplicability:
    return soa.lines.select_related("control").get(control__number=number)


def test_deciding_a_control_needs_a_justification(personas, soa):
    line = line_of(soa, "A.7.1")
    for applicable in (True, False):
        with pytest.raises(ValidationFailed) as caught:
            services.update_line(line, actor=personas.manager, applicable=applicable)
        assert [e.field for e in caught.value.errors] == ["justification"]
        assert [e.code for e in caught.value.errors] == ["required"]
    line.refresh_from_db()
    assert line.applicable is None
    assert entries(line, "update") == 0


def test_a_decision_with_its_justification_is_saved_and_recorded(personas, soa):
    line = line_of(soa, "A.7.1")
    services.update_line(
        line,
        actor=personas.manager,
        applicable=True,
        justification="  The plant has a perimeter to protect.  ",
        implementation="partial",
        owner=personas.users[Role.PROCESS_OWNER],
        notes="Fence repair planned",
    )
    line.refresh_from_db()
    assert (line.applicable, line.justification, line.implementation, line.notes) == (
        True,
        "The plant has a perimeter to protect.",
        "partial",
        "Fence repair planned",
    )
    assert line.owner == personas.users[Role.PROCESS_OWNER]
    entry = ActivityEntry.objects.get(object_id=str(line.pk), action="update")
    assert entry.changes["applicable"] == [None, True]
    assert entry.changes["implementation"] == ["not_started", "partial"]


def test_an_excluded_control_cannot_be_implemented(personas, soa):
    line = line_of(soa, "A.8.25")
    for status in ("implemented", "partial"):
        with pytest.raises(ValidationFailed) as caught:
            services.update_line(
                line,
                actor=personas.manager,
                applicable=False,
                justification="No software development.",
                implementation=status,
            )
        assert [e.field for e in caught.value.errors] == ["implementation"]
    services.update_line(
        line, actor=personas.manager, applicable=False, justification="No software development."
    )
    line.refresh_from_db()
    assert (line.applicable, line.implementation) == (False, "not_started")


def test_the_owner_must_be_a_member(personas, soa):
    line = line_of(soa, "A.5.1")
    with pytest.raises(ValidationFailed) as caught:
        services.update_line(line, actor=personas.manager, owner=personas.outsider)
    assert [e.field for e in caught.value.errors] == ["owner"]
    line.refresh_from_db()
    assert line.owner_id is None


def test_linked_risks_must_be_of_the_organization_and_are_recorded_by_code(personas, soa):
    line = line_of(soa, "A.5.1")
    mine, theirs = make_risk(personas.org, "R-001"), make_risk(personas.other, "R-900")
    with pytest.raises(ValidationFailed) as caught:
        services.update_line(line, actor=personas.manager, risks=[mine, theirs])
    assert [e.field for e in caught.value.errors] == ["risks"]
    assert list(line.risks.all()) == []
    services.update_line(line, actor=personas.manager, risks=[mine])
    assert list(line.risks.values_list("code", flat=True)) == ["R-001"]
    entry = ActivityEntry.objects.get(object_id=str(line.pk), action="update")
    assert entry.changes == {"risks": [[], ["R-001"]]}


def test_unknown_fields_are_refused(personas, soa):
    with pytest.raises(ValidationFailed) as caught:
        services.update_line(line_of(soa, "A.5.1"), actor=personas.manager, control=None)
    assert [e.field for e in caught.value.errors] == ["control"]


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_who_may_change_a_line(personas, soa, role):
    user = personas.users[role]
    line = line_of(soa, "A.6.3")
    change = {"applicable": True, "justification": "Everyone is trained."}
    if role in IMPLEMENTERS:
        services.update_line(line, actor=user, **change)
        line.refresh_from_db()
        assert line.applicable is True
    else:
        with pytest.raises(PermissionDenied):
            services.update_line(line, actor=user, **change)
        line.refresh_from_db()
        assert line.applicable is None


def test_a_process_owner_changes_own_lines_but_may_not_hand_them_over(personas, soa):
    owner = personas.users[Role.PROCESS_OWNER]
    line = line_of(soa, "A.7.4")
    ControlApplicability.objects.filter(pk=line.pk).update(owner=owner)
    line.refresh_from_db()
    services.update_line(line, actor=owner, implementation="planned", notes="Cameras ordered")
    line.refresh_from_db()
    assert (line.implementation, line.notes) == ("planned", "Cameras ordered")
    with pytest.raises(ValidationFailed) as caught:
        services.update_line(line, actor=owner, owner=personas.manager)
    assert [e.field for e in caught.value.errors] == ["owner"]
    line.refresh_from_db()
    assert line.owner == owner


def test_bulk_update_is_all_or_nothing_and_names_the_line(personas, soa):
    a, b = line_of(soa, "A.5.1"), line_of(soa, "A.5.2")
    with pytest.raises(ValidationFailed) as caught:
        services.bulk_update_lines(
            soa,
            [
                {"id": a.pk, "applicable": True, "justification": "Policy needed."},
                {"id": b.pk, "applicable": True},
                {"id": 999_999, "notes": "x"},
            ],
            actor=personas.manager,
        )
    assert [e.field for e in caught.value.errors] == ["lines.1.justification", "lines.2.id"]
    assert soa.lines.filter(applicable__isnull=False).count() == 0
    assert ActivityEntry.objects.filter(action="update").count() == 0
    changed = services.bulk_update_lines(
        soa,
        [
            {"id": a.pk, "applicable": True, "justification": "Policy needed."},
            {"id": b.pk, "applicable": True, "justification": "Roles needed."},
        ],
        actor=personas.manager,
    )
    assert [line.pk for line in changed] == [a.pk, b.pk]
    assert soa.lines.filter(applicable=True).count() == 2


# --- completeness and approval --------------------------------------------------------------


def test_completeness_counts(personas, soa):
    decide_all(soa)
    soa.lines.filter(control__number="A.8.25").update(applicable=False)
    soa.lines.filter(control__number="A.8.26").update(applicable=None, justification="")
    soa.lines.filter(control__number="A.8.27").update(justification="  ")
    soa.lines.filter(control__number__in=["A.5.1", "A.5.2"]).update(implementation="implemented")
    soa.lines.filter(control__number="A.8.34").delete()
    result = services.soa_completeness(soa)
    assert result.as_dict() == {
        "total": 92,
        "decided": 91,
        "justified": 90,
        "undecided": 1,
        "unjustified": 1,
        "applicable": 90,
        "excluded": 1,
        "implemented": 2,
        "missing": ["A.8.34"],
        "percent": 97,
        "complete": False,
        "problems": [
            "1 control(s) not yet decided (applicable or not)",
            "1 decided control(s) without a justification",
            "1 control(s) of the standard have no line (A.8.34): add them with sync",
        ],
    }


def test_approval_is_refused_while_incomplete_and_nothing_is_written(personas, soa):
    decide_all(soa)
    soa.lines.filter(control__number__in=["A.5.1", "A.5.2"]).update(applicable=None)
    soa.lines.filter(control__number="A.6.1").update(justification="")
    before = ActivityEntry.objects.count()
    with pytest.raises(Conflict) as caught:
        services.approve_soa(soa, actor=personas.manager)
    assert caught.value.code == "incomplete"
    assert caught.value.message == (
        "The SoA cannot be approved yet: 2 control(s) not yet decided (applicable or not); "
        "1 decided control(s) without a justification."
    )
    assert not SoaVersion.objects.exists()
    assert ActivityEntry.objects.count() == before


def test_approval_freezes_the_lines_with_a_stable_hash(personas, soa):
    decide_all(soa)
    risk = make_risk(personas.org, "R-007")
    line = line_of(soa, "A.5.1")
    line.risks.add(risk)
    ControlApplicability.objects.filter(pk=line.pk).update(
        owner=personas.manager, implementation="implemented"
    )
    ceo = personas.users[Role.TOP_MANAGEMENT]
    version = services.approve_soa(soa, actor=ceo, note="Management review 2026-01")
    assert (version.number, version.approved_by, version.note) == (
        1,
        ceo,
        "Management review 2026-01",
    )
    assert len(version.lines) == 93
    assert version.lines[0] == {
        "control": "A.5.1",
        "title": "Policies for information security",
        "group": "A.5 Organizational controls",
        "applicable": True,
        "justification": "Chosen after the risk assessment.",
        "implementation": "implemented",
        "owner": personas.manager.email,
        "risks": ["R-007"],
        "notes": "",
    }
    text = json.dumps(version.lines, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert version.sha256 == hashlib.sha256(text.encode()).hexdigest()
    version.refresh_from_db()  # read back from the database: the hash still matches
    assert services.version_intact(version)
    assert entries(soa, "approve") == 1

    # Later edits of the draft leave the version as it was.
    services.update_line(line, actor=personas.manager, justification="Changed after approval.")
    version.refresh_from_db()
    assert version.lines[0]["justification"] == "Chosen after the risk assessment."
    assert services.version_intact(version)
    assert services.changed_since(services.soa_lines(soa), version) == ["A.5.1"]

    second = services.approve_soa(soa, actor=personas.manager)
    assert second.number == 2
    assert second.sha256 != version.sha256


def test_a_tampered_version_no_longer_matches_its_hash(personas, soa):
    decide_all(soa)
    version = services.approve_soa(soa, actor=personas.manager)
    lines = version.lines
    lines[3]["applicable"] = False
    SoaVersion.objects.filter(pk=version.pk).update(lines=lines)
    version.refresh_from_db()
    assert not services.version_intact(version)


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_who_may_approve(personas, soa, role):
    decide_all(soa)
    user = personas.users[role]
    if role in IMPLEMENTERS | {Role.TOP_MANAGEMENT}:
        assert services.approve_soa(soa, actor=user).number == 1
    else:
        with pytest.raises(PermissionDenied):
            services.approve_soa(soa, actor=user)
        assert not SoaVersion.objects.exists()


def test_sync_adds_lines_for_missing_controls(personas, soa):
    soa.lines.filter(control__number__in=["A.8.33", "A.8.34"]).delete()
    assert services.missing_controls(soa) == ["A.8.33", "A.8.34"]
    added = services.sync_soa(soa, actor=personas.manager)
    assert [line.control.number for line in added] == ["A.8.33", "A.8.34"]
    assert soa.lines.count() == 93
    assert services.missing_controls(soa) == []
    assert services.sync_soa(soa, actor=personas.manager) == []
    assert entries(soa, "sync") == 1


def test_a_draft_is_deleted_but_an_approved_soa_is_kept(personas, soa):
    decide_all(soa)
    services.approve_soa(soa, actor=personas.manager)
    with pytest.raises(Conflict) as caught:
        services.delete_soa(soa, actor=personas.manager)
    assert caught.value.code == "has_versions"
    assert soa.lines.count() == 93
    draft = services.create_soa(personas.org, standard(AIMS), actor=personas.manager)
    pk = draft.pk
    services.delete_soa(draft, actor=personas.manager)
    assert not StatementOfApplicability.objects.filter(pk=pk).exists()
    assert not ControlApplicability.objects.filter(soa_id=pk).exists()
    assert (
        ActivityEntry.objects.filter(
            object_type="risks.statementofapplicability", object_id=str(pk), action="delete"
        ).count()
        == 1
    )


def test_line_filters(personas, soa):
    decide_all(soa)
    soa.lines.filter(control__number="A.8.25").update(applicable=False, notes="CNC only")
    soa.lines.filter(control__number="A.5.1").update(applicable=None, justification="")
    soa.lines.filter(control__number="A.5.2").update(justification="")
    soa.lines.filter(control__number="A.7.1").update(implementation="planned")

    def numbers(**query):
        filters = services.LineFilters.from_query(query)
        by_query = [line.control.number for line in filters.apply(services.soa_lines(soa))]
        in_memory = [line.control.number for line in services.soa_lines(soa) if filters.keep(line)]
        assert by_query == in_memory
        return by_query

    assert numbers(applicable="no") == ["A.8.25"]
    assert numbers(applicable="undecided") == ["A.5.1"]
    assert numbers(unjustified="1") == ["A.5.2"]
    assert numbers(implementation="planned") == ["A.7.1"]
    assert numbers(q="cnc") == ["A.8.25"]
    assert len(numbers(group="A.6")) == 8
    assert len(numbers(applicable="bogus")) == 93
