"""Reporting a nonconformity: the short report any member makes (an employee's report, a
complaint, an incident, a deviation, a supplier issue). It waits for triage
(`improvement.workflow`)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from pdca.core.activity import record_activity, snapshot
from pdca.core.exceptions import FieldError, ValidationFailed
from pdca.core.permissions import require
from pdca.improvement.models import Nonconformity
from pdca.improvement.validation import check_evidence, check_text

#: What a member may report directly (audit findings come through the audit).
REPORTABLE_SOURCES = (
    Nonconformity.Source.EMPLOYEE,
    Nonconformity.Source.COMPLAINT,
    Nonconformity.Source.INCIDENT,
    Nonconformity.Source.DEVIATION,
    Nonconformity.Source.SUPPLIER,
)


@transaction.atomic
def report_nonconformity(
    organization,
    *,
    actor,
    title: str,
    description: str,
    source: str = Nonconformity.Source.EMPLOYEE,
    process=None,
    site=None,
    evidence: Iterable = (),
) -> Nonconformity:
    """Any member reports a nonconformity in a few words; it waits for triage. The reporter
    sees it (and only it, for an employee) and the system managers are told."""
    from pdca.improvement import notifications
    from pdca.improvement.numbering import lock_organization, next_reference

    require(actor, "report", Nonconformity, organization=organization)
    errors: list[FieldError] = []
    data = {"title": title, "description": description}
    try:
        title = check_text(data, "title", "Give it a short title.", required=True, limit=200)
    except ValidationFailed as exc:
        errors += exc.errors
    try:
        description = check_text(
            data, "description", "Say what happened, where and when.", required=True
        )
    except ValidationFailed as exc:
        errors += exc.errors
    if source not in REPORTABLE_SOURCES:
        errors.append(
            FieldError(
                "source",
                f"Choose one of: {', '.join(REPORTABLE_SOURCES)} (audits raise findings).",
            )
        )
    for name, value in (("process", process), ("site", site)):
        if value is not None and value.organization_id != organization.pk:
            errors.append(FieldError(name, f"Choose a {name} of this organization."))
    try:
        files = check_evidence(organization.pk, evidence)
    except ValidationFailed as exc:
        errors += exc.errors
        files = []
    if errors:
        raise ValidationFailed(errors)
    lock_organization(organization.pk)
    nc = Nonconformity.objects.create(
        organization=organization,
        reference=next_reference(organization.pk),
        title=title,
        description=description,
        source=source,
        process=process,
        site=site,
        reported_by=actor,
    )
    nc.attachments.set(files)
    changes = {k: [None, v] for k, v in snapshot(nc).items() if v not in (None, "", [], {})}
    if files:
        changes["attachments"] = [[], sorted(f.pk for f in files)]
    record_activity(actor=actor, action="report", obj=nc, changes=changes)
    notifications.nonconformity_reported(nc, actor=actor)
    return nc
