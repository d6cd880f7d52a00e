"""The certification body's profile: who accredits it, its terms for clients' answers to
findings, how long a suspension may last, and what its certificates look like (number prefix,
logo, signatory, signature), plus whether its certificates are listed on the public register.

Only an organization of kind "certification body" has a profile (or clients, applications…):
anywhere else the services refuse with `not_a_certification_body` (a 404: there is nothing of
the kind there). The profile is made with its defaults the first time it is read.

Images (logo, signature) are kept in the evidence store (`documents.EvidenceFile`, content
addressed by SHA-256) but checked here, because a certificate image has narrower rules than
evidence: PNG, JPEG or a plain SVG drawing (no scripts, event handlers, embedded documents or
outside references), at most 1 MB.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from defusedxml import ElementTree
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from pdca.certification.models import CertificationBodyProfile
from pdca.core.activity import record_activity, snapshot
from pdca.core.concurrency import lock_for_update, save_changed, serialize_on
from pdca.core.exceptions import FieldError, NotFound, ValidationFailed
from pdca.core.permissions import require
from pdca.core.validation import apply_fields, validate_instance
from pdca.documents.evidence.services import blob_name, evidence_storage
from pdca.documents.models import EvidenceFile
from pdca.tenancy.models import Organization

if TYPE_CHECKING:
    from pdca.accounts.models import User

__all__ = [
    "IMAGE_FIELDS",
    "MAX_IMAGE_BYTES",
    "PROFILE_FIELDS",
    "NotACertificationBody",
    "ProfileImage",
    "ensure_certification_body",
    "get_profile",
    "is_certification_body",
    "profile_image",
    "store_profile_image",
    "update_profile",
]

PROFILE_FIELDS = (
    "accreditation_body",
    "accreditation_number",
    "address",
    "certificate_prefix",
    "major_response_days",
    "major_closure_days",
    "minor_response_days",
    "suspension_limit_months",
    "signatory_name",
    "signatory_title",
    "public_register",
    "logo",
    "signature",
)
IMAGE_FIELDS = ("logo", "signature")
MAX_IMAGE_BYTES = 1024 * 1024
#: The longest deadline a body may set for an answer or a closure (a year).
MAX_DAYS = 365
#: 17021-1 (reference 4.5): a suspension should not exceed six months in most cases.
MAX_SUSPENSION_MONTHS = 6
PREFIX_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,11}$")


class NotACertificationBody(NotFound):
    """The organization is not a certification body: it has no profile, clients or
    applications."""

    code = "not_a_certification_body"


def is_certification_body(organization: Any) -> bool:
    return getattr(organization, "kind", None) == Organization.Kind.CERTIFICATION_BODY


def ensure_certification_body(organization: Any) -> None:
    if not is_certification_body(organization):
        raise NotACertificationBody(
            f"{organization} is not a certification body: it has no certification body records."
        )


def _organization(organization: Any) -> Organization:
    if isinstance(organization, Organization):
        return organization
    return Organization.objects.get(pk=organization)


def get_profile(organization: Any) -> CertificationBodyProfile:
    """The body's profile, made with its defaults the first time it is asked for."""
    organization = _organization(organization)
    ensure_certification_body(organization)
    found = CertificationBodyProfile.objects.filter(organization=organization).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            profile = CertificationBodyProfile.objects.create(organization=organization)
            record_activity(
                actor=None,
                action="create",
                obj=profile,
                changes={k: [None, v] for k, v in snapshot(profile).items() if v not in (None, "")},
                message="Profile made with its defaults on first use",
            )
    except IntegrityError:
        # Made by a request running alongside: read theirs.
        return CertificationBodyProfile.objects.get(organization=organization)
    return profile


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check(profile: CertificationBodyProfile, fields: dict[str, Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    for name in ("major_response_days", "major_closure_days", "minor_response_days"):
        if name in fields:
            value = fields[name]
            if not _whole(value) or not 1 <= value <= MAX_DAYS:
                errors.append(
                    FieldError(name, f"Give a whole number of days from 1 to {MAX_DAYS}.")
                )
    if "suspension_limit_months" in fields:
        value = fields["suspension_limit_months"]
        if not _whole(value) or not 1 <= value <= MAX_SUSPENSION_MONTHS:
            errors.append(
                FieldError(
                    "suspension_limit_months",
                    f"Give 1 to {MAX_SUSPENSION_MONTHS} months: a suspension not resolved "
                    "within the body's limit leads to withdrawal, and the limit should not "
                    "pass six months.",
                )
            )
    if "certificate_prefix" in fields:
        value = fields["certificate_prefix"]
        if not isinstance(value, str) or not PREFIX_PATTERN.match(value.strip().upper()):
            errors.append(
                FieldError(
                    "certificate_prefix",
                    "Use 1 to 12 capital letters, digits or dashes, starting with a letter or "
                    "digit (e.g. NB).",
                )
            )
    for name in IMAGE_FIELDS:
        value = fields.get(name)
        if value is None:
            continue
        if not isinstance(value, EvidenceFile) or value.organization_id != profile.organization_id:
            errors.append(FieldError(name, "Choose an image stored by this certification body."))
        elif value.content_type not in IMAGE_TYPES.values():
            errors.append(FieldError(name, "Must be a PNG, JPEG or SVG image."))
    if not errors:
        major_response = fields.get("major_response_days", profile.major_response_days)
        major_closure = fields.get("major_closure_days", profile.major_closure_days)
        if _whole(major_response) and _whole(major_closure) and major_closure < major_response:
            errors.append(
                FieldError(
                    "major_closure_days",
                    "A major's actions cannot be verified before its plan is due: give at "
                    f"least the {major_response} response days.",
                )
            )
    return errors


@transaction.atomic
def update_profile(
    organization: Any, *, actor: User | None, **fields: Any
) -> CertificationBodyProfile:
    """Change the given fields of the body's profile (managers); the others stay. Refused
    when based on a stale version (`If-Match`, a page's version field)."""
    organization = _organization(organization)
    ensure_certification_body(organization)
    profile = get_profile(organization)
    lock_for_update(profile)
    require(actor, "change", profile)
    unknown = sorted(set(fields) - set(PROFILE_FIELDS))
    if unknown:
        raise ValidationFailed(
            [
                FieldError(name, "This field does not exist or cannot be changed.")
                for name in unknown
            ]
        )
    if isinstance(fields.get("certificate_prefix"), str):
        fields["certificate_prefix"] = fields["certificate_prefix"].strip().upper()
    errors = _check(profile, fields)
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(profile)
    scalars = {k: v for k, v in fields.items() if k not in IMAGE_FIELDS}
    apply_fields(profile, scalars, PROFILE_FIELDS)
    for name in IMAGE_FIELDS:
        if name in fields:
            setattr(profile, name, fields[name])
    validate_instance(profile, exclude=["organization"])
    save_changed(profile)
    after = snapshot(profile)
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if changes:
        record_activity(actor=actor, action="update", obj=profile, changes=changes)
    return profile


# --- images -----------------------------------------------------------------------------------

IMAGE_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "svg": "image/svg+xml"}
_EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/svg+xml": ".svg"}
SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
#: Elements that run, embed or fetch something: never in a certificate's drawing.
_SVG_REFUSED = {"script", "foreignobject", "iframe", "embed", "object", "audio", "video", "image"}


def _svg_problem(data: bytes) -> str | None:
    """Why `data` is not an acceptable plain SVG drawing, or None when it is."""
    try:
        root = ElementTree.fromstring(data, forbid_dtd=True)
    except Exception:  # defusedxml's refusals and XML syntax errors alike
        return "it is not a well-formed SVG file (or declares a DTD or entities)"
    if root.tag not in (f"{SVG_NS}svg", "svg"):
        return "it is XML but not an SVG drawing"
    for element in root.iter():
        tag = str(element.tag).rsplit("}", 1)[-1].lower()
        if tag in _SVG_REFUSED:
            return f"it contains a <{tag}> element (scripts and embedded content are refused)"
        for name, value in element.attrib.items():
            attribute = name.rsplit("}", 1)[-1].lower()
            if attribute.startswith("on"):
                return f"it contains an event handler ({attribute})"
            if (attribute == "href" or name == XLINK_HREF) and not value.strip().startswith("#"):
                return "it refers to something outside the drawing (href)"
            if "url(" in value.replace(" ", "").lower() and "url(#" not in value.replace(" ", ""):
                return "it refers to something outside the drawing (url())"
        if tag == "style" and re.search(r"@import|url\(\s*['\"]?[^#'\"\s]", element.text or ""):
            return "its style sheet refers to something outside the drawing"
    return None


def _image_type(data: bytes, field: str) -> str:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return IMAGE_TYPES["png"]
    if data.startswith(b"\xff\xd8\xff"):
        return IMAGE_TYPES["jpeg"]
    head = data[:2048].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"<") and b"<svg" in data[:4096]:
        problem = _svg_problem(data)
        if problem:
            raise ValidationFailed.single(
                field, f"The SVG file is refused: {problem}.", "file_type"
            )
        return IMAGE_TYPES["svg"]
    raise ValidationFailed.single(
        field, "Upload a PNG, JPEG or SVG image (the file's content is none of these).", "file_type"
    )


