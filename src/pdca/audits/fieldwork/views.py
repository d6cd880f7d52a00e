"""Fieldwork pages: an audit's checklist (a tablet page where every field saves as it is
edited), one item with its evidence and history, evidence records, and saved checklists.

The checklist is the auditors' working paper: auditors edit it, insiders (auditors and top
management) read it, and for anyone else it does not exist (404).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pdca.audits.fieldwork import checklists as services
from pdca.audits.models import Audit, ChecklistItem, EvidenceRecord, SavedChecklist
from pdca.core.exceptions import PermissionDenied, ServiceError, ValidationFailed
from pdca.core.forms import StyledFormMixin, field_of
from pdca.core.permissions import may, scope
from pdca.core.selectors import history_of
from pdca.core.views import (
    add_service_error,
    member_required,
    object_for_page,
    require_page,
    scoped_or_404,
)
from pdca.documents.models import DocumentVersion
from pdca.standards.models import CoreClause, Requirement

CUSTOM_GROUP = "Custom questions"


# --- forms (they parse; the services decide) ----------------------------------------------


class ItemForm(StyledFormMixin, forms.Form):
    result = forms.ChoiceField(
        choices=[("", "Not answered yet"), *ChecklistItem.Result.choices], required=False
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def changes(self) -> dict:
        """Only the fields sent: a row posting its result alone leaves the notes alone."""
        return {name: value for name, value in self.cleaned_data.items() if name in self.data}


class QuestionForm(StyledFormMixin, forms.Form):
    question = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class EvidenceForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=EvidenceRecord.Kind.choices)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    document_version = forms.ModelChoiceField(
        queryset=DocumentVersion.objects.none(),
        required=False,
        label="Document version reviewed",
        help_text="For a document reviewed: the exact version.",
    )
    interviewee = forms.CharField(
        required=False, max_length=200, label="Person or role interviewed"
    )
    sample_size = forms.IntegerField(
        required=False, min_value=0, help_text="For records sampled: how many."
    )
    file = forms.FileField(required=False, help_text="A photo or file, kept in the evidence store.")

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        field_of(self, "document_version", forms.ModelChoiceField).queryset = versions_of(
            organization
        )


class SavedChecklistForm(StyledFormMixin, forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    questions = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One question per line (questions tied to requirements are kept as they are).",
    )

    def items(self, keep: list[dict] | None = None) -> list[dict]:
        tied = [e for e in keep or [] if e.get("requirement")]
        lines = [line.strip() for line in self.cleaned_data["questions"].splitlines()]
        return tied + [{"requirement": None, "question": line} for line in lines if line]


class SaveAsForm(StyledFormMixin, forms.Form):
    name = forms.CharField(max_length=200, label="Save this checklist as")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


def versions_of(organization):
    return (
        DocumentVersion.objects.filter(organization=organization)
        .select_related("document")
        .order_by("document__code", "document__title", "-number")
    )


# --- lookups ------------------------------------------------------------------------------


def _audit(request, pk: int) -> Audit:
    """The audit, when the user may read its checklist; otherwise it does not exist here."""
    audit = scoped_or_404(
        Audit.objects.filter(organization=request.organization), request.user, pk=pk
    )
    if not may(request.user, "view", ChecklistItem, organization=audit.organization):
        raise Http404("No such checklist.")
    return audit


def _audit_to_change(request, pk: int, model=ChecklistItem) -> Audit:
    """An audit of the current organization for a write: 403 when the role may not."""
    audit = get_object_or_404(Audit.objects.filter(organization=request.organization), pk=pk)
    require_page(request, "add", model, organization=audit.organization)
    return audit


def _item(request, pk: int, action: str = "view") -> ChecklistItem:
    item = object_for_page(
        request,
        ChecklistItem.objects.filter(organization=request.organization).select_related("audit"),
        pk,
        action,
    )
    return item


def _items(audit: Audit):
    """The audit's items with everything a row shows, in a fixed number of queries."""
    return (
        ChecklistItem.objects.filter(audit=audit)
        .select_related("requirement__group", "auditor")
        .prefetch_related(
            Prefetch(
                "covers",
                queryset=Requirement.objects.select_related("standard").order_by(
                    "standard__name", "standard__edition"
                ),
            ),
            Prefetch(
                "evidence",
                queryset=EvidenceRecord.objects.select_related(
                    "document_version__document", "file", "recorded_by"
                ).order_by("created_at", "pk"),
            ),
        )
        .order_by("sort_key", "pk")
    )


