"""Checklist and fieldwork rules: building an audit's checklist from the requirements in
scope (a core requirement shared by several standards of an integrated audit is asked once),
custom questions, saved checklists, answering items and recording the evidence behind them.

Fieldwork closes when the audit's report is issued: from then on nothing here may change the
checklist or its evidence (a change needs a new report revision, made elsewhere).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from pdca.audits.models import Audit, ChecklistItem, EvidenceRecord, SavedChecklist
from pdca.core.activity import (
    diff,
    record_activity,
    record_create,
    record_delete,
    record_update,
    snapshot,
)
from pdca.core.concurrency import lock_for_update, save_changed
from pdca.core.deletion import lock_for_delete
from pdca.core.exceptions import Conflict, FieldError, ValidationFailed
from pdca.core.permissions import require
from pdca.core.records.rules import ensure_deletable
from pdca.standards.models import Requirement
from pdca.standards.selectors import with_descendants
from pdca.system.models import ManagementSystem
from pdca.system.selectors import excluded_requirements

#: Custom questions sort after every requirement ("~" sorts after digits and letters).
CUSTOM_SORT_KEY = "~custom"
MAX_QUESTION = 5_000
MAX_TEXT = 20_000


def fieldwork_open(audit: Audit) -> bool:
    return not audit.report_frozen


def _require_open(audit: Audit) -> None:
    if not fieldwork_open(audit):
        raise Conflict(
            "The report of this audit is issued, so its fieldwork is closed: the checklist and "
            "its evidence can no longer change.",
            code="fieldwork_closed",
        )


# --- building the checklist ---------------------------------------------------------------


def question_for(requirement: Requirement, *, shared: bool = False) -> str:
    """Our own question for a requirement: its number and title, then what it asks in the
    catalog's own-words summary (the core clause's when the item serves several standards)."""
    source = (requirement.core if shared and requirement.core_id else None) or requirement
    return f"{source.number} {source.title} — How is this met, and what shows it? {source.summary}"


def _sort_key(requirement: Requirement) -> str:
    return f"{requirement.sort_key}|{requirement.standard.name}"


def _excluded_ids(audit: Audit) -> set[int]:
    """Requirements the organization declared not applicable (and their sub-requirements);
    only those of the programme's management system when the programme names one."""
    programme = audit.programme
    if programme is not None and programme.system_id:
        system_ids = [programme.system_id]
    else:
        system_ids = list(
            ManagementSystem.objects.filter(organization_id=audit.organization_id).values_list(
                "pk", flat=True
            )
        )
    excluded = excluded_requirements(system_ids)
    return {requirement_id for by_system in excluded.values() for requirement_id in by_system}


def requirements_in_scope(audit: Audit, *, include_children: bool = True) -> list[Requirement]:
    """What the checklist asks about, in reading order: the audit's requirements in scope
    (with their sub-requirements, down to the leaves, unless `include_children` is off), or,
    when none are named, every leaf clause of the audit's standards (Annex controls only when
    named in scope)."""
    base = Requirement.objects.filter(retired=False).select_related("standard", "core")
    named = set(audit.requirements.values_list("pk", flat=True))
    if named:
        if include_children:
            everything = list(base.filter(pk__in=with_descendants(named)))
            parents = {r.parent_id for r in everything if r.parent_id}
            chosen = [r for r in everything if r.pk not in parents]
        else:
            chosen = list(base.filter(pk__in=named))
    else:
        clauses = list(
            base.filter(standard__in=audit.standards.all(), kind=Requirement.Kind.CLAUSE)
        )
        parents = {r.parent_id for r in clauses if r.parent_id}
        chosen = [r for r in clauses if r.pk not in parents]
    excluded = _excluded_ids(audit)
    chosen = [r for r in chosen if r.pk not in excluded]
    return sorted(chosen, key=lambda r: (r.sort_key, r.standard.name, r.standard.edition))


def _groups(requirements: list[Requirement]) -> list[list[Requirement]]:
    """One group per item: requirements of different standards sharing a core clause go
    together; a second requirement of the same standard on that core gets its own item."""
    groups: dict[Any, list[Requirement]] = {}
    for requirement in requirements:
        key = ("core", requirement.core_id) if requirement.core_id else ("req", requirement.pk)
        group = groups.setdefault(key, [])
        if any(r.standard_id == requirement.standard_id for r in group):
            groups[("req", requirement.pk)] = [requirement]
        else:
            group.append(requirement)
    return list(groups.values())


