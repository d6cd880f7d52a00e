"""The audit report: what it says (`report_content`, a plain JSON-ready dict that issuing
freezes), its charts of findings by grade and by clause (inline SVG), and its PDF (WeasyPrint,
A4, rendered from that dict, so an issued revision's PDF shows exactly its frozen content)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from html import escape
from typing import Any

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from pdca.audits.findings import CERTIFICATION_TYPES
from pdca.audits.grades import grade_colour
from pdca.audits.models import Audit, AuditMeeting, AuditTeamMember, Finding

PDF_CONTENT_TYPE = "application/pdf"
NO_CLAUSE = "none"


def _name(user) -> str:
    return (user.full_name or user.email) if user is not None else ""


def top_clause(number: str) -> str:
    """The top-level clause of a requirement number: `7` for 7.5.3, `A.5` for control
    A.5.1 (an Annex group)."""
    parts = number.split(".")
    return parts[0] if parts[0].isdigit() else ".".join(parts[:2])


def _clause_order(key: str) -> tuple:
    if key == NO_CLAUSE:
        return (2, 0, "")
    head, _, _rest = key.partition(".")
    return (0, int(head), "") if head.isdigit() else (1, 0, key)


def _audit_for_report(audit: Audit) -> Audit:
    """The audit with everything the report shows, in a fixed number of queries."""
    findings = Finding.objects.select_related("process", "site", "nonconformity").prefetch_related(
        "requirements__standard"
    )
    return (
        Audit.objects.select_related("organization", "lead_auditor")
        .prefetch_related(
            "standards",
            "sites",
            "processes",
            "auditees",
        )
        # One Prefetch a call: the stubs cannot type a mix of them in one.
        .prefetch_related(Prefetch("team", queryset=AuditTeamMember.objects.select_related("user")))
        .prefetch_related(Prefetch("meetings", queryset=AuditMeeting.objects.order_by("held_at")))
        .prefetch_related(Prefetch("findings", queryset=findings.order_by("number")))
        .get(pk=audit.pk)
    )


def _finding(finding: Finding) -> dict[str, Any]:
    requirements = sorted(finding.requirements.all(), key=lambda r: (r.standard.name, r.sort_key))
    nonconformity = finding.nonconformity
    return {
        "number": finding.number,
        "grade": finding.grade,
        "grade_label": finding.get_grade_display(),
        "title": finding.title,
        "requirement_statement": finding.requirement_statement,
        "evidence": finding.evidence,
        "statement": finding.statement,
        "requirements": [f"{r.standard.name} {r.number}" for r in requirements],
        "clauses": sorted({top_clause(r.number) for r in requirements}, key=_clause_order),
        "process": str(finding.process) if finding.process else "",
        "site": str(finding.site) if finding.site else "",
        "nonconformity": (nonconformity.reference or str(nonconformity.pk))
        if nonconformity
        else "",
        "nonconformity_id": finding.nonconformity_id,
    }


def report_content(audit: Audit) -> dict[str, Any]:
    """Everything the report says, as plain values (what an issued revision freezes)."""
    audit = _audit_for_report(audit)
    findings = [_finding(f) for f in audit.findings.all()]
    by_grade = Counter(f["grade"] for f in findings)
    by_clause: Counter[str] = Counter()
    for f in findings:
        for clause in f["clauses"] or [NO_CLAUSE]:
            by_clause[clause] += 1
    certification = audit.audit_type in CERTIFICATION_TYPES
    return {
        "audit": audit.pk,
        "organization": audit.organization.name,
        "reference": audit.reference,
        "title": audit.title,
        "type": audit.audit_type,
        "type_label": audit.get_audit_type_display(),
        "certification": certification,
        "start_date": audit.start_date.isoformat(),
        "end_date": audit.end_date.isoformat(),
        "scope": audit.scope,
        "objectives": audit.objectives,
        "criteria": audit.criteria,
        "standards": [
            {"code": s.code, "name": str(s)}
            for s in sorted(audit.standards.all(), key=lambda s: s.code)
        ],
        "sites": sorted(str(s) for s in audit.sites.all()),
        "processes": sorted(str(p) for p in audit.processes.all()),
        "lead_auditor": _name(audit.lead_auditor),
        "team": [
            {"name": _name(m.user), "role": m.role, "role_label": m.get_role_display()}
            for m in audit.team.all()
        ],
        "auditees": sorted(_name(u) for u in audit.auditees.all()),
        "summary": audit.summary,
        "conclusion": audit.conclusion,
        "recommendation": audit.recommendation if certification else "",
        "recommendation_label": audit.get_recommendation_display()
        if certification and audit.recommendation
        else "",
        "by_grade": [
            {"grade": value, "label": label, "count": by_grade.get(value, 0)}
            for value, label in Finding.Grade.choices
        ],
        "by_clause": [
            {"clause": key, "count": by_clause[key]} for key in sorted(by_clause, key=_clause_order)
        ],
        "nonconformities": sum(by_grade.get(g, 0) for g in ("major", "minor")),
        "findings": findings,
        "meetings": [
            {
                "kind": m.kind,
                "kind_label": m.get_kind_display(),
                "held_at": timezone.localtime(m.held_at).strftime("%Y-%m-%d %H:%M"),
                "attendees": [line.strip() for line in m.attendees.splitlines() if line.strip()],
                "notes": m.notes,
            }
            for m in audit.meetings.all()
        ],
        "revision": None,
        "issued_at": None,
        "issued_by": "",
        "reason": "",
    }


# --- charts -------------------------------------------------------------------------------


def count_chart(
    rows: Sequence[tuple[str, int, str]], *, title: str, width: int = 640
) -> SafeString:
    """Horizontal bars of counts, one per (label, count, colour), scaled to the largest."""
    label_w, row_h, pad = 190, 22, 6
    bar_w = width - label_w - 50
    top = max([count for _, count, _ in rows] + [1])
    height = pad * 2 + row_h * max(len(rows), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="findings-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, count, fill) in enumerate(rows):
        y = pad + i * row_h
        length = bar_w * count / top
        text = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12" '
            f'font-family="sans-serif" fill="#1f2d3d">{escape(text)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="{row_h - 8}" fill="#eceff1"/>'
            f'<rect x="{label_w}" y="{y + 4}" width="{length:.1f}" height="{row_h - 8}" '
            f'fill="{escape(fill)}"><title>{escape(label)}: {count}</title></rect>'
            f'<text x="{label_w + bar_w + 6}" y="{y + 15}" font-size="12" '
            f'font-family="sans-serif" fill="#1f2d3d">{count}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text is escaped above)


def grade_chart(content: dict[str, Any]) -> SafeString:
    return count_chart(
        [(g["label"], g["count"], grade_colour(g["grade"])) for g in content["by_grade"]],
        title="Findings by grade",
    )


def clause_chart(content: dict[str, Any]) -> SafeString:
    return count_chart(
        [
            (
                "No requirement" if c["clause"] == NO_CLAUSE else f"Clause {c['clause']}",
                c["count"],
                "#1f3a5f",
            )
            for c in content["by_clause"]
        ],
        title="Findings by clause",
    )


def template_context(content: dict[str, Any]) -> dict[str, Any]:
    """What the report templates (page and PDF) get: the content and its charts."""
    return {
        "report": content,
        "grade_chart": grade_chart(content),
        "clause_chart": clause_chart(content),
    }


# --- PDF ----------------------------------------------------------------------------------


def render_html(content: dict[str, Any]) -> str:
    return render_to_string("audits/report_pdf.html", {**template_context(content), "pdf": True})


def render_pdf(content: dict[str, Any]) -> bytes:
    """The report as an A4 PDF: cover, then each part; every page after the cover carries
    the audit reference and revision in its header and its number in the footer."""
    from weasyprint import HTML

    return HTML(string=render_html(content)).write_pdf()
