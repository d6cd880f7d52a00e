"""The certification body's profile page: every member reads it, managers change it (with
the page's version, so a stale edit is refused), and its logo and signature images."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from pdca.certification.forms import ProfileForm
from pdca.certification.models import CertificationBodyProfile
from pdca.certification.services.profile import (
    IMAGE_FIELDS,
    MAX_IMAGE_BYTES,
    get_profile,
    is_certification_body,
    profile_image,
    store_profile_image,
    update_profile,
)
from pdca.core.exceptions import ServiceError, ValidationFailed
from pdca.core.permissions import may
from pdca.core.views import add_service_error, member_required

#: What a browser may do with a served image: show it, nothing else (an SVG runs no script).
IMAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def _profile(request):
    org = request.organization
    if not may(request.user, "view", CertificationBodyProfile, organization=org):
        raise DjangoPermissionDenied("Your role does not allow this.")
    if not is_certification_body(org):
        raise Http404("This organization is not a certification body.")
    return get_profile(org)


def _save(request, form: ProfileForm) -> bool:
    """Apply the form (fields, then each uploaded image); False with the errors on the form."""
    org = request.organization
    try:
        # All or nothing: a refused image leaves the fields unsaved too.
        with transaction.atomic():
            update_profile(org, actor=request.user, **form.service_data())
            for which in IMAGE_FIELDS:
                upload = form.cleaned_data.get(f"{which}_file")
                if upload is None:
                    continue
                if upload.size > MAX_IMAGE_BYTES:
                    raise ValidationFailed.single(
                        which, f"The image is larger than {MAX_IMAGE_BYTES // 1024} kB."
                    )
                data = upload.read()
                store_profile_image(org, which, upload.name or which, data, actor=request.user)
    except ValidationFailed as exc:
        for error in exc.errors:
            name = f"{error.field}_file" if error.field in IMAGE_FIELDS else error.field
            form.add_error(name if name in form.fields else None, error.message)
        return False
    except ServiceError as exc:
        add_service_error(form, exc)
        return False
    return True


@member_required
def profile(request):
    """The profile: read by every member of the body, changed by its managers."""
    current = _profile(request)
    can_change = may(request.user, "change", current)
    if request.method == "POST" and not can_change:
        raise DjangoPermissionDenied("Only the body's manager or administrator changes it.")
    form = ProfileForm(request.POST or None, request.FILES or None, instance=current)
    status = 200
    if request.method == "POST":
        if form.is_valid() and _save(request, form):
            messages.success(request, "Certification body profile saved.")
            return redirect("certification:profile")
        status = 422
    if not can_change:
        for field in form.fields.values():
            field.disabled = True
    current.refresh_from_db()
    return render(
        request,
        "certification/intake/profile.html",
        {"form": form, "profile": current, "can_change": can_change},
        status=status,
    )


@member_required
def image(request, which: str):
    """The profile's logo or signature, shown in place (404 when there is none)."""
    current = _profile(request)
    found = profile_image(current, which) if which in IMAGE_FIELDS else None
    if found is None:
        raise Http404("No such image.")
    response = HttpResponse(found.data, content_type=found.content_type)
    response["Content-Disposition"] = f'inline; filename="{found.name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = IMAGE_POLICY
    response["Cache-Control"] = "private, max-age=300"
    return response
