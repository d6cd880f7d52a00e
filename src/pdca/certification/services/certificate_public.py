"""What anyone may learn about a certificate without signing in, and the public register.

The public facts are the certificate's number, status (valid or not) and the date of that
status, the client's name as printed, the scope, the sites (name and country), the standards
(each named in full with its amendments, `ISO 9001:2015+A1:2024`, and the transition to the
edition replacing it, when one does), the validity dates, the certification body's name and the
accreditation. Nothing else: no ids, no contacts or addresses, no history, no reason for a
suspension or a withdrawal. A certificate to an edition whose transition has ended is not
valid, whatever its recorded status (reference 8), until the body transfers or expires it.

Verification by number works for every certificate kept here. The searchable register lists
the certificates of the bodies whose profile has `public_register` on (a replaced certificate
is left out: its successor is listed).

Both are rate-limited per client address (`PDCA_VERIFY_RATE_LIMIT` requests a minute) with
Django's cache: with a cache shared by every process (see docs/administration.md) the limit
holds across processes; with the default local-memory cache it holds per process.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from pdca.certification.models import Certificate, CertificationBodyProfile
from pdca.certification.services.editions import (
    standard_facts,
    standards_prefetch,
    transitions_of,
)

S = Certificate.Status

#: The rate limit's window, in seconds.
WINDOW_SECONDS = 60


def find_certificate(number: str) -> Certificate | None:
    """The certificate with this number in any body, or None."""
    number = (number or "").strip()
    if not number or len(number) > 40:
        return None
    return (
        Certificate.objects.select_related("organization", "renewal")
        .prefetch_related(standards_prefetch(), "sites")
        .filter(number__iexact=number)
        .first()
    )


def valid_on(cert: Certificate, on: dt.date) -> bool:
    """In force, and to no edition whose transition has ended by `on`."""
    return cert.is_valid and not any(t.ended(on) for t in transitions_of(cert.standards.all()))


def transition_sentences(cert: Certificate, on: dt.date) -> list[str]:
    """The transitions of the certificate's editions, one sentence each, for a certificate
    that is not final (in force or suspended)."""
    if cert.status not in (S.ACTIVE, S.SCOPE_REDUCED, S.SUSPENDED):
        return []
    return [t.sentence(on) for t in transitions_of(cert.standards.all())]


def _status_sentence(cert: Certificate, on: dt.date | None = None) -> str:
    """The status in words; a certificate in force to an edition whose transition has ended
    is described by that end (the transitions still running are in `transitions`)."""
    on = on or timezone.localdate()
    if cert.is_valid:
        ended = [t.sentence(on) for t in transitions_of(cert.standards.all()) if t.ended(on)]
        if ended:
            return " ".join(ended)
    return _status_only(cert, cert.status_changed_on.isoformat())


def _status_only(cert: Certificate, day: str) -> str:
    if cert.status == S.ACTIVE:
        return f"Valid: issued on {cert.issued_on.isoformat()}, valid until {cert.expires_on}."
    if cert.status == S.SCOPE_REDUCED:
        return f"Valid, with a scope reduced on {day}, until {cert.expires_on}."
    if cert.status == S.SUSPENDED:
        return f"Not valid: suspended since {day}."
    if cert.status == S.WITHDRAWN:
        return f"Not valid: withdrawn on {day}."
    if cert.status == S.EXPIRED:
        return f"Not valid: expired on {day}."
    return f"Not valid: replaced on {day}."


def public_facts(cert: Certificate) -> dict[str, Any]:
    """The certificate as the public sees it (see the module docstring)."""
    renewal = getattr(cert, "renewal", None) if cert.status == S.RENEWED else None
    today = timezone.localdate()
    return {
        "number": cert.number,
        "status": cert.status,
        "status_label": cert.get_status_display(),
        "valid": valid_on(cert, today),
        "status_date": cert.status_changed_on,
        "status_text": _status_sentence(cert, today),
        "client_name": cert.client_name,
        "scope": cert.scope,
        "sites": [
            {"name": site.name, "country": site.country}
            for site in sorted(cert.sites.all(), key=lambda s: (not s.is_central, s.name))
        ],
        "standards": [
            standard_facts(s, today)
            for s in sorted(cert.standards.all(), key=lambda s: (s.name, s.edition))
        ],
        "transitions": transition_sentences(cert, today),
        "issued_on": cert.issued_on,
        "original_issued_on": cert.original_issued_on,
        "expires_on": cert.expires_on,
        "certification_body": cert.organization.name,
        "accredited": cert.accredited,
        "accreditation_body": cert.accreditation_body if cert.accredited else "",
        "accreditation_number": cert.accreditation_number if cert.accredited else "",
        "replaced_by": renewal.number if renewal is not None else None,
    }


def listed_bodies() -> QuerySet[CertificationBodyProfile]:
    return CertificationBodyProfile.objects.filter(public_register=True)


@dataclass(frozen=True)
class RegisterQuery:
    q: str = ""  # words of the client's name or the number
    standard: str = ""  # a standard's code
    body: str = ""  # words of the body's name


def register_rows(query: RegisterQuery) -> QuerySet[Certificate]:
    """The public register: certificates of the listed bodies, replaced ones left out."""
    rows = (
        Certificate.objects.filter(organization_id__in=listed_bodies().values("organization_id"))
        .exclude(status=S.RENEWED)
        .select_related("organization")
        .prefetch_related(standards_prefetch())
        .order_by("client_name", "number")
    )
    for word in query.q.split()[:8]:
        rows = rows.filter(Q(number__icontains=word) | Q(client_name__icontains=word))
    if query.standard:
        rows = rows.filter(standards__code=query.standard)
    for word in query.body.split()[:8]:
        rows = rows.filter(organization__name__icontains=word)
    return rows


def register_row(cert: Certificate) -> dict[str, Any]:
    """One line of the public register (the facts without scope and sites)."""
    today = timezone.localdate()
    return {
        "number": cert.number,
        "status": cert.status,
        "status_label": cert.get_status_display(),
        "valid": valid_on(cert, today),
        "status_date": cert.status_changed_on,
        "client_name": cert.client_name,
        "standards": [standard_facts(s, today) for s in cert.standards.all()],
        "transitions": transition_sentences(cert, today),
        "expires_on": cert.expires_on,
        "certification_body": cert.organization.name,
        "accredited": cert.accredited,
    }


# --- rate limit ---------------------------------------------------------------------------------


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the header named by PDCA_CLIENT_IP_HEADER (set
    by the operator's reverse proxy; its last value is the one the proxy added)."""
    header = getattr(settings, "PDCA_CLIENT_IP_HEADER", "")
    if header:
        value = request.headers.get(header, "")
        if value:
            return value.split(",")[-1].strip()[:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def rate_limited(request: HttpRequest, *, now: float | None = None) -> int | None:
    """Count this request against its address's limit; the seconds to wait when it is over
    the limit, else None. A fixed one-minute window per address."""
    limit = int(getattr(settings, "PDCA_VERIFY_RATE_LIMIT", 60))
    if limit <= 0:
        return None
    moment = time.time() if now is None else now
    window = int(moment // WINDOW_SECONDS)
    key = f"pdca:verify:{client_address(request)}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS + 5)
        count = 1
    if count <= limit:
        return None
    return max(1, int((window + 1) * WINDOW_SECONDS - moment))
