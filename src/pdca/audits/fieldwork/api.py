"""API of audit fieldwork: generating and reading an audit's checklist, answering its items,
the evidence records behind them, and saved checklists. Thin endpoints over
pdca.audits.fieldwork.checklists."""

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from pdca.audits.fieldwork import checklists as services
from pdca.audits.models import Audit, ChecklistItem, EvidenceRecord, SavedChecklist
from pdca.core.activity_api import ActivityOut
from pdca.core.api import Id, Input, Page, Text, omitted, organization_for, responses
from pdca.core.concurrency import announce
from pdca.core.exceptions import ValidationFailed
from pdca.core.permissions import scope, visible_organization_ids
from pdca.core.selectors import history_of
from pdca.documents.models import DocumentVersion, EvidenceFile
from pdca.standards.models import Requirement

router = Router()

ITEMS = ["checklist items"]
EVIDENCE = ["evidence records"]
SAVED = ["saved checklists"]


# --- schemas ------------------------------------------------------------------------------


class ChecklistCoverRef(Schema):
    id: int
    standard: str = Field(alias="standard.code")
    number: str
    title: str


class EvidenceRecordOut(Schema):
    id: int
    item: int = Field(alias="item_id")
    audit: int = Field(alias="item.audit_id")
    kind: EvidenceRecord.Kind
    description: str
    document_version: int | None = Field(alias="document_version_id")
    interviewee: str
    sample_size: int | None
    file: int | None = Field(alias="file_id", description="Evidence file id")
    recorded_by: str | None = Field(description="E-mail of who recorded it")
    created_at: dt.datetime

    @staticmethod
    def resolve_recorded_by(obj: EvidenceRecord) -> str | None:
        return obj.recorded_by.email if obj.recorded_by else None


class ChecklistItemOut(Schema):
    id: int
    audit: int = Field(alias="audit_id")
    requirement: int | None = Field(alias="requirement_id")
    covers: list[ChecklistCoverRef] = Field(description="Every requirement the item answers")
    standards: list[str] = Field(description="Codes of the standards the item serves")
    custom: bool = Field(description="A question of the auditor's own")
    question: str
    sort_key: str
    result: str = Field(description="A result (see PATCH), or an empty string if unanswered")
    notes: str
    auditor: str | None = Field(description="E-mail of who set the result")
    evidence: list[EvidenceRecordOut]
    updated_at: dt.datetime

    @staticmethod
    def resolve_standards(obj: ChecklistItem) -> list[str]:
        return list(dict.fromkeys(r.standard.code for r in obj.covers.all()))

    @staticmethod
    def resolve_custom(obj: ChecklistItem) -> bool:
        return obj.sort_key == services.CUSTOM_SORT_KEY or obj.requirement_id is None

    @staticmethod
    def resolve_auditor(obj: ChecklistItem) -> str | None:
        return obj.auditor.email if obj.auditor else None


class ChecklistFilter(Schema):
    result: ChecklistItem.Result | None = None
    unanswered: bool | None = Field(None, description="Items without a result")
    standard: Text | None = Field(None, max_length=60, description="Standard code")
    q: Text | None = Field(None, max_length=200, description="Text in the question or notes")


class ChecklistItemFilter(ChecklistFilter):
    audit: Id | None = Field(None, description="Audit id")


class GenerateOut(Schema):
    added: int = Field(description="Items added now")
    total: int = Field(description="Items the checklist holds")


class ApplyIn(Input):
    saved_checklist: Id


class ItemCreate(Input):
    audit: Id
    question: Text = Field(min_length=1, max_length=services.MAX_QUESTION)
    requirement: Id | None = Field(None, description="Requirement id the question answers")


class ItemUpdate(Input):
    # Refuse an explicit null: an empty string clears.
    result: ChecklistItem.Result | None = None
    notes: Text = omitted(max_length=services.MAX_TEXT)


class EvidenceIn(Input):
    kind: EvidenceRecord.Kind
    description: Text = Field(min_length=1, max_length=services.MAX_TEXT)
    document_version: Id | None = Field(None, description="Document version id reviewed")
    interviewee: Text = Field("", max_length=200)
    sample_size: int | None = Field(None, ge=1, le=1_000_000)
    file: Id | None = Field(None, description="Id of a file already in the evidence store")


class EvidenceCreate(EvidenceIn):
    item: Id


class EvidenceUpdate(Input):
    kind: EvidenceRecord.Kind = omitted()
    description: Text = omitted(min_length=1, max_length=services.MAX_TEXT)
    document_version: Id | None = None
    interviewee: Text = omitted(max_length=200)
    sample_size: int | None = Field(None, ge=1, le=1_000_000)
    file: Id | None = None


