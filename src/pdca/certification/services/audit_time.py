"""Audit time on an application: the application's figures read by the calculator
(`certification.audit_time.calculate`) for each of its standards, with the integrated-audit
reduction (IAF MD 11) when there are several, kept as one `AuditTimeCalculation` per standard.

Which calculation a standard gets comes from its catalog code: ISO 9001 → qms, ISO 14001 →
ems, ISO 45001 → ohsms (IAF MD 5 tables), ISO/IEC 27001 → isms (ISO/IEC 27006-1); ISO/IEC
42001, ISO 22000 and ISO 22301 have no published table in pdca's reference, so the body enters
their initial days with a justification (scheme "entered").

A calculation may be made again (it replaces the previous one) until the contract review is
done; after that it is the record the programme is planned from, and is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from pdca.certification.audit_time import (
    STAGE1_SHARE,
    Adjustment,
    AuditTimeResult,
    IdenticalActivity,
    RepetitiveFunctions,
    calculate,
    load_table,
)
from pdca.certification.models import Application, AuditTimeCalculation
from pdca.certification.services.sampling import (
    SamplingResult,
    Selection,
    sample_sites,
    select_sites,
)
from pdca.core.activity import record_activity
from pdca.core.concurrency import lock_for_update
from pdca.core.exceptions import Conflict, FieldError, ValidationFailed
from pdca.core.permissions import require

if TYPE_CHECKING:
    from pdca.accounts.models import User
    from pdca.standards.models import Standard

__all__ = [
    "ENTERED_KEYS",
    "SCHEME_PREFIXES",
    "SiteSample",
    "calculate_application_time",
    "calculation_inputs",
    "complexity_columns",
    "scheme_of",
    "site_sample",
]

#: Catalog code prefix → calculator scheme (tables of IAF MD 5 and ISO/IEC 27006-1).
SCHEME_PREFIXES = {"iso9001": "qms", "iso14001": "ems", "iso45001": "ohsms", "iso27001": "isms"}
#: Catalog code prefix → the calculator's name of a standard whose days are entered.
ENTERED_KEYS = {"iso42001": "aims", "iso22000": "fsms", "iso22301": "bcms"}
OPEN_STATUSES = (Application.Status.DRAFT, Application.Status.SUBMITTED)


def _prefix(code: str) -> str:
    return code.split("-", 1)[0]


def scheme_of(standard: Standard) -> tuple[str, str | None]:
    """(scheme, entered standard key) of a catalog standard: ("qms", None) for ISO 9001,
    ("entered", "aims") for ISO/IEC 42001; ("entered", None) for a standard pdca has neither
    a table nor a name for (it cannot be calculated)."""
    prefix = _prefix(standard.code)
    if prefix in SCHEME_PREFIXES:
        return SCHEME_PREFIXES[prefix], None
    return "entered", ENTERED_KEYS.get(prefix)


def integration_key(standard: Standard) -> str | None:
    """How the calculator names `standard` among those audited together."""
    scheme, key = scheme_of(standard)
    return key if scheme == "entered" else scheme


def complexity_columns(standard: Standard) -> tuple[str, ...]:
    """The complexity categories of the standard's table (empty when it has none)."""
    scheme, _ = scheme_of(standard)
    if scheme == "entered":
        return ()
    table = load_table(scheme)
    return () if table.single_column else table.columns


def _share(value: Any) -> float:
    return float(value) if isinstance(value, Decimal) else value


def calculation_inputs(application: Application, standard: Standard) -> dict[str, Any]:
    """The calculator's keyword arguments read from the application for `standard` (without
    adjustments, integration and entered days)."""
    scheme, key = scheme_of(standard)
    inputs: dict[str, Any] = {
        "personnel": application.permanent_personnel,
        "temporary": application.temporary_personnel,
    }
    if application.part_time_hours:
        inputs["part_time_hours"] = float(application.part_time_hours)
        inputs["full_time_hours"] = float(application.full_time_hours)
    if scheme == "isms" and application.identical_activities:
        inputs["identical_activities"] = [
            IdenticalActivity(str(item.get("name", "")), item.get("persons"))
            for item in application.identical_activities
        ]
    if scheme in ("qms", "ems", "ohsms") and application.repetitive_persons:
        inputs["repetitive_functions"] = RepetitiveFunctions(
            application.repetitive_persons, application.repetitive_justification
        )
    if complexity_columns(standard):
        inputs["complexity"] = application.complexity or None
    if scheme == "entered":
        inputs["standard"] = key
    return inputs