@transaction.atomic
def generate_checklist(audit: Audit, *, actor, include_children: bool = True) -> int:
    """Add an item for every requirement in scope that no item covers yet; returns how many
    items were added. Running it again adds only what is missing."""
    require(actor, "add", ChecklistItem, organization=audit.organization)
    _require_open(audit)
    through = ChecklistItem.covers.through
    covered = set(
        through.objects.filter(checklistitem__audit=audit).values_list("requirement_id", flat=True)
    )
    # A requirement whose core clause already has an item (of another standard) joins it.
    by_core: dict[int, ChecklistItem] = {}
    existing = audit.checklist.filter(requirement__isnull=False).select_related("requirement")
    for item in existing.prefetch_related("covers"):
        named = item.requirement  # never None, as filtered
        if named is not None and named.core_id:
            by_core.setdefault(named.core_id, item)
    joined: list[Any] = []
    missing = []
    for requirement in requirements_in_scope(audit, include_children=include_children):
        if requirement.pk in covered:
            continue
        shared = by_core.get(requirement.core_id) if requirement.core_id else None
        if shared is not None and all(
            r.standard_id != requirement.standard_id for r in shared.covers.all()
        ):
            joined.append(through(checklistitem_id=shared.pk, requirement_id=requirement.pk))
            continue
        missing.append(requirement)
    groups = _groups(missing)
    items = ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(
                organization_id=audit.organization_id,
                audit=audit,
                requirement=group[0],
                question=question_for(group[0], shared=len({r.standard_id for r in group}) > 1),
                sort_key=_sort_key(group[0]),
            )
            for group in groups
        ]
    )
    through.objects.bulk_create(
        joined
        + [
            through(checklistitem_id=item.pk, requirement_id=requirement.pk)
            for item, group in zip(items, groups, strict=True)
            for requirement in group
        ]
    )
    if items or joined:
        record_activity(
            actor=actor,
            action="generate_checklist",
            obj=audit,
            changes={"checklist": [None, len(items)]},
            message=f"{len(items)} checklist item(s) added from the requirements in scope.",
        )
    return len(items)


def _question(value: Any, field: str = "question") -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationFailed.single(field, "Write the question.", "required")
    if len(text) > MAX_QUESTION:
        raise ValidationFailed.single(field, f"At most {MAX_QUESTION} characters.", "too_long")
    return text


@transaction.atomic
def add_custom_question(
    audit: Audit, *, actor, question: str, requirement: Requirement | None = None
) -> ChecklistItem:
    """Add a question of the auditor's own, optionally tied to a requirement (then it sorts
    with that requirement; otherwise after every requirement)."""
    require(actor, "add", ChecklistItem, organization=audit.organization)
    _require_open(audit)
    text = _question(question)
    item = ChecklistItem.objects.create(
        organization_id=audit.organization_id,
        audit=audit,
        requirement=requirement,
        question=text,
        sort_key=_sort_key(requirement) if requirement else CUSTOM_SORT_KEY,
    )
    if requirement is not None:
        item.covers.set([requirement])
    record_create(actor=actor, obj=item)
    return item


@transaction.atomic
def update_item(item: ChecklistItem, *, actor, **data: Any) -> ChecklistItem:
    """Answer an item: its result and notes. Whoever sets the result is recorded as its
    auditor."""
    lock_for_update(item)
    require(actor, "change", item)
    _require_open(item.audit)
    errors = []
    unknown = set(data) - {"result", "notes"}
    errors += [FieldError(name, "This field cannot be changed.", "unknown") for name in unknown]
    if "result" in data and data["result"] not in ("", *ChecklistItem.Result.values):
        errors.append(FieldError("result", "Choose one of the results offered.", "invalid_choice"))
    if "notes" in data and len(data["notes"] or "") > MAX_TEXT:
        errors.append(FieldError("notes", f"At most {MAX_TEXT} characters.", "too_long"))
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(item)
    if "result" in data and data["result"] != item.result:
        item.result = data["result"]
        item.auditor = actor
    if "notes" in data:
        item.notes = data["notes"] or ""
    save_changed(item)
    record_update(actor=actor, obj=item, before=before)
    return item


@transaction.atomic
def delete_item(item: ChecklistItem, *, actor) -> None:
    """Remove an item and its evidence records (findings raised from it stay)."""
    require(actor, "delete", item)
    lock_for_delete(item, parent="audit")
    _require_open(item.audit)
    ensure_deletable(item)
    record_delete(actor=actor, obj=item)
    item.delete()


# --- evidence -----------------------------------------------------------------------------


