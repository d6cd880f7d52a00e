"""Whether a certificate can be issued as accredited: a scope the certification body holds on
the decision date must cover each of its standards and each of its sectors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from pdca.certification.models import AccreditedScope


def split_codes(text: str) -> list[str]:
    """'17, 19 ;28' → ['17', '19', '28']: sector codes as people type them."""
    return [code.strip() for code in text.replace(";", ",").split(",") if code.strip()]


@dataclass(frozen=True)
class AccreditationCheck:
    accredited: bool
    #: What no valid scope covers: "ISO 9001:2015" or "ISO 9001:2015, sector 28".
    missing: tuple[str, ...]
    scopes: tuple[AccreditedScope, ...]

    @property
    def reason(self) -> str:
        if self.accredited:
            return "Covered by the accredited scopes"
        return "Not covered by an accredited scope on that date: " + "; ".join(self.missing)


def check_accreditation(
    organization, standards: Iterable, sector_codes: str, on: dt.date
) -> AccreditationCheck:
    """Do the body's accredited scopes valid `on` cover every standard, and for each standard
    every sector of `sector_codes`? A scope without sectors covers them all."""
    valid = [
        scope
        for scope in AccreditedScope.objects.filter(
            organization=organization, archived_at__isnull=True
        ).select_related("standard")
        if scope.valid_on(on)
    ]
    sectors = split_codes(sector_codes)
    missing: list[str] = []
    used: list[AccreditedScope] = []
    for standard in standards:
        own = [scope for scope in valid if scope.standard_id == standard.pk]
        if not own:
            missing.append(str(standard))
            continue
        if any(not scope.sector_codes for scope in own):
            used.extend(scope for scope in own if not scope.sector_codes)
            continue
        covered = {code for scope in own for code in split_codes(scope.sector_codes)}
        gaps = [code for code in sectors if code not in covered]
        missing.extend(f"{standard}, sector {code}" for code in gaps)
        used.extend(own)
    return AccreditationCheck(not missing, tuple(missing), tuple(used))
