"""Pages of the certification body's certificates: the register (filters, search, today's
proposals with one-click changes), one certificate with its history and the forms that change
its status (managers), its PDF."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from pdca.certification.models import Certificate
from pdca.certification.services.certificate_pdf import (
    certificate_filename,
    certificate_pdf,
    verification_url,
)
from pdca.certification.services.certificate_proposals import certificate_proposals
from pdca.certification.services.certificate_queries import (
    certificate_rows,
    filter_certificates,
    parse_filters,
    transition_summary,
)
from pdca.certification.services.certificate_transitions import IN_FORCE, transition_certificate
from pdca.certification.services.editions import standards_query, transitions_of
from pdca.certification.views.certificates.forms import TransitionForm, move_choices
from pdca.core.exceptions import ServiceError
from pdca.core.permissions import may
from pdca.core.selectors import history_of
from pdca.core.views import (
    add_service_error,
    file_response,
    member_required,
    object_for_page,
    require_page,
)
from pdca.standards.models import Standard
from pdca.tenancy.middleware import MemberRequest

#: Certificates per page of the register.
PAGE_SIZE = 50


def _certificate(request: MemberRequest, pk: int, action: str = "view") -> Certificate:
    rows = Certificate.objects.filter(organization=request.organization).select_related(
        "client", "organization", "cycle", "previous"
    )
    return object_for_page(request, rows, pk, action)


def _client_options(clients: Iterable[tuple[int, str]], chosen: int | None) -> str:
    """The client filter's options, built in one pass: a body has a thousand clients, and a
    template loop over them was most of the page's time."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((pk, mark_safe(" selected") if pk == chosen else "", name) for pk, name in clients),
    )


@member_required
def certificate_list(request: MemberRequest) -> HttpResponse:
    org = request.organization
    require_page(request, "view", Certificate, organization=org)
    filters, errors = parse_filters(request.GET)
    today = timezone.localdate()
    rows = filter_certificates(certificate_rows(request.user, org), filters, today)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    may_change = may(request.user, "change", Certificate, organization=org)
    live = (*IN_FORCE, Certificate.Status.SUSPENDED)
    clients = (
        Certificate.objects.filter(organization=org)
        .order_by("client__name")
        .values_list("client_id", "client__name")
        .distinct()
    )
    return render(
        request,
        "certification/certificates/list.html",
        {
            "page": page,
            "rows": [
                {
                    "c": c,
                    "transitions": [t.sentence(today) for t in transitions_of(c.standards.all())]
                    if c.status in live
                    else [],
                }
                for c in page.object_list
            ],
            "transition_summary": transition_summary(org),
            "filters": filters,
            "filter_errors": errors,
            "statuses": Certificate.Status.choices,
            "standards": Standard.objects.order_by("name", "edition").only(
                "code", "name", "edition", "amendments"
            ),
            "client_options": _client_options(clients, filters.client),
            "proposals": certificate_proposals(org, today) if may_change else [],
            "may_change": may_change,
            "today": today,
        },
    )


@member_required
def certificate_detail(request: MemberRequest, pk: int) -> HttpResponse:
    cert = _certificate(request, pk)
    return _detail(request, cert, None)


def _detail(
    request: MemberRequest, cert: Certificate, form: TransitionForm | None, status: int = 200
) -> HttpResponse:
    may_change = may(request.user, "change", cert)
    moves = move_choices(cert) if may_change else []
    today = timezone.localdate()
    standards = list(standards_query().filter(pk__in=cert.standards.values("pk")))
    live = cert.status in (*IN_FORCE, Certificate.Status.SUSPENDED)
    transitions = transitions_of(standards) if live else []
    events = list(cert.events.select_related("by").order_by("on", "id"))
    codes = {code for e in events for code in (*e.standards_from, *e.standards_to)}
    names = {s.code: s.full_name for s in Standard.objects.filter(code__in=codes)} if codes else {}
    context: dict[str, Any] = {
        "certificate": cert,
        "standards": standards,
        "transitions": [
            {"t": t, "text": t.sentence(today), "ended": t.ended(today)} for t in transitions
        ],
        "valid": cert.is_valid and not any(t.ended(today) for t in transitions),
        "events": [
            {
                "e": e,
                "transfer": (
                    ", ".join(names.get(c, c) for c in e.standards_from),
                    ", ".join(names.get(c, c) for c in e.standards_to),
                )
                if e.standards_to
                else None,
            }
            for e in events
        ],
        "sites": list(cert.sites.order_by("-is_central", "name")),
        "decisions": list(cert.decisions.select_related("decided_by").order_by("decided_on")),
        "renewal": Certificate.objects.filter(previous=cert).only("pk", "number").first(),
        "history": history_of(cert, request.user)[:50],
        "may_change": may_change,
        "moves": moves,
        "form": form,
        "verify_url": verification_url(cert.number),
        "proposals": [
            p
            for p in certificate_proposals(cert.organization, timezone.localdate())
            if p.certificate.pk == cert.pk
        ]
        if may_change
        else [],
    }
    return render(request, "certification/certificates/detail.html", context, status=status)


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@member_required
@require_http_methods(["GET", "POST"])
def certificate_transition(request: MemberRequest, pk: int) -> HttpResponse:
    cert = _certificate(request, pk, "change")
    if request.method == "GET":
        form = TransitionForm(certificate=cert, initial={"to": request.GET.get("to")})
        return render(
            request,
            "certification/certificates/transition.html",
            {"certificate": cert, "form": form, "next": _next(request, "")},
        )
    form = TransitionForm(request.POST, certificate=cert)
    if form.is_valid():
        try:
            transition_certificate(
                cert, form.cleaned_data["to"], actor=request.user, **form.service_arguments()
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                f"Certificate {cert.number} is now {cert.get_status_display().lower()}.",
            )
            return redirect(_next(request, cert_url(cert)))
    return render(
        request,
        "certification/certificates/transition.html",
        {"certificate": cert, "form": form, "next": _next(request, "")},
        status=422,
    )


def cert_url(cert: Certificate) -> str:
    from django.urls import reverse

    return reverse("certification:certificate-detail", args=[cert.pk])


@member_required
def certificate_pdf_view(request: MemberRequest, pk: int) -> HttpResponse:
    cert = _certificate(request, pk)
    return file_response(
        certificate_pdf(cert, actor=request.user),
        "application/pdf",
        certificate_filename(cert),
        inline=True,
    )
