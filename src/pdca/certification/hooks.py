"""What the certification body registers into the audits app when it starts: every major or
minor finding of an audit of a client's programme gets the body's review of the client's answer
(`finding_reviews.follow_finding` on `audits.hooks.finding_graded`), and a finding the client
has answered cannot be deleted (`finding_reviews.forget_finding` on `finding_deleted`).

And what the body asks of higher apps without importing them (see core.hooks): the consultancy
a client received as pdca recorded it (`recorded_consultancy`), which the contract review and
team selection weigh with what was declared (17021-1 5.2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pdca.audits import hooks as audit_hooks
from pdca.core.hooks import Hook

if TYPE_CHECKING:
    from pdca.certification.models import Client


@dataclass(frozen=True)
class ConsultancyPeriod:
    """Consultancy a client received, as pdca recorded it: who gave it (`provider`, the
    consultancy's name, or "" when only a person is known), from when until when (`ended_on`
    None: still going on), the people who gave it (user ids), and where it was recorded
    (`source`, in words, or "")."""

    provider: str
    started_on: dt.date | None
    ended_on: dt.date | None
    person_ids: frozenset[int] = frozenset()
    source: str = ""


#: The consultancy pdca recorded for a client of the body: `(client, on)`, `client` a
#: `certification.Client`, `on` the day the check is for. Each receiver returns a list of
#: `ConsultancyPeriod` (every period it knows, ended or not; the body decides which are still
#: a threat on `on`). `pdca.engagements` answers from the consultancy engagements of the
#: client's organization and the consultant role in it.
recorded_consultancy: Hook[[Client, dt.date], list[ConsultancyPeriod]] = Hook(
    "certification.recorded_consultancy",
    "The consultancy engagements and consultant members of the client's organization: the "
    "contract review flags them and team selection refuses their consultants for two years.",
)


def register() -> None:
    from pdca.certification.services import finding_reviews

    audit_hooks.finding_graded.register(finding_reviews.follow_finding)
    audit_hooks.finding_deleted.register(finding_reviews.forget_finding)