#: Calculator field → the application field (or form field) a refusal is shown on.
FIELD_OF = {
    "personnel": "permanent_personnel",
    "temporary": "temporary_personnel",
    "identical_activities": "identical_activities",
    "repetitive_functions": "repetitive_persons",
    "repetitive_functions.persons": "repetitive_persons",
    "repetitive_functions.justification": "repetitive_justification",
    "integration_reason": "integration_notes",
    "integrated_with": "standards",
    "off_site": "off_site_share",
}


def _renamed(exc: ValidationFailed, standard: Standard) -> ValidationFailed:
    errors = []
    for error in exc.errors:
        head = error.field.split("[")[0]
        name = FIELD_OF.get(error.field, FIELD_OF.get(head, error.field))
        if name in ("days", "justification", "standard"):
            name = f"{name}.{standard.code}"
        errors.append(FieldError(name, f"{standard}: {error.message}", error.code))
    return ValidationFailed(errors)


def _per_standard(value: Any, standard: Standard) -> Any:
    """`value` for `standard`: a mapping is read by the standard's code; a single value
    applies to every standard (for days, only when one standard needs them)."""
    if isinstance(value, Mapping):
        return value.get(standard.code)
    return value


def _jsonable(inputs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in inputs.items():
        if isinstance(value, list | tuple):
            out[name] = [getattr(v, "__dict__", v) for v in value]
        elif isinstance(value, RepetitiveFunctions | Adjustment):
            out[name] = dict(value.__dict__)
        elif isinstance(value, Fraction):
            out[name] = float(value)
        else:
            out[name] = value
    return out


def _calculate_one(
    application: Application,
    standard: Standard,
    others: list[str],
    adjustments: Sequence[Adjustment],
    stage1_share: Fraction | float,
    days: float | None,
    justification: str,
) -> tuple[dict[str, Any], AuditTimeResult]:
    scheme, key = scheme_of(standard)
    if scheme == "entered" and key is None:
        raise ValidationFailed.single(
            "standards", f"{standard}: pdca has no audit-time rule for this standard"
        )
    inputs = calculation_inputs(application, standard)
    inputs.update(
        adjustments=list(adjustments),
        stage1_share=stage1_share,
        integrated_with=[o for o in others if o != integration_key(standard)],
        integration_reduction=float(application.integration_reduction),
        integration_reason=application.integration_notes,
    )
    if not inputs["integrated_with"]:
        inputs.pop("integrated_with")
        inputs.pop("integration_reduction")
        inputs.pop("integration_reason")
    if scheme == "entered":
        inputs.update(days=days, justification=justification or "")
    try:
        result = calculate(scheme, **inputs)
        share = _share(application.off_site_share)
        if share:
            # The off-site share of planning and reporting, in days of this result.
            inputs["off_site"] = round(share * result.initial.days, 2)
            result = calculate(scheme, **inputs)
    except ValidationFailed as exc:
        raise _renamed(exc, standard) from None
    inputs["scheme"] = scheme
    inputs["off_site_share"] = share
    return _jsonable(inputs), result


@dataclass(frozen=True)
class SiteSample:
    """The multi-site sample of an application: the rule's result and the sites chosen."""

    result: SamplingResult
    selection: Selection

    def to_dict(self) -> dict[str, Any]:
        return {**self.result.to_dict(), "selection": self.selection.to_dict()}


def default_seed(application: Application) -> int:
    """A seed anyone can repeat: the application's id and the count of its client's sites."""
    return int(application.pk or 0) * 1000 + application.client.sites.count()


def site_sample(
    application: Application,
    *,
    stage: str = "initial",
    risk_increase: int = 0,
    seed: int | None = None,
    chosen: Sequence[int] = (),
) -> SiteSample | None:
    """The IAF MD 1 sample of the application's client when the application is multi-site
    and the client has several sites (None otherwise). The application's own sites are used
    when it names some; the central function is audited besides the sample."""
    if not application.multi_site:
        return None
    named = list(application.sites.all()) if application.pk else []
    sites = named or list(application.client.sites.filter(archived_at__isnull=True))
    if len(sites) < 2:
        return None
    others = sorted((s.pk, s.name) for s in sites if not s.is_central)
    result = sample_sites(len(others), stage, risk_increase)
    if seed is None:
        seed = default_seed(application)
    return SiteSample(result, select_sites(result, others, seed=seed, chosen=chosen))


@transaction.atomic
def calculate_application_time(
    application: Application,
    *,
    actor: User | None,
    adjustments: Sequence[Adjustment] | Mapping[str, Sequence[Adjustment]] = (),
    stage1_share: Fraction | float = STAGE1_SHARE,
    days: float | Mapping[str, float] | None = None,
    justification: str | Mapping[str, str] = "",
    sample: SiteSample | None = None,
) -> list[AuditTimeCalculation]:
    """Calculate the audit time of every standard of the application and keep it, replacing
    the previous calculations (refused once the contract review is done).

    `adjustments` apply to every standard, or per standard code when given as a mapping;
    `days` and `justification` are the entered initial days of a standard without a table
    (per standard code, or one value when one standard needs them). Integration (IAF MD 11)
    applies when there are several standards. `sample` (see `site_sample`) is kept with the
    inputs. Nothing is kept when any standard's calculation is refused."""
    lock_for_update(application)
    require(actor, "change", application)
    if application.status not in OPEN_STATUSES:
        raise Conflict(
            f"The audit time of {application.reference} cannot change: its contract review is "
            f"done ({application.get_status_display().lower()}).",
            code="application_closed",
        )
    standards = list(application.standards.order_by("code"))
    if not standards:
        raise ValidationFailed.single("standards", "The application names no standard.")
    entered = [s for s in standards if scheme_of(s)[0] == "entered"]
    if days is not None and not isinstance(days, Mapping) and len(entered) > 1:
        raise ValidationFailed.single(
            "days", "Several standards need entered days: give them per standard."
        )
    keys = [k for k in (integration_key(s) for s in standards) if k]
    made: list[tuple[Standard, dict[str, Any], AuditTimeResult]] = []
    errors: list[FieldError] = []
    for standard in standards:
        own_adjustments = _per_standard(adjustments, standard) or ()
        try:
            inputs, result = _calculate_one(
                application,
                standard,
                keys if len(standards) > 1 else [],
                own_adjustments,
                stage1_share,
                _per_standard(days, standard),
                _per_standard(justification, standard) or "",
            )
        except ValidationFailed as exc:
            errors.extend(exc.errors)
            continue
        if sample is not None:
            inputs["sampling"] = sample.to_dict()
        made.append((standard, inputs, result))
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    previous = {c.standard_id: c.initial_days for c in application.calculations.all()}
    application.calculations.all().delete()
    calculations = []
    for standard, inputs, result in made:
        calculation = AuditTimeCalculation.objects.create(
            organization_id=application.organization_id,
            application=application,
            standard=standard,
            scheme=result.scheme,
            inputs=inputs,
            result=result.to_dict(),
            initial_days=Decimal(str(result.initial.days)),
            stage1_days=Decimal(str(result.stage1.days)),
            stage2_days=Decimal(str(result.stage2.days)),
            surveillance_days=Decimal(str(result.surveillance.days)),
            recertification_days=Decimal(str(result.recertification.days)),
            calculated_by=actor if getattr(actor, "is_authenticated", False) else None,
            calculated_at=now,
        )
        calculations.append(calculation)
        before = previous.get(standard.pk)
        record_activity(
            actor=actor,
            action="calculate",
            obj=calculation,
            changes={
                "initial_days": [None if before is None else before, calculation.initial_days]
            },
            message=f"{standard}: {result.initial.days:g} days initial "
            f"(stage 1 {result.stage1.days:g}, stage 2 {result.stage2.days:g}, surveillance "
            f"{result.surveillance.days:g}, recertification {result.recertification.days:g})",
        )
    return calculations
