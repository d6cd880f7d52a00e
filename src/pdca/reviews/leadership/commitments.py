"""What a policy must contain under each standard (clause 5.2), and what each membership role
may decide in pdca (clause 5.3), in our own short words.

The standards' text is copyrighted: these lines paraphrase what a policy is asked to commit
to; they never quote a standard. They are a checklist for a person reading the policy: pdca
cannot tell from a document's text whether a commitment is there, so it never ticks one.
"""

from __future__ import annotations

from dataclasses import dataclass

from pdca.core.roles import Role


@dataclass(frozen=True)
class Commitment:
    """One thing a policy is expected to say: a stable key (for the API) and our wording."""

    key: str
    text: str


#: Asked of the policy by every standard of the Harmonized Structure.
COMMON: tuple[Commitment, ...] = (
    Commitment("purpose", "Fits the organization's purpose and context"),
    Commitment("objectives", "Gives a framework for setting objectives"),
    Commitment("requirements", "Commits to satisfying the requirements that apply"),
    Commitment("improvement", "Commits to continually improving the management system"),
)

#: What each standard adds, by the code's prefix (`iso14001` of `iso14001-2015`), so a later
#: edition keeps its lines until they are reviewed.
ADDED: dict[str, tuple[Commitment, ...]] = {
    "iso9001": (Commitment("direction", "Supports the organization's strategic direction"),),
    "iso14001": (
        Commitment(
            "environment", "Commits to protecting the environment, pollution prevention included"
        ),
        Commitment("compliance", "Commits to fulfilling the compliance obligations"),
    ),
    "iso45001": (
        Commitment("safe_work", "Commits to safe and healthy working conditions that prevent harm"),
        Commitment("hazards", "Commits to eliminating hazards and reducing OH&S risks"),
        Commitment("consultation", "Commits to consulting workers and to their participation"),
    ),
    "iso27001": (Commitment("infosec_objectives", "Frames the information security objectives"),),
    "iso42001": (
        Commitment("responsible_ai", "Commits to developing and using AI responsibly"),
        Commitment("ai_objectives", "Frames the objectives set for AI systems"),
    ),
    "iso22000": (
        Commitment("food_safety", "Commits to safe food, customers' food safety needs included"),
        Commitment("communication", "Covers communication about food safety, inside and out"),
    ),
    "iso22301": (
        Commitment("continuity", "Commits to keeping key activities going through a disruption"),
    ),
}


def commitments_for(standard_code: str) -> tuple[Commitment, ...]:
    """The checklist for a standard: the common lines, then the standard's own."""
    return COMMON + ADDED.get(standard_code.split("-")[0], ())


def is_policy_clause(number: str) -> bool:
    """Clause 5.2 and its subclauses (9001's 5.2.1 and 5.2.2, say) hold the policy."""
    return number == "5.2" or number.startswith("5.2.")


#: What each membership role decides in pdca, for the roles and authorities (5.3).
AUTHORITY: dict[str, str] = {
    Role.TOP_MANAGEMENT: "Accountable for the system: sets policy and objectives, approves, "
    "chairs the management review and approves its minutes.",
    Role.SYSTEM_MANAGER: "Runs the system and reports on its performance to top management: "
    "scope, risks, documents, audits, corrective action.",
    Role.CONSULTANT: "Helps run the system with a system manager's rights.",
    Role.PROCESS_OWNER: "Keeps their processes, risks, objectives and actions current.",
    Role.INTERNAL_AUDITOR: "Plans and conducts internal audits, never of their own work.",
    Role.EMPLOYEE: "Reads and acknowledges documents, reports problems, takes training.",
    Role.ADMIN: "Administers the organization's members, sites and settings.",
}
