"""Codes for new documents from the organization's numbering schemes (`QP-001`)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from pdca.documents.models import Document, NumberingScheme
from pdca.documents.models.documents import DocType

#: Prefixes used until an organization sets its own.
DEFAULT_PREFIXES: dict[str, str] = {
    DocType.POLICY: "POL",
    DocType.MANUAL: "MAN",
    DocType.PROCEDURE: "QP",
    DocType.WORK_INSTRUCTION: "WI",
    DocType.FORM: "F",
    DocType.PLAN: "PLN",
    DocType.RECORD: "REC",
    DocType.OTHER: "DOC",
}


@transaction.atomic
def next_code(organization, doc_type: str) -> str:
    """The next free code for a document of `doc_type`, taken under a row lock so two people
    creating documents at once never get the same one."""
    scheme = (
        NumberingScheme.objects.select_for_update()
        .filter(organization=organization, doc_type=doc_type)
        .first()
    )
    if scheme is None:
        try:
            with transaction.atomic():
                NumberingScheme.objects.create(
                    organization=organization,
                    doc_type=doc_type,
                    prefix=DEFAULT_PREFIXES.get(doc_type, "DOC"),
                )
        except IntegrityError:
            pass  # someone creating a document of this type at the same moment made it first
        scheme = NumberingScheme.objects.select_for_update().get(
            organization=organization, doc_type=doc_type
        )
    taken = set(
        Document.objects.filter(
            organization=organization, code__istartswith=f"{scheme.prefix}-"
        ).values_list("code", flat=True)
    )
    number = scheme.next_number
    while (code := f"{scheme.prefix}-{number:0{scheme.digits}d}").upper() in {
        t.upper() for t in taken
    }:
        number += 1
    scheme.next_number = number + 1
    scheme.save(update_fields=["next_number", "updated_at"])
    return code