def _check_evidence(record: EvidenceRecord) -> None:
    errors = []
    if record.kind not in EvidenceRecord.Kind.values:
        errors.append(FieldError("kind", "Choose one of the kinds offered.", "invalid_choice"))
    if not (record.description or "").strip():
        errors.append(FieldError("description", "Describe what was seen.", "required"))
    elif len(record.description) > MAX_TEXT:
        errors.append(FieldError("description", f"At most {MAX_TEXT} characters.", "too_long"))
    if len(record.interviewee or "") > 200:
        errors.append(FieldError("interviewee", "At most 200 characters.", "too_long"))
    version = record.document_version
    if record.kind == EvidenceRecord.Kind.DOCUMENT and version is None:
        errors.append(
            FieldError("document_version", "Name the document version reviewed.", "required")
        )
    if version is not None and version.organization_id != record.organization_id:
        errors.append(
            FieldError(
                "document_version", "No such document version in this organization.", "not_found"
            )
        )
    if record.kind == EvidenceRecord.Kind.INTERVIEW and not (record.interviewee or "").strip():
        errors.append(FieldError("interviewee", "Name the person or role met.", "required"))
    if record.kind == EvidenceRecord.Kind.RECORD and (
        record.sample_size is None or record.sample_size < 1
    ):
        errors.append(
            FieldError("sample_size", "Give the number of records sampled (1 or more).", "invalid")
        )
    if record.file is not None and record.file.organization_id != record.organization_id:
        errors.append(FieldError("file", "No such evidence file in this organization."))
    if errors:
        raise ValidationFailed(errors)


