"""Checklist rules: generation for an integrated audit (a shared core requirement asked once,
tagged with each standard), exclusions, idempotence, custom questions, saved checklists,
evidence rules, and fieldwork closed once the report is issued."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.audits.fieldwork import checklists as services
from pdca.audits.models import Audit, ChecklistItem, EvidenceRecord, SavedChecklist
from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.documents.models import Document, DocumentVersion, EvidenceFile
from pdca.standards.models import Requirement, Standard
from pdca.system.models import Exclusion, ManagementSystem

pytestmark = pytest.mark.usefixtures("catalog")

QMS = "iso9001-2015"
EMS = "iso14001-2015"
from pdca.audits.permissions import AUDITORS  # noqa: E402

# Leaf clauses in the shipped catalogs: 65 of ISO 9001, 32 of ISO 14001, 12 core clauses
# shared by both (checked against the catalog below).
QMS_LEAVES, EMS_LEAVES, SHARED = 65, 32, 12


# --- helpers (the fieldwork page and API tests use them too) --------------------------------


def req(code: str, number: str) -> Requirement:
    return Requirement.objects.select_related("standard").get(standard__code=code, number=number)


def make_audit(org, index: int = 0, codes=(QMS,), **fields) -> Audit:
    """An audit inserted directly, of the standards `codes`."""
    audit = Audit.objects.create(
        organization=org,
        reference=f"IA-{index:03d}",
        title=fields.pop("title", f"Internal audit {index}"),
        start_date=fields.pop("start_date", dt.date(2026, 3, 2)),
        end_date=fields.pop("end_date", dt.date(2026, 3, 3)),
        **fields,
    )
    audit.standards.set(Standard.objects.filter(code__in=codes))
    return audit


def audit_of(org) -> Audit:
    """The one audit of `org` the bundles put their rows in."""
    return Audit.objects.filter(organization=org, reference="IA-000").first() or make_audit(org)


def make_item(org, index: int = 0, audit: Audit | None = None, **fields) -> ChecklistItem:
    return ChecklistItem.objects.create(
        organization=org,
        audit=audit or audit_of(org),
        question=fields.pop("question", f"Question {index} of {org.slug}?"),
        sort_key=fields.pop("sort_key", f"~custom|{index:04d}"),
        **fields,
    )


def make_evidence(org, index: int = 0, item: ChecklistItem | None = None, **fields):
    if item is None:
        item = ChecklistItem.objects.filter(audit=audit_of(org)).first() or make_item(org)
    return EvidenceRecord.objects.create(
        organization=org,
        item=item,
        kind=fields.pop("kind", EvidenceRecord.Kind.OBSERVATION),
        description=fields.pop("description", f"Seen {index} at {org.slug}"),
        **fields,
    )


def make_saved(org, index: int = 0, **fields) -> SavedChecklist:
    return SavedChecklist.objects.create(
        organization=org,
        name=fields.pop("name", f"Saved {index}"),
        items=fields.pop("items", [{"requirement": None, "question": f"Asked {index}?"}]),
        **fields,
    )


def make_version(org, author, code: str = "QP-001") -> DocumentVersion:
    document = Document.objects.create(organization=org, code=code, title=f"Procedure {code}")
    return DocumentVersion.objects.create(
        organization=org, document=document, number=1, content="Text", author=author
    )


def entries(obj, action: str):
    return ActivityEntry.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action
    )


# --- generation ---------------------------------------------------------------------------


def test_the_catalog_numbers_this_file_relies_on():
    def leaves(code):
        reqs = list(Requirement.objects.filter(standard__code=code, retired=False, kind="clause"))
        parents = {r.parent_id for r in reqs if r.parent_id}
        return [r for r in reqs if r.pk not in parents]

    qms, ems = leaves(QMS), leaves(EMS)
    assert (len(qms), len(ems)) == (QMS_LEAVES, EMS_LEAVES)
    shared = {r.core_id for r in qms if r.core_id} & {r.core_id for r in ems if r.core_id}
    assert len(shared) == SHARED


def test_an_integrated_audit_asks_a_shared_core_requirement_once(personas):
    audit = make_audit(personas.org, codes=(QMS, EMS))
    added = services.generate_checklist(audit, actor=personas.manager)
    assert added == QMS_LEAVES + EMS_LEAVES - SHARED == 85
    assert audit.checklist.count() == 85
    # 4.1 is one core clause: one item, covering both standards' 4.1.
    item = audit.checklist.get(covers=req(QMS, "4.1"))
    assert {(r.standard.code, r.number) for r in item.covers.select_related("standard")} == {
        (QMS, "4.1"),
        (EMS, "4.1"),
    }
    assert item.question.startswith("4.1 Understanding the organization and its context — ")
    assert item.question.endswith(req(QMS, "4.1").core.summary)
    # A 9001-only clause is asked on its own, in its own words.
    design = audit.checklist.get(covers=req(QMS, "8.3.1"))
    assert list(design.covers.all()) == [req(QMS, "8.3.1")]
    assert design.question.endswith(req(QMS, "8.3.1").summary)
    assert design.sort_key == f"{req(QMS, '8.3.1').sort_key}|ISO 9001"
    # Every leaf clause of both standards is covered exactly once.
    through = ChecklistItem.covers.through.objects.filter(checklistitem__audit=audit)
    assert through.count() == QMS_LEAVES + EMS_LEAVES
    entry = entries(audit, "generate_checklist").get()
    assert entry.actor == personas.manager


def test_generation_is_idempotent_and_adds_only_what_is_missing(personas):
    audit = make_audit(personas.org, codes=(QMS,))
    assert services.generate_checklist(audit, actor=personas.manager) == QMS_LEAVES
    assert services.generate_checklist(audit, actor=personas.manager) == 0
    assert audit.checklist.count() == QMS_LEAVES
    assert entries(audit, "generate_checklist").count() == 1
    # Adding 14001 later: shared clauses join the existing items, the rest are new.
    audit.standards.add(Standard.objects.get(code=EMS))
    assert services.generate_checklist(audit, actor=personas.manager) == EMS_LEAVES - SHARED
    assert audit.checklist.count() == 85
    item = audit.checklist.get(covers=req(QMS, "4.1"))
    assert item.covers.count() == 2


def test_excluded_requirements_are_skipped(personas):
    system = ManagementSystem.objects.create(organization=personas.org, name="IMS")
    Exclusion.objects.create(
        organization=personas.org,
        system=system,
        requirement=req(QMS, "8.3"),
        justification="No design",
    )
    audit = make_audit(personas.org, codes=(QMS,))
    assert services.generate_checklist(audit, actor=personas.manager) == QMS_LEAVES - 6
    assert not audit.checklist.filter(covers__number__startswith="8.3.").exists()


def test_requirements_named_in_scope_are_expanded_to_their_leaves(personas):
    audit = make_audit(personas.org, codes=(QMS, "iso27001-2022"))
    audit.requirements.set([req(QMS, "7.1"), req("iso27001-2022", "A.5.1")])
    assert services.generate_checklist(audit, actor=personas.manager) == 8
    numbers = sorted(audit.checklist.values_list("requirement__number", flat=True))
    assert numbers == [
        "7.1.1",
        "7.1.2",
        "7.1.3",
        "7.1.4",
        "7.1.5.1",
        "7.1.5.2",
        "7.1.6",
        "A.5.1",
    ]
    other = make_audit(personas.org, index=1, codes=(QMS,))
    other.requirements.set([req(QMS, "7.1")])
    assert services.generate_checklist(other, actor=personas.manager, include_children=False) == 1


def test_controls_are_asked_only_when_named_in_scope(personas):
    audit = make_audit(personas.org, codes=("iso27001-2022",))
    services.generate_checklist(audit, actor=personas.manager)
    assert not audit.checklist.filter(requirement__kind=Requirement.Kind.CONTROL).exists()
    assert audit.checklist.exists()


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_only_auditors_generate(personas, role):
    audit = make_audit(personas.org)
    user = personas.users[role]
    if role in AUDITORS:
        assert services.generate_checklist(audit, actor=user) == QMS_LEAVES
    else:
        with pytest.raises(PermissionDenied):
            services.generate_checklist(audit, actor=user)
        assert not audit.checklist.exists()


def test_the_outsider_cannot_generate(personas):
    audit = make_audit(personas.org)
    with pytest.raises(PermissionDenied):
        services.generate_checklist(audit, actor=personas.outsider)
    assert not audit.checklist.exists()


# --- custom questions and answers ---------------------------------------------------------


def test_custom_questions_sort_after_requirements(personas):
    audit = make_audit(personas.org)
    services.generate_checklist(audit, actor=personas.manager)
    item = services.add_custom_question(
        audit, actor=personas.manager, question="  Is the canteen clean?  "
    )
    assert item.question == "Is the canteen clean?"
    assert item.requirement is None and not item.covers.exists()
    assert list(audit.checklist.all())[-1] == item
    tied = services.add_custom_question(
        audit,
        actor=personas.manager,
        question="Calibration labels?",
        requirement=req(QMS, "7.1.5.2"),
    )
    assert list(tied.covers.all()) == [req(QMS, "7.1.5.2")]
    assert entries(item, "create").get().actor == personas.manager


def test_an_empty_question_is_refused(personas):
    audit = make_audit(personas.org)
    with pytest.raises(ValidationFailed) as caught:
        services.add_custom_question(audit, actor=personas.manager, question="   ")
    assert [e.field for e in caught.value.errors] == ["question"]
    assert not audit.checklist.exists()


def test_answering_an_item_records_the_auditor(personas):
    item = make_item(personas.org)
    auditor = personas.users[Role.INTERNAL_AUDITOR]
    services.update_item(item, actor=auditor, result="nonconformity", notes="No records")
    item.refresh_from_db()
    assert (item.result, item.notes, item.auditor) == ("nonconformity", "No records", auditor)
    assert entries(item, "update").get().changes["result"] == ["", "nonconformity"]


def test_a_bad_result_is_refused(personas):
    item = make_item(personas.org)
    with pytest.raises(ValidationFailed) as caught:
        services.update_item(item, actor=personas.manager, result="maybe")
    assert [e.field for e in caught.value.errors] == ["result"]
    item.refresh_from_db()
    assert item.result == ""


@pytest.mark.parametrize("status", [Audit.Status.REPORT_ISSUED, Audit.Status.CLOSED])
def test_fieldwork_is_closed_once_the_report_is_issued(personas, status):
    audit = make_audit(personas.org)
    item = make_item(personas.org, audit=audit)
    record = make_evidence(personas.org, item=item)
    saved = make_saved(personas.org)
    Audit.objects.filter(pk=audit.pk).update(status=status)
    audit.refresh_from_db()
    item.audit = audit
    record.item = item
    before = ActivityEntry.objects.count()
    calls = [
        lambda: services.generate_checklist(audit, actor=personas.manager),
        lambda: services.add_custom_question(audit, actor=personas.manager, question="More?"),
        lambda: services.update_item(item, actor=personas.manager, result="conforming"),
        lambda: services.delete_item(item, actor=personas.manager),
        lambda: services.add_evidence(
            item, actor=personas.manager, kind="observation", description="Late"
        ),
        lambda: services.delete_evidence(record, actor=personas.manager),
        lambda: services.apply_saved_checklist(audit, saved, actor=personas.manager),
    ]
    for call in calls:
        with pytest.raises(Conflict) as caught:
            call()
        assert caught.value.code == "fieldwork_closed"
    assert audit.checklist.count() == 1
    assert EvidenceRecord.objects.filter(pk=record.pk).exists()
    item.refresh_from_db()
    assert item.result == ""
    assert ActivityEntry.objects.count() == before


# --- evidence -----------------------------------------------------------------------------


def test_evidence_of_each_kind(personas):
    item = make_item(personas.org)
    version = make_version(personas.org, personas.manager)
    actor = personas.users[Role.INTERNAL_AUDITOR]
    doc = services.add_evidence(
        item, actor=actor, kind="document", description="Procedure read", document_version=version
    )
    talk = services.add_evidence(
        item, actor=actor, kind="interview", description="Asked", interviewee="Store keeper"
    )
    sample = services.add_evidence(
        item, actor=actor, kind="record", description="Receipts", sample_size=5
    )
    assert doc.document_version == version and doc.recorded_by == actor
    assert talk.interviewee == "Store keeper"
    assert sample.sample_size == 5
    assert item.evidence.count() == 3
    assert entries(sample, "create").get().actor == actor


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "document", "description": "Read"}, "document_version"),
        ({"kind": "record", "description": "Receipts"}, "sample_size"),
        ({"kind": "record", "description": "Receipts", "sample_size": 0}, "sample_size"),
        ({"kind": "interview", "description": "Asked"}, "interviewee"),
        ({"kind": "observation", "description": "  "}, "description"),
        ({"kind": "rumour", "description": "Heard"}, "kind"),
    ],
)
def test_evidence_rules(personas, fields, field):
    item = make_item(personas.org)
    before = ActivityEntry.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        services.add_evidence(item, actor=personas.manager, **fields)
    assert field in [e.field for e in caught.value.errors]
    assert not item.evidence.exists()
    assert ActivityEntry.objects.count() == before


def test_a_document_version_of_another_organization_is_refused(personas):
    item = make_item(personas.org)
    theirs = make_version(personas.other, personas.outsider)
    with pytest.raises(ValidationFailed) as caught:
        services.add_evidence(
            item,
            actor=personas.manager,
            kind="document",
            description="Read",
            document_version=theirs,
        )
    assert [e.field for e in caught.value.errors] == ["document_version"]
    assert not item.evidence.exists()


def test_an_upload_goes_to_the_evidence_store(personas):
    item = make_item(personas.org)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    record = services.add_evidence(
        item,
        actor=personas.manager,
        kind="observation",
        description="Photo of the gauge",
        upload=("gauge.png", png),
    )
    stored = EvidenceFile.objects.get(pk=record.file_id)
    assert stored.organization == personas.org
    assert stored.size == len(png)


def test_deleting_evidence(personas):
    record = make_evidence(personas.org)
    with pytest.raises(PermissionDenied):
        services.delete_evidence(record, actor=personas.users[Role.TOP_MANAGEMENT])
    pk = record.pk
    services.delete_evidence(record, actor=personas.manager)
    assert not EvidenceRecord.objects.filter(pk=pk).exists()
    assert ActivityEntry.objects.filter(
        object_type="audits.evidencerecord", object_id=str(pk), action="delete"
    ).exists()


# --- saved checklists ---------------------------------------------------------------------


def test_save_and_apply_a_checklist(personas):
    first = make_audit(personas.org, codes=(QMS,))
    first.requirements.set([req(QMS, "7.2"), req(QMS, "7.3")])
    services.generate_checklist(first, actor=personas.manager)
    services.add_custom_question(first, actor=personas.manager, question="Fire exits clear?")
    saved = services.save_checklist(first, "Competence walk", actor=personas.manager)
    assert saved.items == [
        {"requirement": req(QMS, "7.2").pk, "question": first.checklist.all()[0].question},
        {"requirement": req(QMS, "7.3").pk, "question": first.checklist.all()[1].question},
        {"requirement": None, "question": "Fire exits clear?"},
    ]
    second = make_audit(personas.org, index=1, codes=(QMS,))
    second.requirements.set([req(QMS, "7.2")])
    services.generate_checklist(second, actor=personas.manager)
    # 7.2 is already asked: only 7.3 and the custom question are added, once.
    assert services.apply_saved_checklist(second, saved, actor=personas.manager) == 2
    assert services.apply_saved_checklist(second, saved, actor=personas.manager) == 0
    assert second.checklist.count() == 3
    assert second.checklist.get(covers=req(QMS, "7.3")).requirement == req(QMS, "7.3")
    assert entries(second, "apply_checklist").count() == 1


def test_a_saved_checklist_name_is_unique(personas):
    make_saved(personas.org, name="Walk")
    with pytest.raises(ValidationFailed) as caught:
        services.create_saved_checklist(personas.org, actor=personas.manager, name="Walk")
    assert [e.field for e in caught.value.errors] == ["name"]
    assert SavedChecklist.objects.filter(organization=personas.org).count() == 1


def test_saved_items_are_checked(personas):
    with pytest.raises(ValidationFailed) as caught:
        services.create_saved_checklist(
            personas.org,
            actor=personas.manager,
            name="Bad",
            items=[{"requirement": None, "question": "Fine?"}, {"requirement": 0, "question": ""}],
        )
    assert {e.field for e in caught.value.errors} == {"items.1.requirement", "items.1.question"}
    assert not SavedChecklist.objects.filter(name="Bad").exists()


def test_a_saved_checklist_of_another_organization_is_not_applied(personas):
    audit = make_audit(personas.org)
    theirs = make_saved(personas.other)
    with pytest.raises(ValidationFailed) as caught:
        services.apply_saved_checklist(audit, theirs, actor=personas.manager)
    assert [(e.field, e.code) for e in caught.value.errors] == [("saved_checklist", "not_found")]
    assert not audit.checklist.exists()
