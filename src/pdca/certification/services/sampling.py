"""Multi-site sampling by IAF MD 1 (reference 5.1): how many sites to visit, and which.

For an eligible multi-site organization the central function is always audited, and besides
it at least y sites, x being the number of its other sites:

- initial audit: y = √x, rounded up;
- surveillance: y = 0.6 · √x, rounded up;
- recertification: y = 0.8 · √x, rounded up.

Rounding (pdca's reading, stated in every result): the product is rounded **up** to the next
whole site, float noise below a millionth ignored, so 0.6 · √25 = 3 exactly gives 3 and
0.6 · √10 = 1.897… gives 2; a result is never below one site while there is one to visit,
nor above the sites there are. The certification body adds sites for risk (`risk_increase`).
At least one of the sampled sites is chosen at random, by a seeded draw that anyone can
repeat from the seed and the list of sites. The audit time of a sampled site may be reduced by
at most 50 % in total (MD 5 reductions plus the central-function reduction).

The whole rule is from memory ([M] in the reference): every result is provisional until
checked against the published IAF MD 1.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pdca.core.exceptions import FieldError, ValidationFailed

__all__ = [
    "FACTORS",
    "MAX_SITE_REDUCTION",
    "SampledSite",
    "SamplingResult",
    "cap_site_reduction",
    "sample_sites",
    "select_sites",
]

#: y = factor · √x per audit stage.
FACTORS: dict[str, float] = {"initial": 1.0, "surveillance": 0.6, "recertification": 0.8}
#: The most a sampled site's audit time may be reduced, in per cent, all reductions together.
MAX_SITE_REDUCTION = 50.0
BASIS = "IAF MD 1:2018 (reference 5.1)"
CONFIDENCE = "M"
PROVISIONAL_NOTE = (
    "IAF MD 1 sampling is recorded from memory in pdca's reference ([M]): verify the rule "
    "against the published IAF MD 1 before relying on it"
)
MAX_SITES = 100_000


@dataclass(frozen=True)
class SamplingResult:
    """How many sites to visit at one audit of a multi-site organization, and why."""

    stage: str
    #: Sites other than the central function (x).
    site_count: int
    factor: float
    #: factor · √x before rounding.
    exact: float
    #: Rounded up (y).
    minimum: int
    risk_increase: int
    #: Sites to visit besides the central function: y plus the risk increase, at most x.
    sample_size: int
    #: Of which at least this many chosen at random.
    random_minimum: int
    steps: tuple[str, ...]
    basis: str = BASIS
    confidence: str = CONFIDENCE
    max_site_reduction: float = MAX_SITE_REDUCTION
    provisional_because: tuple[str, ...] = (PROVISIONAL_NOTE,)

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_because)

    @property
    def formula(self) -> str:
        factor = "" if self.factor == 1 else f"{self.factor:g} · "
        return f"y = {factor}√x, rounded up"

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "site_count": self.site_count,
            "formula": self.formula,
            "factor": self.factor,
            "exact": round(self.exact, 4),
            "minimum": self.minimum,
            "risk_increase": self.risk_increase,
            "sample_size": self.sample_size,
            "random_minimum": self.random_minimum,
            "central_function": "always audited, besides the sample",
            "max_site_reduction_percent": self.max_site_reduction,
            "steps": list(self.steps),
            "basis": self.basis,
            "confidence": self.confidence,
            "provisional": self.provisional,
            "provisional_because": list(self.provisional_because),
        }


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def sample_sites(site_count: int, stage: str, risk_increase: int = 0) -> SamplingResult:
    """The number of sites to visit besides the central function, for `site_count` other
    sites at an `initial`, `surveillance` or `recertification` audit."""
    errors = []
    if stage not in FACTORS:
        errors.append(FieldError("stage", f"must be one of {', '.join(FACTORS)}"))
    if not _whole(site_count) or not 0 <= site_count <= MAX_SITES:
        errors.append(FieldError("site_count", f"must be a whole number from 0 to {MAX_SITES}"))
    if not _whole(risk_increase) or risk_increase < 0:
        errors.append(FieldError("risk_increase", "must be a whole number of sites, 0 or more"))
    if errors:
        raise ValidationFailed(errors)
    factor = FACTORS[stage]
    exact = factor * math.sqrt(site_count)
    minimum = math.ceil(round(exact, 6))
    if site_count and minimum < 1:
        minimum = 1
    steps = [
        f"x = {site_count} sites besides the central function",
        f"{stage}: y = {factor:g} · √{site_count} = {exact:.4g}, rounded up to {minimum}",
    ]
    size = minimum + risk_increase
    if risk_increase:
        steps.append(f"+{risk_increase} for risk, by the certification body: {size}")
    if size > site_count:
        steps.append(f"at most the {site_count} sites there are: {site_count}")
        size = site_count
    random_minimum = 1 if size else 0
    steps.append(
        "the central function is audited besides these"
        + (f"; at least {random_minimum} of the {size} chosen at random" if size else "")
    )
    steps.append(
        f"each sampled site's audit time may be reduced by at most {MAX_SITE_REDUCTION:g} % "
        "in total"
    )
    return SamplingResult(
        stage=stage,
        site_count=site_count,
        factor=factor,
        exact=exact,
        minimum=minimum,
        risk_increase=risk_increase,
        sample_size=size,
        random_minimum=random_minimum,
        steps=tuple(steps),
    )


def cap_site_reduction(percent: float) -> tuple[float, str]:
    """The reduction a sampled site's time may take (`percent` asked, MD 5 and central
    function together), and what was done: at most 50 %."""
    if isinstance(percent, bool) or not isinstance(percent, int | float) or percent < 0:
        raise ValidationFailed.single("site_reduction", "must be a percentage, 0 or more")
    if percent > MAX_SITE_REDUCTION:
        return MAX_SITE_REDUCTION, (
            f"{percent:g} % asked; a sampled site's time may be reduced by at most "
            f"{MAX_SITE_REDUCTION:g} %, so that is used ({BASIS}, [M])"
        )
    return float(percent), f"{percent:g} % reduction (within the {MAX_SITE_REDUCTION:g} % cap)"


@dataclass(frozen=True)
class SampledSite:
    """One site of the sample: its id and name, and why it is in (risk or random draw)."""

    id: int
    name: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "reason": self.reason}


@dataclass(frozen=True)
class Selection:
    sites: tuple[SampledSite, ...]
    seed: int
    steps: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "sites": [site.to_dict() for site in self.sites],
            "steps": list(self.steps),
        }


def select_sites(
    result: SamplingResult,
    sites: Sequence[tuple[int, str]],
    *,
    seed: int,
    chosen: Sequence[int] = (),
) -> Selection:
    """Choose `result.sample_size` of `sites` ((id, name) pairs of the non-central sites):
    the ids in `chosen` first (the body's risk-based picks, leaving room for at least one
    random site), then the rest drawn at random with `seed`. The same seed and the same list
    of sites always give the same choice (sites are drawn in id order)."""
    by_id = dict(sites)
    unknown = [pk for pk in chosen if pk not in by_id]
    if unknown:
        raise ValidationFailed.single(
            "chosen", f"not a site of this client besides the central function: {unknown}"
        )
    if len(set(chosen)) > max(result.sample_size - result.random_minimum, 0):
        raise ValidationFailed.single(
            "chosen",
            f"choose at most {max(result.sample_size - result.random_minimum, 0)} sites: at "
            "least one of the sample is drawn at random",
        )
    picked = [SampledSite(pk, by_id[pk], "chosen for risk") for pk in dict.fromkeys(chosen)]
    pool = sorted(pk for pk in by_id if pk not in {s.id for s in picked})
    draw = random.Random(seed).sample(pool, min(result.sample_size - len(picked), len(pool)))
    picked += [SampledSite(pk, by_id[pk], f"drawn at random (seed {seed})") for pk in draw]
    steps = (
        f"{len(picked) - len(draw)} chosen for risk, {len(draw)} drawn at random from "
        f"{len(pool)} with seed {seed} (Python's random.Random(seed).sample over the site "
        "ids in ascending order)",
    )
    return Selection(tuple(picked), seed, steps)