def _group_of(item: ChecklistItem) -> tuple[str, str]:
    """(key, fallback heading) of the clause an item sits under."""
    requirement = item.requirement
    if requirement is None:
        return "~", CUSTOM_GROUP
    if requirement.group:
        return requirement.group.code, f"{requirement.group.code} {requirement.group.title}"
    top = requirement.number.split(".")[0]
    return top, f"Clause {top}"


def _grouped(items: list[ChecklistItem]) -> list[dict]:
    keys = {_group_of(item)[0] for item in items}
    titles = dict(CoreClause.objects.filter(number__in=keys).values_list("number", "title"))
    groups: dict[str, dict] = {}
    for item in items:
        key, heading = _group_of(item)
        if key in titles:
            heading = f"{key} {titles[key]}"
        groups.setdefault(key, {"key": key, "heading": heading, "items": []})["items"].append(item)
    return list(groups.values())


def _may_edit(request, audit: Audit) -> bool:
    return services.fieldwork_open(audit) and may(
        request.user, "change", ChecklistItem, organization=audit.organization
    )


def _checklist_url(audit_id: int, item_id: int | None = None) -> str:
    url = reverse("audits:checklist", args=[audit_id])
    return f"{url}#item-{item_id}" if item_id else url


# --- the checklist page -------------------------------------------------------------------


def result_counts(audit) -> list[dict]:
    """How many items have each result (and none yet), for the chips above the checklist."""
    counts = dict(
        ChecklistItem.objects.filter(audit=audit)
        .values_list("result")
        .annotate(n=Count("pk"))
        .values_list("result", "n")
    )
    return [
        {"value": value, "label": label, "count": counts.get(value, 0)}
        for value, label in [("", "Not answered"), *ChecklistItem.Result.choices]
    ]


@member_required
def checklist(request, pk: int):
    """The fieldwork page: counts by result, filters, and the items grouped by clause."""
    audit = _audit(request, pk)
    result = request.GET.get("result", "")
    standard = request.GET.get("standard", "")
    text = request.GET.get("q", "").strip()
    items = _items(audit)
    if result == "unanswered":
        items = items.filter(result="")
    elif result in ChecklistItem.Result.values:
        items = items.filter(result=result)
    if standard:
        covered = ChecklistItem.covers.through.objects.filter(requirement__standard__code=standard)
        items = items.filter(pk__in=covered.values("checklistitem_id"))
    if text:
        items = items.filter(Q(question__icontains=text) | Q(notes__icontains=text))
    items = list(items)
    counts = result_counts(audit)
    can_edit = _may_edit(request, audit)
    return render(
        request,
        "audits/checklist.html",
        {
            "audit": audit,
            "groups": _grouped(items),
            "shown": len(items),
            "total": sum(c["count"] for c in counts),
            "counts": counts,
            "result_choices": ChecklistItem.Result.choices,
            "standards": list(audit.standards.order_by("name", "edition")),
            "filters": {"result": result, "standard": standard, "q": text},
            "can_edit": can_edit,
            "fieldwork_open": services.fieldwork_open(audit),
            "versions": list(versions_of(audit.organization)) if can_edit else [],
            "saved_checklists": (
                list(SavedChecklist.objects.filter(organization=audit.organization))
                if can_edit
                else []
            ),
            "kinds": EvidenceRecord.Kind.choices,
        },
    )


def _refused(request, exc: ServiceError):
    if isinstance(exc, PermissionDenied):
        from django.core.exceptions import PermissionDenied as DjangoPermissionDenied

        raise DjangoPermissionDenied(exc.message)
    messages.error(request, exc.message)


@member_required
@require_POST
def checklist_generate(request, pk: int):
    audit = _audit_to_change(request, pk)
    try:
        added = services.generate_checklist(audit, actor=request.user)
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"{added} item(s) added from the requirements in scope.")
    return redirect(_checklist_url(audit.pk))


@member_required
@require_POST
def checklist_apply(request, pk: int):
    audit = _audit_to_change(request, pk)
    saved = get_object_or_404(
        SavedChecklist.objects.filter(organization=audit.organization),
        pk=_int(request.POST.get("saved_checklist")),
    )
    try:
        added = services.apply_saved_checklist(audit, saved, actor=request.user)
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"{added} item(s) added from “{saved.name}”.")
    return redirect(_checklist_url(audit.pk))


