"""The catalogue of starter templates: what each is, the code it suggests, its document type,
and the requirements (catalog numbers by standard code) a document made from it provides."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from pdca.documents.models.documents import DocType

#: The placeholders a template may use, and what fills them.
PLACEHOLDERS: dict[str, str] = {
    "organization": "the organization's name",
    "scope": "the management system's scope statement",
    "standards": "the standards the management system follows",
    "sites": "the sites the management system covers",
    "manager": "the person who runs the management system",
    "top_manager": "a member of top management",
    "today": "today's date",
}

Q, E, S, F, B, IS, AI = (
    "iso9001-2015",
    "iso14001-2015",
    "iso45001-2018",
    "iso22000-2018",
    "iso22301-2019",
    "iso27001-2022",
    "iso42001-2023",
)
ALL_STANDARDS = (Q, E, S, F, B, IS, AI)


def _each(numbers: tuple[str, ...], *codes: str) -> dict[str, tuple[str, ...]]:
    return {code: numbers for code in codes or ALL_STANDARDS}


@dataclass(frozen=True)
class Starter:
    """One starter template."""

    key: str
    title: str
    doc_type: str
    #: A code the document may take when it is free (otherwise the numbering scheme gives one).
    code: str
    summary: str
    #: Catalog requirement numbers by standard code: what a document made from it provides.
    requirements: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def doc_type_label(self) -> str:
        return str(DocType(self.doc_type).label)

    @property
    def standards(self) -> tuple[str, ...]:
        return tuple(self.requirements)

    @property
    def text(self) -> str:
        """The template's Markdown, placeholders unfilled."""
        return _read(self.key)


@cache
def _read(key: str) -> str:
    return (
        resources.files("pdca.documents.starter")
        .joinpath("templates", f"{key}.md")
        .read_text(encoding="utf-8")
    )


STARTERS: tuple[Starter, ...] = (
    Starter(
        "quality-policy",
        "Quality policy",
        DocType.POLICY,
        "POL-QMS",
        "Top management's commitments on quality, and how they are shared and kept current.",
        {Q: ("5.2", "5.2.1", "5.2.2")},
    ),
    Starter(
        "information-security-policy",
        "Information security policy",
        DocType.POLICY,
        "POL-ISMS",
        "Why information is protected, who is responsible, and the rules everyone follows.",
        {IS: ("5.2", "A.5.1")},
    ),
    Starter(
        "ai-policy",
        "AI policy",
        DocType.POLICY,
        "POL-AIMS",
        "How the organization develops, provides or uses AI systems responsibly.",
        {AI: ("5.2", "A.2.2")},
    ),
    Starter(
        "scope-statement",
        "Scope of the management system",
        DocType.OTHER,
        "MS-SCOPE",
        "What the management system covers: activities, sites, standards and exclusions.",
        {**_each(("4.3",), Q, E, S, F, IS, AI), B: ("4.3", "4.3.2")},
    ),
    Starter(
        "document-control",
        "Control of documented information",
        DocType.PROCEDURE,
        "PRO-DOC",
        "How documents are written, reviewed, approved, published, read and retired.",
        _each(("7.5", "7.5.2", "7.5.3")),
    ),
    Starter(
        "internal-audit",
        "Internal audit procedure",
        DocType.PROCEDURE,
        "PRO-AUD",
        "How internal audits are planned, carried out, reported and followed up.",
        _each(("9.2", "9.2.1", "9.2.2")),
    ),
    Starter(
        "nonconformity-corrective-action",
        "Nonconformity and corrective action procedure",
        DocType.PROCEDURE,
        "PRO-NC",
        "How problems are reported, contained, analysed and fixed at their cause.",
        {
            **_each(("10.2",), Q, E, S, IS, AI),
            F: ("10.1", "10.1.1", "10.1.2"),
            B: ("10.1", "10.1.1", "10.1.2", "10.1.3"),
        },
    ),
    Starter(
        "management-review",
        "Management review procedure",
        DocType.PROCEDURE,
        "PRO-MR",
        "How top management reviews the system: when, with what inputs, and what comes out.",
        {**_each(("9.3",), E, S), **_each(("9.3", "9.3.1", "9.3.2", "9.3.3"), Q, F, B, IS, AI)},
    ),
    Starter(
        "risk-assessment-methodology",
        "Risk assessment methodology",
        DocType.PROCEDURE,
        "PRO-RISK",
        "How risks and opportunities are found, rated, treated and reviewed.",
        {
            **_each(("6.1", "6.1.1"), Q, E, F, B),
            S: ("6.1", "6.1.2", "6.1.2.2"),
            IS: ("6.1", "6.1.2", "6.1.3"),
            AI: ("6.1", "6.1.2", "6.1.3"),
        },
    ),
    Starter(
        "competence-awareness",
        "Competence and awareness procedure",
        DocType.PROCEDURE,
        "PRO-COMP",
        "How the organization decides what people need to know, trains them and keeps proof.",
        _each(("7.2", "7.3")),
    ),
)

_BY_KEY = {starter.key: starter for starter in STARTERS}


def get_starter(key: str) -> Starter | None:
    """The starter template called `key`, or None."""
    return _BY_KEY.get(key)
