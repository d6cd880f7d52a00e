"""The demo's engagements: Northbridge Certification's client record "Acme Manufacturing"
linked to Acme's own organization, with an access grant open for the next stage 1 document
review (published documents, the risk register and a rehearsal of Acme's system), an evidence
request waiting for Acme's answer and one answered, and the stage 1 and stage 2 audits
released to Acme (the stage 2 findings linked to the nonconformities Acme recorded by hand);
Bright Path Consulting's consultancy to Acme and to Fenwick Foods (its portfolio); and a
stage 1 rehearsal of Acme's system. Idempotent: nothing happens once Acme has an
engagement."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from pdca.accounts.models import User
from pdca.certification.models import Client
from pdca.documents.models import Document, DocumentVersion
from pdca.engagements.models import Engagement
from pdca.engagements.rehearsal.services import run_rehearsal
from pdca.engagements.services import grants, links, requests
from pdca.engagements.services.findings import audits_of, release_audit
from pdca.system.models import ManagementSystem
from pdca.tenancy.models import Organization

CB_MANAGER = "manager@northbridge.example"
LEAD = "lead@northbridge.example"
ACME_MANAGER = "quality@acme.example"
FENWICK_MANAGER = "foodsafety@fenwick.example"
CONSULTANT = "consultant@brightpath.example"


def _secret(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def _link(
    org: Organization, invitee: str, client_org: Organization, title: str, **kw
) -> Engagement:
    inviter = User.objects.get(email=CB_MANAGER if "client" in kw else CONSULTANT)
    invited = links.invite_client(org, email=invitee, title=title, actor=inviter, **kw)
    return links.accept_engagement(
        _secret(invited.url), client_org, actor=User.objects.get(email=invitee)
    )


def load(context: dict) -> None:
    acme = Organization.objects.filter(slug="acme").first()
    northbridge = Organization.objects.filter(slug="northbridge").first()
    if acme is None or northbridge is None:
        return
    if Engagement.objects.filter(client_organization=acme).exists():
        return
    record = Client.objects.filter(organization=northbridge, name="Acme Manufacturing").first()
    if record is None:
        return
    today = timezone.localdate()
    acme_manager = User.objects.get(email=ACME_MANAGER)
    lead = User.objects.get(email=LEAD)
    certification = _link(
        northbridge, ACME_MANAGER, acme, "ISO 9001 certification of Acme", client=record
    )
    published = list(
        Document.objects.filter(
            organization=acme,
            pk__in=DocumentVersion.objects.filter(
                organization=acme, status=DocumentVersion.Status.PUBLISHED
            ).values("document_id"),
        ).order_by("code")[:6]
    )
    system = ManagementSystem.objects.filter(organization=acme).order_by("pk").first()
    grants.grant_access(
        certification,
        purpose="Stage 1 document review for the surveillance visit",
        starts_at=None,
        ends_at=timezone.now() + dt.timedelta(days=21),
        documents=[d.pk for d in published],
        registers=["risks", "objectives"],
        system=system.pk if system else None,
        actor=acme_manager,
    )
    requests.request_evidence(
        certification,
        title="Calibration records of the CMM and hand gauges",
        kind="sample",
        sample_size=5,
        description="Five calibration certificates from the last twelve months, chosen by you.",
        due_date=today + dt.timedelta(days=10),
        actor=lead,
    )
    answered = requests.request_evidence(
        certification,
        title="Current quality policy",
        kind="document",
        due_date=today + dt.timedelta(days=5),
        actor=lead,
    )
    policy = next((d for d in published if d.code == "POL-QMS"), None) or (
        published[0] if published else None
    )
    if policy is not None:
        requests.answer_request(
            answered,
            documents=[policy.pk],
            note="Published and communicated; see the acknowledgements.",
            actor=acme_manager,
        )
    # The body releases Acme's stage 1 and stage 2: their findings link to the nonconformities
    # Acme recorded by hand from the closing meeting, with no second copy.
    for audit in audits_of(certification):
        if audit.status in ("report_issued", "closed"):
            release_audit(certification, audit, actor=lead)
    brightpath = Organization.objects.filter(slug="brightpath").first()
    consultant = User.objects.filter(email=CONSULTANT).first()
    if brightpath is not None and consultant is not None:
        consultancy = _link(brightpath, ACME_MANAGER, acme, "Integrated management system for Acme")
        links.set_consultancy(
            consultancy,
            started_on=today - dt.timedelta(days=420),
            ended_on=None,
            consultants=[consultant],
            actor=consultant,
        )
        fenwick = Organization.objects.filter(slug="fenwick").first()
        if fenwick is not None and User.objects.filter(email=FENWICK_MANAGER).exists():
            food = _link(brightpath, FENWICK_MANAGER, fenwick, "ISO 22000 and 22301 for Fenwick")
            links.set_consultancy(
                food,
                started_on=today - dt.timedelta(days=150),
                ended_on=None,
                consultants=[consultant],
                actor=consultant,
            )
    _rehearse(system, acme_manager)


def _rehearse(system: ManagementSystem | None, actor: User) -> None:
    """A stage 1 rehearsal of Acme's system, as its system manager runs it."""
    if system is None:
        return
    run_rehearsal(system, actor=actor)