class EvidenceRecordFilter(Schema):
    item: Id | None = None
    audit: Id | None = None
    kind: EvidenceRecord.Kind | None = None


class SavedItem(Schema):
    requirement: int | None
    question: str


class SavedItemIn(Input):
    requirement: Id | None = None
    question: Text = Field(min_length=1, max_length=services.MAX_QUESTION)


class SavedOut(Schema):
    id: int
    organization: str = Field(alias="organization.slug")
    name: str
    description: str
    items: list[SavedItem]
    created_at: dt.datetime
    updated_at: dt.datetime


class SavedCreate(Input):
    organization: Text = Field(max_length=60, description="Organization slug")
    name: Text = Field(min_length=1, max_length=200)
    description: Text = Field("", max_length=services.MAX_TEXT)
    items: list[SavedItemIn] = Field([], max_length=2000)
    audit: Id | None = Field(None, description="Save this audit's checklist (instead of items)")


class SavedUpdate(Input):
    name: Text = omitted(min_length=1, max_length=200)
    description: Text = omitted(max_length=services.MAX_TEXT)
    items: list[SavedItemIn] = omitted(max_length=2000)


class SavedFilter(Schema):
    organization: Text | None = Field(None, max_length=60, description="Organization slug")
    q: Text | None = Field(None, max_length=200, description="Text in the name")


# --- lookups ------------------------------------------------------------------------------


def _evidence_qs(user) -> QuerySet[EvidenceRecord]:
    return scope(EvidenceRecord.objects.select_related("item", "recorded_by"), user).order_by(
        "item_id", "created_at", "pk"
    )


def _items(user) -> QuerySet[ChecklistItem]:
    covers = Prefetch(
        "covers",
        queryset=Requirement.objects.select_related("standard").order_by(
            "standard__name", "standard__edition"
        ),
    )
    evidence = Prefetch(
        "evidence",
        queryset=EvidenceRecord.objects.select_related("item", "recorded_by").order_by(
            "created_at", "pk"
        ),
    )
    return scope(
        ChecklistItem.objects.select_related("auditor").prefetch_related(covers, evidence), user
    ).order_by("audit_id", "sort_key", "pk")


def _item(request, item_id: int) -> ChecklistItem:
    return get_object_or_404(_items(request.auth), pk=item_id)


def _audit_of_member(request, audit_id: int) -> Audit:
    """An audit of one of the user's organizations, whatever the role: the service then says
    whether the role may work on its checklist (403 rather than 404)."""
    return get_object_or_404(
        Audit.objects.filter(organization_id__in=visible_organization_ids(request.auth)),
        pk=audit_id,
    )


def _visible_audit(request, audit_id: int) -> Audit:
    return get_object_or_404(scope(Audit.objects.all(), request.auth), pk=audit_id)


def _filter(qs: QuerySet[ChecklistItem], filters: ChecklistFilter) -> QuerySet[ChecklistItem]:
    if filters.result:
        qs = qs.filter(result=filters.result)
    if filters.unanswered is not None:
        qs = qs.filter(result="") if filters.unanswered else qs.exclude(result="")
    if filters.standard:
        covered = ChecklistItem.covers.through.objects.filter(
            requirement__standard__code=filters.standard
        )
        qs = qs.filter(pk__in=covered.values("checklistitem_id"))
    if filters.q:
        qs = qs.filter(Q(question__icontains=filters.q) | Q(notes__icontains=filters.q))
    return qs


def _requirement(pk: int | None, field: str = "requirement") -> Requirement | None:
    if pk is None:
        return None
    found = Requirement.objects.select_related("standard").filter(pk=pk).first()
    if found is None:
        raise ValidationFailed.single(field, "No such requirement.", "not_found")
    return found


def _version(organization_id: int, pk: int | None) -> DocumentVersion | None:
    if pk is None:
        return None
    found = DocumentVersion.objects.filter(organization_id=organization_id, pk=pk).first()
    if found is None:
        raise ValidationFailed.single(
            "document_version", "No such document version in this organization.", "not_found"
        )
    return found


def _file(organization_id: int, pk: int | None) -> EvidenceFile | None:
    if pk is None:
        return None
    found = EvidenceFile.objects.filter(organization_id=organization_id, pk=pk).first()
    if found is None:
        raise ValidationFailed.single("file", "No such evidence file in this organization.")
    return found


# --- an audit's checklist -----------------------------------------------------------------


@router.post("/audits/{audit_id}/checklist/generate/", response=responses(GenerateOut), tags=ITEMS)
def generate_audit_checklist(request, audit_id: int, include_children: bool = True):
    """Add an item for every requirement in scope not yet asked (a core requirement shared by
    the audit's standards once); running it again adds only what is missing."""
    audit = _audit_of_member(request, audit_id)
    added = services.generate_checklist(
        audit, actor=request.auth, include_children=include_children
    )
    return {"added": added, "total": audit.checklist.count()}


