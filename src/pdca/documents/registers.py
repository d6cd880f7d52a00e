"""The register of documented information, declared once (see `core.registers`)."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from pdca.core.exceptions import ValidationFailed
from pdca.core.registers.spec import RegisterSpec
from pdca.documents.models import Document, DocumentVersion, NumberingScheme


def _annotate(queryset):
    versions = DocumentVersion.objects.filter(document=OuterRef("pk")).order_by("-number")
    return queryset.annotate(
        latest_number=Subquery(versions.values("number")[:1]),
        latest_status=Subquery(versions.values("status")[:1]),
        published_number=Subquery(versions.filter(status="published").values("number")[:1]),
    )


def _validate(document: Document, related) -> None:
    if (
        document.code
        and Document.objects.filter(
            organization_id=document.organization_id, code__iexact=document.code
        )
        .exclude(pk=document.pk)
        .exists()
    ):
        raise ValidationFailed.single(
            "code", f"Another document already has the code {document.code}."
        )


def _number(document: Document) -> None:
    if not document.code:
        from pdca.documents.numbering import next_code

        document.code = next_code(document.organization, document.doc_type)


def _detail(request, document):
    from pdca.documents.versions.views import document_detail_context

    return document_detail_context(request, document)


DOCUMENTS = RegisterSpec(
    model=Document,
    slug="documents",
    namespace="documents",
    key_field="code",
    fields=(
        "code",
        "title",
        "kind",
        "doc_type",
        "owner",
        "classification",
        "review_interval_months",
        "description",
        "sites",
        "processes",
        "requirements",
    ),
    columns=("code", "title", "doc_type", "owner", "state", "review_due"),
    column_labels={"state": "Status", "review_due": "Review due"},
    filters=("kind", "doc_type", "classification", "owner", "processes"),
    search=("code", "title", "description", "versions__content"),
    ordering=("code", "title", "doc_type", "review_due"),
    clauses=("7.5",),
    validate=_validate,
    before_save=_number,
    annotate=_annotate,
    detail_template="documents/_document_detail.html",
    detail_context=_detail,
    list_links=(
        ("Search", "search"),
        ("Mandatory documented information", "coverage"),
        ("Templates", "template-list"),
        ("Evidence files", "evidence-list"),
        ("Numbering", "numbering-schemes-list"),
    ),
    intro=(
        "Documented information (clause 7.5): documents the organization maintains and records "
        "it retains, each with its versions, approval, publication and acknowledgement."
    ),
)


def _validate_scheme(scheme: NumberingScheme, related) -> None:
    import re

    from pdca.core.exceptions import FieldError

    errors = []
    if scheme.prefix and not re.fullmatch(r"[A-Z0-9][A-Z0-9.-]{0,11}", scheme.prefix.upper()):
        errors.append(
            FieldError("prefix", "Use capital letters, digits, dots and hyphens (e.g. QP, ISMS-P).")
        )
    if not 1 <= (scheme.digits or 0) <= 8:
        errors.append(FieldError("digits", "Between 1 and 8 digits."))
    if (scheme.next_number or 0) < 1:
        errors.append(FieldError("next_number", "Numbers start at 1."))
    if (
        NumberingScheme.objects.filter(
            organization_id=scheme.organization_id, doc_type=scheme.doc_type
        )
        .exclude(pk=scheme.pk)
        .exists()
    ):
        errors.append(FieldError("doc_type", "This type already has a numbering scheme."))
    if errors:
        raise ValidationFailed(errors)


def _upper_prefix(scheme: NumberingScheme) -> None:
    scheme.prefix = scheme.prefix.upper()


NUMBERING = RegisterSpec(
    model=NumberingScheme,
    slug="numbering-schemes",
    namespace="documents",
    key_field="doc_type",
    fields=("doc_type", "prefix", "digits", "next_number"),
    columns=("doc_type", "prefix", "digits", "next_number"),
    column_labels={"doc_type": "Document type"},
    filters=(),
    search=("prefix",),
    ordering=("doc_type", "prefix"),
    user_fields=(),
    validate=_validate_scheme,
    before_save=_upper_prefix,
    intro=(
        "How new documents are numbered, per type: a prefix, the number of digits and the next "
        "number (QP-001). A type without a scheme gets the default prefix on first use; a code "
        "typed by hand is kept, and the scheme skips it."
    ),
)

SPECS = (DOCUMENTS, NUMBERING)