@transaction.atomic
def store_profile_image(
    organization: Any, which: str, name: str, data: bytes, *, actor: User | None
) -> CertificationBodyProfile:
    """Keep an uploaded logo or signature image (PNG, JPEG or plain SVG, at most 1 MB) in the
    evidence store and set it on the profile. The same bytes uploaded again reuse their row."""
    organization = _organization(organization)
    ensure_certification_body(organization)
    if which not in IMAGE_FIELDS:
        raise ValidationFailed.single("which", "Must be logo or signature.")
    profile = get_profile(organization)
    require(actor, "change", profile)
    if not data:
        raise ValidationFailed.single(which, "The file is empty.", "file_empty")
    if len(data) > MAX_IMAGE_BYTES:
        raise ValidationFailed.single(
            which, f"The image is larger than {MAX_IMAGE_BYTES // 1024} kB.", "file_too_large"
        )
    content_type = _image_type(data, which)
    sha256 = hashlib.sha256(data).hexdigest()
    # One writer at a time per body: the same bytes uploaded twice at once make one row.
    serialize_on(Organization, organization.pk)
    evidence = EvidenceFile.objects.filter(organization=organization, sha256=sha256).first()
    if evidence is None:
        storage = evidence_storage()
        blob = blob_name(sha256)
        if not storage.exists(blob):
            storage.save(blob, ContentFile(data))
        stem = re.sub(r"[^A-Za-z0-9_-]+", "-", name.rsplit("/", 1)[-1].rsplit(".", 1)[0]).strip("-")
        evidence = EvidenceFile.objects.create(
            organization=organization,
            sha256=sha256,
            size=len(data),
            content_type=content_type,
            original_name=f"{(stem or which)[:100]}{_EXTENSIONS[content_type]}",
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
            description=f"Certificate {which}",
        )
        record_activity(
            actor=actor,
            action="upload",
            obj=evidence,
            changes={k: [None, v] for k, v in snapshot(evidence).items() if v not in (None, "")},
            message=f"Uploaded the certificate {which} {evidence.original_name}",
        )
    return update_profile(organization, actor=actor, **{which: evidence})


@dataclass(frozen=True)
class ProfileImage:
    data: bytes
    content_type: str
    name: str


def profile_image(profile: CertificationBodyProfile, which: str) -> ProfileImage | None:
    """The stored bytes of the profile's logo or signature (None when it has none, or when
    the stored bytes are missing or altered)."""
    evidence = getattr(profile, which) if which in IMAGE_FIELDS else None
    if evidence is None:
        return None
    storage = evidence_storage()
    try:
        with storage.open(evidence.storage_name, "rb") as handle:
            data = handle.read(MAX_IMAGE_BYTES + 1)
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != evidence.sha256:
        return None
    return ProfileImage(data, evidence.content_type, evidence.original_name)
