"""What the certification body registers into the audits app when it starts: every major or
minor finding of an audit of a client's programme gets the body's review of the client's answer
(`finding_reviews.follow_finding` on `audits.hooks.finding_graded`), and a finding the client
has answered cannot be deleted (`finding_reviews.forget_finding` on `finding_deleted`)."""

from __future__ import annotations

from pdca.audits import hooks as audit_hooks


def register() -> None:
    from pdca.certification.services import finding_reviews

    audit_hooks.finding_graded.register(finding_reviews.follow_finding)
    audit_hooks.finding_deleted.register(finding_reviews.forget_finding)
