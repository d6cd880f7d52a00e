"""Helpers the HTML views of every app share: scoped lookups and service errors on forms."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from pdca.core.exceptions import ServiceError, ValidationFailed
from pdca.core.permissions import may, scope

_M = TypeVar("_M", bound=models.Model)


def require_page(request: HttpRequest, action: str, target, **kw) -> None:
    """Refuse the page (403) unless the user may `action` the target (see `permissions.may`)."""
    if not may(request.user, action, target, **kw):
        raise DjangoPermissionDenied("Your role does not allow this.")


def scoped_or_404(queryset: models.QuerySet[_M], user, action: str = "view", **lookup: Any) -> _M:
    """One object the user may `action`, or 404: another organization's rows do not exist."""
    try:
        return scope(queryset, user, action).get(**lookup)
    except (ObjectDoesNotExist, ValueError):
        raise Http404("No such object.") from None


def object_for_page(
    request: HttpRequest, queryset: models.QuerySet[_M], pk: int, action: str = "view"
) -> _M:
    """The object a page works on: 404 unless the user may see it (another organization's
    rows do not exist), 403 when they see it but may not `action` it."""
    obj = scoped_or_404(queryset, request.user, pk=pk)
    require_page(request, action, obj)
    return obj


def add_service_error(form: forms.BaseForm, exc: ServiceError) -> None:
    """Show a service's refusal on the form, on the field it names when the form has it."""
    if isinstance(exc, ValidationFailed):
        for error in exc.errors:
            form.add_error(error.field if error.field in form.fields else None, error.message)
    else:
        form.add_error(None, exc.message)


def member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in and working in an organization; otherwise the page explains what to do."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if getattr(request, "organization", None) is None:  # set by the tenancy middleware
            return render(request, "web/no_organization.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def refuse(request: HttpRequest, exc: ServiceError) -> None:
    messages.error(request, exc.message)


def paginate(request: HttpRequest, queryset, per_page: int = 50):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def file_response(
    content: bytes, content_type: str, filename: str, *, inline: bool = False
) -> HttpResponse:
    """A generated file (PDF, XLSX, DOCX) as a download, or shown in the browser if `inline`."""
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