@router.post("/audits/{audit_id}/checklist/apply/", response=responses(GenerateOut), tags=ITEMS)
def apply_audit_checklist(request, audit_id: int, payload: ApplyIn):
    """Add a saved checklist's questions to the audit (what it already asks is skipped)."""
    audit = _audit_of_member(request, audit_id)
    saved = SavedChecklist.objects.filter(
        organization_id=audit.organization_id, pk=payload.saved_checklist
    ).first()
    if saved is None:
        raise ValidationFailed.single("saved_checklist", "No such saved checklist.", "not_found")
    added = services.apply_saved_checklist(audit, saved, actor=request.auth)
    return {"added": added, "total": audit.checklist.count()}


@router.get("/audits/{audit_id}/checklist/", response=responses(list[ChecklistItemOut]), tags=ITEMS)
@paginate(Page)
def list_audit_checklist(request, audit_id: int, filters: Query[ChecklistFilter]):
    """The audit's checklist in reading order, filtered (auditors, implementers and top
    management only: it is a working paper)."""
    audit = _visible_audit(request, audit_id)
    items = _items(request.auth).filter(audit=audit)
    return _filter(items, filters)


# --- checklist items ----------------------------------------------------------------------


@router.get("/checklist-items/", response=responses(list[ChecklistItemOut]), tags=ITEMS)
@paginate(Page)
def list_checklist_items(request, filters: Query[ChecklistItemFilter]):
    """Checklist items of every audit you may read (filter by `audit`)."""
    qs = _items(request.auth)
    if filters.audit is not None:
        qs = qs.filter(audit_id=filters.audit)
    return _filter(qs, filters)


@router.post("/checklist-items/", response=responses(ChecklistItemOut, 201), tags=ITEMS)
def create_checklist_item(request, payload: ItemCreate):
    """Add a question of your own to an audit's checklist."""
    audit = _audit_of_member(request, payload.audit)
    item = services.add_custom_question(
        audit,
        actor=request.auth,
        question=payload.question,
        requirement=_requirement(payload.requirement),
    )
    return Status(201, _item(request, item.pk))


@router.get("/checklist-items/{item_id}/", response=responses(ChecklistItemOut), tags=ITEMS)
def get_checklist_item(request, item_id: int):
    return announce(_item(request, item_id))


@router.patch("/checklist-items/{item_id}/", response=responses(ChecklistItemOut), tags=ITEMS)
def update_checklist_item(request, item_id: int, payload: ItemUpdate):
    """Answer an item: its result (or "" to clear it) and notes."""
    item = _item(request, item_id)
    data = payload.model_dump(exclude_unset=True)
    if "result" in data and data["result"] is None:
        data["result"] = ""
    services.update_item(item, actor=request.auth, **data)
    return _item(request, item_id)


@router.delete("/checklist-items/{item_id}/", response=responses(None, 204), tags=ITEMS)
def delete_checklist_item(request, item_id: int):
    services.delete_item(_item(request, item_id), actor=request.auth)
    return Status(204, None)


@router.get(
    "/checklist-items/{item_id}/history/", response=responses(list[ActivityOut]), tags=ITEMS
)
@paginate(Page)
def checklist_item_history(request, item_id: int):
    return history_of(_item(request, item_id), request.auth)


def _create_evidence(request, item: ChecklistItem, payload: EvidenceIn):
    record = services.add_evidence(
        item,
        actor=request.auth,
        kind=payload.kind,
        description=payload.description,
        document_version=_version(item.organization_id, payload.document_version),
        interviewee=payload.interviewee,
        sample_size=payload.sample_size,
        file=_file(item.organization_id, payload.file),
    )
    return Status(201, _evidence_qs(request.auth).get(pk=record.pk))


def _item_of_member(request, item_id: int) -> ChecklistItem:
    return get_object_or_404(
        ChecklistItem.objects.filter(
            organization_id__in=visible_organization_ids(request.auth)
        ).select_related("audit"),
        pk=item_id,
    )


@router.post(
    "/checklist-items/{item_id}/evidence/",
    response=responses(EvidenceRecordOut, 201),
    tags=EVIDENCE,
)
def create_item_evidence(request, item_id: int, payload: EvidenceIn):
    """Record evidence behind an item: a document version reviewed (`document_version`), an
    interview (`interviewee`), an observation, or records sampled (`sample_size` ≥ 1)."""
    return _create_evidence(request, _item_of_member(request, item_id), payload)


# --- evidence records ---------------------------------------------------------------------


