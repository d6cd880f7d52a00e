"""Every model that declares records refuses to delete them, on every path: proved on the demo
data, which holds records of every kind (an issued audit report, published and acknowledged
documents, an approved SoA, closed and verified nonconformities, effectiveness checks,
measurements, evidence linked to records)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.db.models import ProtectedError

from pdca.core.exceptions import Conflict
from pdca.core.records.rules import deletion_refusal, ensure_deletable, record_models, record_reason
from pdca.core.registers.services import delete_entry
from pdca.core.registers.spec import all_specs
from pdca.demo import load_demo
from pdca.improvement.models import ImprovementOpportunity
from pdca.risks.models import Risk, TreatmentAction
from pdca.system.models import Objective
from pdca.tenancy.models import Membership


def _arrange_records_the_demo_lacks() -> None:
    """Take one row of each kind the demo leaves short of being a record to that state."""
    for model, status in (
        (ImprovementOpportunity, ImprovementOpportunity.Status.IMPLEMENTED),
        (Risk, Risk.Status.CLOSED),
        (TreatmentAction, TreatmentAction.Status.DONE),
        (Objective, Objective.Status.ACHIEVED),
    ):
        if not model.objects.filter(status=status).exists():
            first = model.objects.order_by("pk").first()
            if first is None:  # the demo's risks have no treatment actions yet
                risk = Risk.objects.order_by("pk").first()
                first = TreatmentAction.objects.create(
                    organization=risk.organization, risk=risk, description="Guard fitted"
                )
            model.objects.filter(pk=first.pk).update(status=status)


def _records(model):
    return [row for row in model.objects.all()[:400] if record_reason(row)]


def _manager_of(organization):
    membership = (
        Membership.objects.filter(organization=organization, role="system_manager")
        .select_related("user")
        .first()
    )
    return membership.user if membership else None


@pytest.mark.django_db
def test_no_record_of_any_model_can_be_deleted_by_any_path(catalog):
    load_demo()
    _arrange_records_the_demo_lacks()
    models = record_models()
    assert len(models) >= 20, [m._meta.label for m in models]

    missing = []
    for model in models:
        label = model._meta.label
        records = _records(model)
        if not records:
            missing.append(label)
            continue
        for row in records:
            # The guard refuses it; a protected link may refuse it first.
            with pytest.raises((Conflict, ProtectedError)) as refused, transaction.atomic():
                row.delete()
            if isinstance(refused.value, Conflict):
                assert refused.value.code == "is_record", label
            assert model.objects.filter(pk=row.pk).exists(), label
            with pytest.raises(Conflict) as checked:
                ensure_deletable(row)
            assert checked.value.code == "is_record", label
    assert not missing, f"the demo holds no record of: {missing}"

    # Through the register service (pages, API, CLI, imports): an entry that is a record, or
    # whose deletion would delete or change one (a process named by a closed nonconformity).
    refused_entries = 0
    for spec in all_specs():
        for row in spec.model.objects.all()[:200]:
            if deletion_refusal(row) is None:
                continue
            manager = _manager_of(row.organization)
            if manager is None:
                continue
            with pytest.raises(Conflict) as caught:
                delete_entry(spec, row, actor=manager)
            assert caught.value.code == "is_record", spec.slug
            assert spec.model.objects.filter(pk=row.pk).exists()
            refused_entries += 1
    assert refused_entries >= 10


#: Organization-owned models whose rows never become records, and why.
NEVER_RECORDS = {
    "food.FoodSafetyMethod": "the organization's method; its changes are logged and each hazard "
    "analysis and exercise keeps a copy of it",
    "food.PrerequisiteProgramme": "maintained information; its verifications are the records",
    "food.ProcessFlow": "maintained information, updated as the product changes; changes are "
    "logged",
    "food.FlowStep": "part of a maintained flow diagram; changes are logged",
    "food.HazardAnalysis": "maintained information the food safety team updates; each keeps the "
    "method copy and decision it was judged with, and changes are logged",
    "food.HazardControlPlan": "maintained information; its monitoring deviations are the records",
    "environment.SignificanceMethod": "the organization's method; its changes are logged and "
    "each assessed aspect keeps a copy",
    "continuity.BiaMethod": "the organization's method; its changes are logged and each "
    "analysis keeps a snapshot of the method it was assessed with",
    "safety.HazardMethod": "the organization's hazard scoring method; its changes are logged "
    "and each scored hazard keeps a copy of it",
    "safety.HazardControl": "one measure of a hazard's control plan, maintained information "
    "archived instead of deleted; its changes are logged",
    "tenancy.Site": "a place; the records made there name it in their own words",
    "tenancy.Membership": "who holds which role; every change is in the activity log",
    "tenancy.Invitation": "a pending offer to join; accepted ones become memberships",
    "system.ContextIssue": "maintained information, archived instead of deleted when withdrawn",
    "system.InterestedParty": "maintained information, archived instead of deleted",
    "system.ManagementSystem": "the system's definition; its changes are logged",
    "system.AdoptedStandard": "part of the system's definition",
    "system.Exclusion": "part of the system's definition; removing one is logged",
    "system.Process": "maintained information; deleting one that a record names is refused",
    "system.Responsibility": "maintained information (RACI), archived instead of deleted",
    "system.RaciAssignment": "one cell of the RACI matrix; changes are logged",
    "risks.AISystem": "an inventory entry; its completed impact assessments are the records",
    "risks.RiskMethod": "the organization's method; its changes are logged",
    "risks.ControlApplicability": "an SoA line; approved versions keep the snapshot as a record",
    "documents.NumberingScheme": "a setting for new document codes",
    "audits.SavedChecklist": "a reusable question list, not audit evidence",
    "improvement.CapaPolicy": "a setting; its changes are logged",
    "reviews.ReviewPlan": "a setting (how often a system is reviewed); its changes are logged",
    "improvement.CertificationTerms": "a certification body's terms, archived when superseded",
    "certification.CertificationBodyProfile": "the body's settings (one row, changed in place); "
    "its changes are logged and certificates keep what they printed",
    "certification.AccreditedScope": "maintained information, archived instead of deleted; a "
    "certificate keeps the accreditation it was issued under",
    "certification.Client": "maintained information, archived instead of deleted; deleting one "
    "that an application, cycle or certificate names is refused",
    "certification.ConflictOfInterest": "a declaration kept as maintained information: ended "
    "by its end date, archived instead of deleted; every change is logged",
    # Not org-owned (platform jobs have no organization), listed so that nobody wonders.
    "core.Job": "bookkeeping of slow work (a report to make, a file to import, a mail): what "
    "a job changes is logged by the services it calls; finished jobs are cleared after "
    "PDCA_JOB_KEEP_DAYS",
    "core.ScheduledRun": "the marker that a daily job was started, so that workers start it once",
}


def test_every_organization_owned_model_says_whether_its_rows_become_records():
    from django.apps import apps

    from pdca.core.models import OrgOwned

    declared = {m._meta.label for m in record_models()}
    undecided = sorted(
        m._meta.label
        for m in apps.get_models()
        if issubclass(m, OrgOwned)
        and m._meta.label not in declared
        and m._meta.label not in NEVER_RECORDS
    )
    assert not undecided, (
        "declare record_reason() on these models, or list them in NEVER_RECORDS with a reason: "
        f"{undecided}"
    )
    assert not declared & set(NEVER_RECORDS)
