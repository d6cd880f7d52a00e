"""Importing an OSCAL catalog or profile as a custom standard: one atomic write, refused whole
with a message naming the problem (see `pdca.standards.services.load_catalog_data`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction

from pdca.core.exceptions import FieldError, PermissionDenied, ValidationFailed
from pdca.interop.oscal.catalog import catalog_document, catalog_uuid
from pdca.interop.oscal.importing import catalog_data, outline, parse_document, select
from pdca.standards.models import CoreClause, Standard
from pdca.standards.services import CatalogInvalid, load_catalog_data

if TYPE_CHECKING:
    from pdca.accounts.models import User

#: The largest file an import reads (a full NIST SP 800-53 catalog is about 4 MB).
MAX_BYTES = 5 * 1024 * 1024
CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$")
_HREF_CODE = re.compile(r"(?:catalogs/|catalog-)?([a-z0-9][a-z0-9-]{1,58}[a-z0-9])(?:\.json)?/?$")


@dataclass
class ImportResult:
    """What an import created."""

    standard: Standard
    kind: str  # "catalog" or "profile"
    requirements: int
    groups: int
    warnings: list[str] = field(default_factory=list)


def _check_size(content: bytes, field_name: str) -> None:
    if len(content) > MAX_BYTES:
        raise ValidationFailed.single(
            field_name, f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB."
        )
    if not content.strip():
        raise ValidationFailed.single(field_name, "The file is empty.")


def _stored_catalog(href: str) -> dict | None:
    """The catalog a profile's `href` names among the stored standards: by the UUID of its
    export (`#uuid`, `urn:uuid:…`), its API path or file name, or its code."""
    href = href.strip()
    uuid = href.removeprefix("#").removeprefix("urn:uuid:")
    found = next((s for s in Standard.objects.all() if catalog_uuid(s) == uuid), None)
    if found is None and (match := _HREF_CODE.search(href)):
        found = Standard.objects.filter(code=match.group(1)).first()
    if found is None:
        return None
    body: dict = catalog_document(found)["catalog"]
    return body


def _profile_source(profile: dict, catalog: bytes | None, catalog_name: str) -> dict:
    imports = profile.get("imports") or []
    if len(imports) != 1:
        raise ValidationFailed.single(
            "file", f"The profile must import exactly one catalog (it imports {len(imports)})."
        )
    if catalog is not None:
        _check_size(catalog, "catalog")
        root, body = parse_document(catalog, catalog_name, "catalog")
        if root != "catalog":
            raise ValidationFailed.single("catalog", "The second file must be an OSCAL catalog.")
        return body
    href = str(imports[0].get("href", ""))
    found = _stored_catalog(href)
    if found is None:
        raise ValidationFailed.single(
            "catalog",
            f"The profile imports {href!r}, which is not a stored standard: give that catalog "
            "as a second file, or import it first.",
        )
    return found


def import_oscal_catalog(
    content: bytes,
    *,
    name: str,
    actor: User | None,
    code: str | None = None,
    catalog: bytes | None = None,
    catalog_name: str = "catalog.json",
) -> ImportResult:
    """Import an OSCAL catalog, or a profile resolved against `catalog` (or a standard
    already stored), as a new custom standard (discipline `other`, code `oscal-<title>` unless
    `code` is given). Platform administrators only (`actor` None is the operator at the
    command line). Nothing is written when anything is wrong."""
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied(
            "Only platform administrators import catalogs (standards are shared)."
        )
    if code is not None and not CODE.match(code):
        raise ValidationFailed.single(
            "code", "3 to 60 lower-case letters, digits and hyphens, not starting or ending with -."
        )
    _check_size(content, "file")
    root, body = parse_document(content, name)
    warnings: list[str] = []
    if root == "catalog":
        found = outline(body)
        if catalog is not None:
            warnings.append("The second file was not used: a catalog needs no other catalog.")
    else:
        found = select(outline(_profile_source(body, catalog, catalog_name)), body)
        meta = body.get("metadata") or {}
        found.title, found.version = str(meta.get("title", "")), str(meta.get("version", ""))
        found.props = {k: v for k, v in found.props.items() if k == "provisional"}
    core_ids = set(CoreClause.objects.values_list("number", flat=True))
    data = catalog_data(found, code=code, core_ids=core_ids)
    wanted = data["standard"]["code"]
    if Standard.objects.filter(code=wanted).exists():
        raise ValidationFailed.single(
            "code", f"The code {wanted} is already in use: give another code."
        )
    try:
        with transaction.atomic():
            standard = load_catalog_data(data, source=name[:200] or "oscal.json", actor=actor)
    except CatalogInvalid as exc:
        errors = [FieldError("file", p.message) for p in exc.problems]
        raise ValidationFailed(errors, "; ".join(e.message for e in errors[:10])) from None
    return ImportResult(
        standard=standard,
        kind=root,
        requirements=len(data["requirements"]),
        groups=len(data.get("groups", [])),
        warnings=[*found.warnings, *warnings],
    )