@member_required
def checklist_add(request, pk: int):
    """Add a question of the auditor's own."""
    audit = _audit_to_change(request, pk)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.add_custom_question(
                audit, actor=request.user, question=form.cleaned_data["question"]
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Question added.")
            return redirect(_checklist_url(audit.pk, item.pk))
    return render(request, "audits/checklist_add.html", {"audit": audit, "form": form})


@member_required
def checklist_save(request, pk: int):
    """Keep this audit's checklist as a saved checklist."""
    audit = _audit_to_change(request, pk, SavedChecklist)
    form = SaveAsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_checklist(
                audit,
                form.cleaned_data["name"],
                actor=request.user,
                description=form.cleaned_data["description"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Saved as “{saved.name}”.")
            return redirect("audits:saved-checklist", saved.pk)
    return render(request, "audits/checklist_save.html", {"audit": audit, "form": form})


# --- one item -----------------------------------------------------------------------------


def _row(request, item: ChecklistItem, **extra) -> HttpResponse:
    (item,) = _items(item.audit).filter(pk=item.pk)
    audit = item.audit
    return render(
        request,
        "audits/_checklist_item.html",
        {
            "item": item,
            "can_edit": _may_edit(request, audit),
            "kinds": EvidenceRecord.Kind.choices,
            # An htmx save also refreshes the counts above the list (an out-of-band swap).
            "oob_counts": (counts := result_counts(audit) if request.htmx else None),
            "oob_total": sum(c["count"] for c in counts) if counts else 0,
            **extra,
        },
    )


@member_required
def checklist_item(request, pk: int):
    item = _item(request, pk)
    (item,) = _items(item.audit).filter(pk=item.pk)
    return render(
        request,
        "audits/checklist_item.html",
        {
            "item": item,
            "audit": item.audit,
            "can_edit": _may_edit(request, item.audit),
            "can_delete": services.fieldwork_open(item.audit) and may(request.user, "delete", item),
            "history": history_of(item, request.user)[:50],
        },
    )


@member_required
def checklist_item_save(request, pk: int):
    """The item's form (a page of its own), and the htmx save of a row as it is edited: the
    answer is the row as now saved or, when refused, the row keeping what was entered and
    saying why."""
    item = _item(request, pk, "change")
    form = ItemForm(request.POST or None, initial={"result": item.result, "notes": item.notes})
    if request.method == "POST":
        error = ""
        if form.is_valid():
            try:
                services.update_item(item, actor=request.user, **form.changes())
            except ServiceError as exc:
                add_service_error(form, exc)
                error = exc.message
        else:
            error = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        if request.htmx:
            values = request.POST if error else None
            return _row(request, item, save_error=error, values=values)
        if not error:
            messages.success(request, "Item saved.")
            return redirect(_checklist_url(item.audit_id, item.pk))
    return render(request, "audits/checklist_item_form.html", {"form": form, "item": item})


@member_required
def checklist_item_delete(request, pk: int):
    item = _item(request, pk, "delete")
    back = _checklist_url(item.audit_id)
    if request.method == "POST":
        try:
            services.delete_item(item, actor=request.user)
        except ServiceError as exc:
            _refused(request, exc)
            return redirect(reverse("audits:checklist-item", args=[item.pk]))
        messages.success(request, "Item deleted.")
        return redirect(back)
    return render(request, "web/confirm_delete.html", {"object": item, "cancel_href": back})


# --- evidence -----------------------------------------------------------------------------


@member_required
def evidence_add(request, pk: int):
    """Record evidence behind an item (the small form on each row posts here too)."""
    item = get_object_or_404(
        ChecklistItem.objects.filter(organization=request.organization).select_related("audit"),
        pk=pk,
    )
    require_page(request, "add", EvidenceRecord, organization=item.organization)
    form = EvidenceForm(request.POST or None, request.FILES or None, organization=item.organization)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_evidence(
                item,
                actor=request.user,
                kind=data["kind"],
                description=data["description"],
                document_version=data["document_version"],
                interviewee=data["interviewee"],
                sample_size=data["sample_size"],
                upload=data["file"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Evidence recorded.")
            return redirect(_checklist_url(item.audit_id, item.pk))
    return render(request, "audits/evidence_form.html", {"form": form, "item": item})


@member_required
def evidence_delete(request, pk: int):
    record = object_for_page(
        request,
        EvidenceRecord.objects.filter(organization=request.organization).select_related(
            "item__audit"
        ),
        pk,
        "delete",
    )
    back = _checklist_url(record.item.audit_id, record.item_id)
    if request.method == "POST":
        try:
            services.delete_evidence(record, actor=request.user)
        except ServiceError as exc:
            _refused(request, exc)
        else:
            messages.success(request, "Evidence record deleted.")
        return redirect(back)
    return render(request, "web/confirm_delete.html", {"object": record, "cancel_href": back})


# --- saved checklists ---------------------------------------------------------------------


def _saved(request, pk: int, action: str = "view") -> SavedChecklist:
    saved = scoped_or_404(
        SavedChecklist.objects.filter(organization=request.organization), request.user, pk=pk
    )
    require_page(request, action, saved)
    return saved


@member_required
def saved_checklists(request):
    org = request.organization
    require_page(request, "view", SavedChecklist, organization=org)
    rows = scope(SavedChecklist.objects.filter(organization=org), request.user)
    audits = scope(Audit.objects.filter(organization=org), request.user)
    can_apply = may(request.user, "add", ChecklistItem, organization=org)
    return render(
        request,
        "audits/saved_checklist_list.html",
        {
            "rows": rows,
            "can_add": may(request.user, "add", SavedChecklist, organization=org),
            "audits": [a for a in audits if services.fieldwork_open(a)] if can_apply else [],
        },
    )


@member_required
def saved_checklist_create(request):
    org = request.organization
    require_page(request, "add", SavedChecklist, organization=org)
    form = SavedChecklistForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.create_saved_checklist(
                org,
                actor=request.user,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                items=form.items(),
            )
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "Checklist saved.")
            return redirect("audits:saved-checklist", saved.pk)
    return render(request, "audits/saved_checklist_form.html", {"form": form})


def _form_error(form: forms.Form, exc: ServiceError) -> None:
    """Errors on the questions (items.3.question) go on the questions field."""
    if isinstance(exc, ValidationFailed):
        for error in exc.errors:
            field = "questions" if error.field.startswith("items") else error.field
            form.add_error(field if field in form.fields else None, error.message)
    else:
        add_service_error(form, exc)


@member_required
def saved_checklist_detail(request, pk: int):
    saved = _saved(request, pk)
    requirements = Requirement.objects.select_related("standard").in_bulk(
        [e["requirement"] for e in saved.items if e.get("requirement")]
    )
    org = request.organization
    can_apply = may(request.user, "add", ChecklistItem, organization=org)
    audits = scope(Audit.objects.filter(organization=org), request.user) if can_apply else []
    return render(
        request,
        "audits/saved_checklist_detail.html",
        {
            "saved": saved,
            "entries": [
                {"requirement": requirements.get(e.get("requirement")), "question": e["question"]}
                for e in saved.items
            ],
            "audits": [a for a in audits if services.fieldwork_open(a)],
            "can_change": may(request.user, "change", saved),
            "can_delete": may(request.user, "delete", saved),
            "history": history_of(saved, request.user)[:50],
        },
    )


@member_required
def saved_checklist_edit(request, pk: int):
    saved = _saved(request, pk, "change")
    custom = "\n".join(e["question"] for e in saved.items if not e.get("requirement"))
    form = SavedChecklistForm(
        request.POST or None,
        initial={"name": saved.name, "description": saved.description, "questions": custom},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_saved_checklist(
                saved,
                actor=request.user,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                items=form.items(keep=saved.items),
            )
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "Checklist saved.")
            return redirect("audits:saved-checklist", saved.pk)
    return render(request, "audits/saved_checklist_form.html", {"form": form, "saved": saved})


@member_required
def saved_checklist_delete(request, pk: int):
    saved = _saved(request, pk, "delete")
    if request.method == "POST":
        services.delete_saved_checklist(saved, actor=request.user)
        messages.success(request, f"“{saved.name}” deleted.")
        return redirect("audits:saved-checklists")
    back = reverse("audits:saved-checklist", args=[saved.pk])
    return render(request, "web/confirm_delete.html", {"object": saved, "cancel_href": back})


@member_required
@require_POST
def saved_checklist_apply(request, pk: int):
    """Apply this saved checklist to the audit chosen on its page."""
    saved = _saved(request, pk)
    audit = _audit_to_change(request, _int(request.POST.get("audit")))
    try:
        added = services.apply_saved_checklist(audit, saved, actor=request.user)
    except ServiceError as exc:
        _refused(request, exc)
        return redirect("audits:saved-checklist", saved.pk)
    messages.success(request, f"{added} item(s) added from “{saved.name}”.")
    return redirect(_checklist_url(audit.pk))


def _int(value) -> int:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 19 else 0