@router.get("/evidence-records/", response=responses(list[EvidenceRecordOut]), tags=EVIDENCE)
@paginate(Page)
def list_evidence_records(request, filters: Query[EvidenceRecordFilter]):
    qs = _evidence_qs(request.auth)
    if filters.item is not None:
        qs = qs.filter(item_id=filters.item)
    if filters.audit is not None:
        qs = qs.filter(item__audit_id=filters.audit)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return qs


@router.post("/evidence-records/", response=responses(EvidenceRecordOut, 201), tags=EVIDENCE)
def create_evidence_record(request, payload: EvidenceCreate):
    """The same as POST /checklist-items/{id}/evidence/, naming the item in the body."""
    return _create_evidence(request, _item_of_member(request, payload.item), payload)


def _record(request, record_id: int) -> EvidenceRecord:
    return get_object_or_404(_evidence_qs(request.auth).select_related("item__audit"), pk=record_id)


@router.get("/evidence-records/{record_id}/", response=responses(EvidenceRecordOut), tags=EVIDENCE)
def get_evidence_record(request, record_id: int):
    return announce(_record(request, record_id))


@router.patch(
    "/evidence-records/{record_id}/", response=responses(EvidenceRecordOut), tags=EVIDENCE
)
def update_evidence_record(request, record_id: int, payload: EvidenceUpdate):
    record = _record(request, record_id)
    data = payload.model_dump(exclude_unset=True)
    if "document_version" in data:
        data["document_version"] = _version(record.organization_id, data["document_version"])
    if "file" in data:
        data["file"] = _file(record.organization_id, data["file"])
    services.update_evidence(record, actor=request.auth, **data)
    return _record(request, record_id)


@router.delete("/evidence-records/{record_id}/", response=responses(None, 204), tags=EVIDENCE)
def delete_evidence_record(request, record_id: int):
    services.delete_evidence(_record(request, record_id), actor=request.auth)
    return Status(204, None)


@router.get(
    "/evidence-records/{record_id}/history/",
    response=responses(list[ActivityOut]),
    tags=EVIDENCE,
)
@paginate(Page)
def evidence_record_history(request, record_id: int):
    return history_of(_record(request, record_id), request.auth)


# --- saved checklists ---------------------------------------------------------------------


def _saved_qs(user) -> QuerySet[SavedChecklist]:
    return scope(SavedChecklist.objects.select_related("organization"), user)


def _saved(request, saved_id: int) -> SavedChecklist:
    return get_object_or_404(_saved_qs(request.auth), pk=saved_id)


@router.get("/saved-checklists/", response=responses(list[SavedOut]), tags=SAVED)
@paginate(Page)
def list_saved_checklists(request, filters: Query[SavedFilter]):
    qs = _saved_qs(request.auth)
    if filters.organization:
        qs = qs.filter(organization__slug=filters.organization)
    if filters.q:
        qs = qs.filter(name__icontains=filters.q)
    return qs.order_by("name", "pk")


@router.post("/saved-checklists/", response=responses(SavedOut, 201), tags=SAVED)
def create_saved_checklist(request, payload: SavedCreate):
    """Keep a checklist for reuse: the questions given, or an audit's checklist (`audit`)."""
    org = organization_for(request.auth, payload.organization)
    if payload.audit is not None:
        audit = Audit.objects.filter(organization=org, pk=payload.audit).first()
        if audit is None:
            raise ValidationFailed.single("audit", "No such audit in this organization.")
        saved = services.save_checklist(
            audit, payload.name, actor=request.auth, description=payload.description
        )
    else:
        saved = services.create_saved_checklist(
            org,
            actor=request.auth,
            name=payload.name,
            description=payload.description,
            items=[item.model_dump() for item in payload.items],
        )
    return Status(201, _saved(request, saved.pk))


@router.get("/saved-checklists/{saved_id}/", response=responses(SavedOut), tags=SAVED)
def get_saved_checklist(request, saved_id: int):
    return announce(_saved(request, saved_id))


@router.patch("/saved-checklists/{saved_id}/", response=responses(SavedOut), tags=SAVED)
def update_saved_checklist(request, saved_id: int, payload: SavedUpdate):
    saved = _saved(request, saved_id)
    data = payload.model_dump(exclude_unset=True)
    services.update_saved_checklist(saved, actor=request.auth, **data)
    return _saved(request, saved_id)


@router.delete("/saved-checklists/{saved_id}/", response=responses(None, 204), tags=SAVED)
def delete_saved_checklist(request, saved_id: int):
    services.delete_saved_checklist(_saved(request, saved_id), actor=request.auth)
    return Status(204, None)


@router.get(
    "/saved-checklists/{saved_id}/history/", response=responses(list[ActivityOut]), tags=SAVED
)
@paginate(Page)
def saved_checklist_history(request, saved_id: int):
    return history_of(_saved(request, saved_id), request.auth)