@transaction.atomic
def add_evidence(
    item: ChecklistItem,
    *,
    actor,
    kind: str,
    description: str,
    document_version=None,
    interviewee: str = "",
    sample_size: int | None = None,
    upload: Any = None,
    file=None,
) -> EvidenceRecord:
    """Record what an answer rests on: a document version reviewed, an interview, an
    observation or a sample of records, optionally with a file (an upload goes to the
    evidence store; `file` names one already there)."""
    require(actor, "add", EvidenceRecord, organization=item.organization)
    _require_open(item.audit)
    record = EvidenceRecord(
        organization_id=item.organization_id,
        item=item,
        kind=kind,
        description=(description or "").strip(),
        document_version=document_version,
        interviewee=(interviewee or "").strip(),
        sample_size=sample_size,
        file=file,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _check_evidence(record)
    if upload is not None:
        from pdca.documents.evidence.services import store_evidence

        record.file = store_evidence(item.organization, upload, actor=actor)
    record.save()
    record_create(actor=actor, obj=record)
    return record


@transaction.atomic
def update_evidence(record: EvidenceRecord, *, actor, **data: Any) -> EvidenceRecord:
    """Correct an evidence record (its kind, description, version, interviewee, sample)."""
    lock_for_update(record)
    require(actor, "change", record)
    _require_open(record.item.audit)
    allowed = {"kind", "description", "document_version", "interviewee", "sample_size", "file"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationFailed(
            [FieldError(name, "This field cannot be changed.", "unknown") for name in unknown]
        )
    before = snapshot(record)
    for name, value in data.items():
        if name in ("description", "interviewee"):
            value = (value or "").strip()
        setattr(record, name, value)
    _check_evidence(record)
    save_changed(record)
    record_update(actor=actor, obj=record, before=before)
    return record


@transaction.atomic
def delete_evidence(record: EvidenceRecord, *, actor) -> None:
    """Remove an evidence record (its file stays in the evidence store)."""
    require(actor, "delete", record)
    lock_for_delete(record, parent="item")
    _require_open(record.item.audit)
    ensure_deletable(record)
    record_delete(actor=actor, obj=record)
    record.delete()


# --- saved checklists ---------------------------------------------------------------------


def _record_saved(actor, saved: SavedChecklist, action: str, changes: dict) -> None:
    """Record a change of a saved checklist, its `items` logged as "questions": templates
    that list changes read `changes.items`, which a key named "items" would shadow."""
    renamed = {("questions" if k == "items" else k): v for k, v in changes.items()}
    if renamed or action != "update":
        record_activity(actor=actor, action=action, obj=saved, changes=renamed)


def _filled(values: dict) -> dict:
    return {k: v for k, v in values.items() if v not in (None, "", [], {})}


def _check_name(organization_id: int, name: Any, exclude_pk: int | None = None) -> str:
    text = name.strip() if isinstance(name, str) else ""
    if not text:
        raise ValidationFailed.single("name", "Give the checklist a name.", "required")
    if len(text) > 200:
        raise ValidationFailed.single("name", "At most 200 characters.", "too_long")
    clash = SavedChecklist.objects.filter(organization_id=organization_id, name=text)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationFailed.single(
            "name", "A saved checklist with this name already exists.", "duplicate"
        )
    return text


def _check_items(items: Any) -> list[dict[str, Any]]:
    """Saved items as [{"requirement": id or None, "question": text}], each checked."""
    if not isinstance(items, list):
        raise ValidationFailed.single("items", "Give a list of questions.")
    wanted = {i.get("requirement") for i in items if isinstance(i, dict)} - {None}
    known = set(
        Requirement.objects.filter(
            pk__in=[r for r in wanted if isinstance(r, int) and not isinstance(r, bool)]
        ).values_list("pk", flat=True)
    )
    errors, clean = [], []
    for index, entry in enumerate(items):
        prefix = f"items.{index}."
        if not isinstance(entry, dict):
            errors.append(FieldError(f"items.{index}", "Give a question and its requirement."))
            continue
        requirement = entry.get("requirement")
        if requirement is not None and requirement not in known:
            errors.append(FieldError(prefix + "requirement", "No such requirement.", "not_found"))
        try:
            question = _question(entry.get("question"), prefix + "question")
        except ValidationFailed as exc:
            errors += exc.errors
            continue
        clean.append({"requirement": requirement, "question": question})
    if errors:
        raise ValidationFailed(errors)
    return clean


@transaction.atomic
def create_saved_checklist(
    organization, *, actor, name: str, description: str = "", items: Any = ()
) -> SavedChecklist:
    """Keep a checklist for reuse: its questions, with the requirement each answers."""
    require(actor, "add", SavedChecklist, organization=organization)
    saved = SavedChecklist.objects.create(
        organization=organization,
        name=_check_name(organization.pk, name),
        description=(description or "").strip(),
        items=_check_items(list(items)),
    )
    _record_saved(
        actor, saved, "create", {k: [None, v] for k, v in _filled(snapshot(saved)).items()}
    )
    return saved


@transaction.atomic
def save_checklist(audit: Audit, name: str, *, actor, description: str = "") -> SavedChecklist:
    """Keep this audit's checklist (its questions, in order) to reuse in later audits."""
    items = [
        {"requirement": item.requirement_id, "question": item.question}
        for item in audit.checklist.order_by("sort_key", "pk")
    ]
    return create_saved_checklist(
        audit.organization, actor=actor, name=name, description=description, items=items
    )


@transaction.atomic
def update_saved_checklist(saved: SavedChecklist, *, actor, **data: Any) -> SavedChecklist:
    lock_for_update(saved)
    require(actor, "change", saved)
    unknown = set(data) - {"name", "description", "items"}
    if unknown:
        raise ValidationFailed(
            [FieldError(name, "This field cannot be changed.", "unknown") for name in unknown]
        )
    before = snapshot(saved)
    if "name" in data:
        saved.name = _check_name(saved.organization_id, data["name"], exclude_pk=saved.pk)
    if "description" in data:
        saved.description = (data["description"] or "").strip()
    if "items" in data:
        saved.items = _check_items(data["items"])
    save_changed(saved)
    _record_saved(actor, saved, "update", diff(before, snapshot(saved)))
    return saved


@transaction.atomic
def delete_saved_checklist(saved: SavedChecklist, *, actor) -> None:
    require(actor, "delete", saved)
    _record_saved(
        actor, saved, "delete", {k: [v, None] for k, v in _filled(snapshot(saved)).items()}
    )
    saved.delete()


@transaction.atomic
def apply_saved_checklist(audit: Audit, saved: SavedChecklist, *, actor) -> int:
    """Add a saved checklist's questions to the audit; what the checklist already asks (the
    same requirement, or the same question word for word) is not added twice. Returns how
    many items were added."""
    require(actor, "add", ChecklistItem, organization=audit.organization)
    _require_open(audit)
    if saved.organization_id != audit.organization_id:
        raise ValidationFailed.single("saved_checklist", "No such saved checklist.", "not_found")
    through = ChecklistItem.covers.through
    covered = set(
        through.objects.filter(checklistitem__audit=audit).values_list("requirement_id", flat=True)
    )
    asked = set(audit.checklist.values_list("question", flat=True))
    requirements = Requirement.objects.select_related("standard").in_bulk(
        [e["requirement"] for e in saved.items if e.get("requirement")]
    )
    new: list[tuple[ChecklistItem, Requirement | None]] = []
    for entry in saved.items:
        requirement = requirements.get(entry.get("requirement"))
        question = entry.get("question", "")
        if question in asked or (requirement is not None and requirement.pk in covered):
            continue
        asked.add(question)
        if requirement is not None:
            covered.add(requirement.pk)
        item = ChecklistItem(
            organization_id=audit.organization_id,
            audit=audit,
            requirement=requirement,
            question=question,
            sort_key=_sort_key(requirement) if requirement else CUSTOM_SORT_KEY,
        )
        new.append((item, requirement))
    created = ChecklistItem.objects.bulk_create([item for item, _ in new])
    through.objects.bulk_create(
        [
            through(checklistitem_id=item.pk, requirement_id=requirement.pk)
            for item, (_, requirement) in zip(created, new, strict=True)
            if requirement is not None
        ]
    )
    if created:
        record_activity(
            actor=actor,
            action="apply_checklist",
            obj=audit,
            changes={"checklist": [None, len(created)]},
            message=f"{len(created)} item(s) added from the saved checklist “{saved.name}”.",
        )
    return len(created)
