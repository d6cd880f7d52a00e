"""Who reported a nonconformity, as people name it: the person who reported it, or, for one an
audit finding opened, the audit, the finding and its auditor ("Audit IA-2026-01, finding F1
(Ines Auditor)"). Nobody reports those by hand, so `reported_by` stays empty on them.

Callers read `finding__audit__lead_auditor` and `finding__raised_by` along with the
nonconformity (`REPORTER_RELATED`), so a list of them takes no query per row."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist

from pdca.improvement.models import Nonconformity

#: For select_related(): everything `reporter` reads.
REPORTER_RELATED = ("reported_by", "finding__audit__lead_auditor", "finding__raised_by")


def reporter(nonconformity: Nonconformity) -> str:
    """The reporter's name, the audit finding that opened it, or "" when neither is known."""
    try:
        finding = nonconformity.finding
    except ObjectDoesNotExist:  # a reverse one-to-one with nothing on the other side
        finding = None
    if finding is not None:
        audit = finding.audit
        text = f"Audit {audit.reference or audit.title}, finding F{finding.number}"
        auditor = finding.raised_by or audit.lead_auditor
        return f"{text} ({auditor})" if auditor is not None else text
    if nonconformity.reported_by is not None:
        return str(nonconformity.reported_by)
    return ""
