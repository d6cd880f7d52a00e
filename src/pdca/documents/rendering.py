"""A document's text as files people can open anywhere: DOCX (python-docx) and A4 PDF
(WeasyPrint), each with a header block naming the code, title, version, status, effective date
and owner.

Both start from the same sanitized HTML as the browser shows (`markdown.render_markdown`), so
what a reader sees on the page, in Word and on paper is the same text: headings, paragraphs,
bold and italic, bullet and numbered lists, tables, quotes and code.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Mapping
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from docx import Document as DocxDocument
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from lxml import html as lxml_html

from pdca.documents.markdown import render_markdown

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_CONTENT_TYPE = "application/pdf"
MARKDOWN_CONTENT_TYPE = "text/markdown; charset=utf-8"

#: Header block rows: (meta key, label).
META_FIELDS = (
    ("code", "Code"),
    ("title", "Title"),
    ("version", "Version"),
    ("status", "Status"),
    ("effective_date", "Effective date"),
    ("owner", "Owner"),
)
BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "pre", "blockquote", "hr"}
MUTED = RGBColor(0x60, 0x7D, 0x8B)


def _meta_rows(title: str, meta: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(key, label, value) of each header block row; "—" where there is no value."""
    values = {**meta, "title": title}
    return [(key, label, str(values.get(key) or "—")) for key, label in META_FIELDS]


def _body(title: str, markdown_text: str):
    """The sanitized HTML as a tree, without a leading heading that repeats the title (the
    header block already shows it)."""
    root = lxml_html.fragment_fromstring(str(render_markdown(markdown_text)), create_parent="div")
    first = next(iter(root), None)
    if (
        first is not None
        and first.tag == "h1"
        and " ".join(first.text_content().split()).casefold() == title.strip().casefold()
    ):
        if first.tail and first.tail.strip():
            root.text = (root.text or "") + first.tail
        root.remove(first)
    return root


# --- DOCX ---------------------------------------------------------------------------------


def _field(run, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) in `run`, shown once Word computes it."""
    for kind, text in (("begin", None), (None, instruction), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _inline(paragraph, element, *, bold=False, italic=False, code=False) -> None:
    """Add the text of `element` and its inline children to `paragraph` as runs."""

    def add(text: str | None) -> None:
        if not text:
            return
        run = paragraph.add_run(text)
        run.bold = bold or None
        run.italic = italic or None
        if code:
            run.font.name = "Courier New"

    add(element.text)
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "br":
            paragraph.add_run().add_break(WD_BREAK.LINE)
        elif tag in {"ul", "ol"}:
            pass  # nested lists are written after their item's own text
        else:
            _inline(
                paragraph,
                child,
                bold=bold or tag in {"strong", "b"},
                italic=italic or tag in {"em", "i"},
                code=code or tag == "code",
            )
        add(child.tail)


def _trim(paragraph) -> None:
    """Drop the line breaks HTML leaves around an item's text (before a nested list)."""
    runs = [r for r in paragraph.runs if r.text]
    if runs:
        runs[0].text = runs[0].text.lstrip()
        runs[-1].text = runs[-1].text.rstrip()


class _Numbering:
    """Numbered lists that each start again at 1 (Word continues one list style's numbers
    across the whole document unless each list gets its own numbering instance)."""

    def __init__(self, docx) -> None:
        self.docx = docx
        self.numbering = docx.part.numbering_part.element
        style = docx.styles["List Number"]
        num_pr = style.element.pPr.numPr
        self.base_num_id = int(num_pr.numId.val)

    def new_list(self) -> int:
        base = next(
            n
            for n in self.numbering.findall(qn("w:num"))
            if int(n.get(qn("w:numId"))) == self.base_num_id
        )
        num_id = max(int(n.get(qn("w:numId"))) for n in self.numbering.findall(qn("w:num"))) + 1
        num = copy.deepcopy(base)
        num.set(qn("w:numId"), str(num_id))
        for override in num.findall(qn("w:lvlOverride")):
            num.remove(override)
        override = OxmlElement("w:lvlOverride")
        override.set(qn("w:ilvl"), "0")
        start = OxmlElement("w:startOverride")
        start.set(qn("w:val"), "1")
        override.append(start)
        num.append(override)
        self.numbering.append(num)
        return num_id


def _set_num(paragraph, num_id: int) -> None:
    p_pr = paragraph._p.get_or_add_pPr()
    num_pr = OxmlElement("w:numPr")
    ilvl = OxmlElement("w:ilvl")
    ilvl.set(qn("w:val"), "0")
    num = OxmlElement("w:numId")
    num.set(qn("w:val"), str(num_id))
    num_pr.append(ilvl)
    num_pr.append(num)
    p_pr.append(num_pr)


def _list(docx, element, numbering: _Numbering, depth: int = 1) -> None:
    ordered = element.tag == "ol"
    level = min(depth, 3)
    style = ("List Number" if ordered else "List Bullet") + (f" {level}" if level > 1 else "")
    num_id = numbering.new_list() if ordered and depth == 1 else None
    for item in element:
        if item.tag != "li":
            continue
        paragraph = docx.add_paragraph(style=style)
        if num_id is not None:
            _set_num(paragraph, num_id)
        # A "loose" list wraps each item's text in <p>: write their text in the same item.
        blocks = [c for c in item if c.tag == "p"]
        if blocks:
            for index, block in enumerate(blocks):
                if index:
                    paragraph.add_run().add_break(WD_BREAK.LINE)
                _inline(paragraph, block)
        else:
            _inline(paragraph, item)
        _trim(paragraph)
        for child in item:
            if child.tag in {"ul", "ol"}:
                _list(docx, child, numbering, depth + 1)


def _table(docx, element) -> None:
    rows = [tr for tr in element.iter("tr")]
    if not rows:
        return
    width = max(len([c for c in tr if c.tag in {"td", "th"}]) for tr in rows)
    table = docx.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for r, tr in enumerate(rows):
        cells = [c for c in tr if c.tag in {"td", "th"}]
        for c, cell in enumerate(cells):
            paragraph = table.cell(r, c).paragraphs[0]
            _inline(paragraph, cell, bold=cell.tag == "th")
    docx.add_paragraph()


def _blocks(docx, root, numbering: _Numbering) -> None:
    if root.text and root.text.strip():
        docx.add_paragraph(root.text.strip())
    for element in root:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            docx.add_heading(" ".join(element.text_content().split()), level=int(tag[1]))
        elif tag == "p":
            _inline(docx.add_paragraph(), element)
        elif tag in {"ul", "ol"}:
            _list(docx, element, numbering)
        elif tag == "table":
            _table(docx, element)
        elif tag == "pre":
            paragraph = docx.add_paragraph()
            run = paragraph.add_run(element.text_content().rstrip("\n"))
            run.font.name = "Courier New"
            run.font.size = Pt(9)
        elif tag == "blockquote":
            for child in element:
                if child.tag == "p":
                    _inline(docx.add_paragraph(style="Quote"), child)
        elif tag == "hr":
            docx.add_paragraph("―" * 20)
        elif tag == "div":
            _blocks(docx, element, numbering)
        elif tag:
            _inline(docx.add_paragraph(), element)
        if element.tail and element.tail.strip():
            docx.add_paragraph(element.tail.strip())


def markdown_to_docx(title: str, markdown_text: str, *, meta: Mapping[str, Any]) -> bytes:
    """The Markdown as a Word document: the title, a header block (code, title, version,
    status, effective date, owner), then the text. `meta` may also name the `organization`,
    shown in the page header."""
    docx = DocxDocument()
    docx.core_properties.title = title[:255]
    docx.core_properties.subject = str(meta.get("code") or "")
    docx.core_properties.author = str(meta.get("owner") or "")
    normal = docx.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)

    section = docx.sections[0]
    header = section.header.paragraphs[0]
    header.text = " · ".join(
        str(v) for v in (meta.get("organization"), meta.get("code"), title) if v
    )
    header.runs[0].font.size = Pt(8)
    header.runs[0].font.color.rgb = MUTED
    footer = section.footer.paragraphs[0]
    label = " · ".join(
        str(v)
        for v in (meta.get("code"), f"Version {meta['version']}" if meta.get("version") else "")
        if v
    )
    for text, field in ((f"{label}   Page ", "PAGE"), (" of ", "NUMPAGES")):
        docx_run = footer.add_run(text)
        docx_run.font.size = Pt(8)
        field_run = footer.add_run()
        field_run.font.size = Pt(8)
        _field(field_run, field)

    docx.add_heading(title, level=0)
    block = docx.add_table(rows=0, cols=2)
    block.style = "Table Grid"
    for _key, label_text, value in _meta_rows(title, meta):
        cells = block.add_row().cells
        cells[0].paragraphs[0].add_run(label_text).bold = True
        cells[1].paragraphs[0].add_run(value)
    docx.add_paragraph()

    _blocks(docx, _body(title, markdown_text), _Numbering(docx))
    buffer = io.BytesIO()
    docx.save(buffer)
    return buffer.getvalue()


# --- PDF ----------------------------------------------------------------------------------


def document_html(title: str, markdown_text: str, *, meta: Mapping[str, Any]) -> str:
    """The HTML the PDF is printed from (`documents/_pdf_document.html`)."""
    body = lxml_html.tostring(_body(title, markdown_text), encoding="unicode")
    return render_to_string(
        "documents/_pdf_document.html",
        {
            "title": title,
            "meta": meta,
            "rows": _meta_rows(title, meta),
            "body": body,  # the sanitized HTML, re-serialized
            "generated_at": timezone.localtime().replace(microsecond=0),
        },
    )


def markdown_to_pdf(title: str, markdown_text: str, *, meta: Mapping[str, Any]) -> bytes:
    """The Markdown as an A4 PDF with the header block and, on every page, a footer with the
    code, the version and the page number."""
    from weasyprint import HTML

    return HTML(string=document_html(title, markdown_text, meta=meta)).write_pdf()


# --- versions -----------------------------------------------------------------------------


def version_meta(version) -> dict[str, str]:
    """The header block of one version of a document."""
    document = version.document
    owner = document.owner
    return {
        "organization": document.organization.name,
        "code": document.code,
        "version": str(version.number),
        "status": version.get_status_display(),
        "effective_date": version.effective_date.isoformat() if version.effective_date else "",
        "owner": owner.get_full_name() if owner else "",
    }


def version_text(version) -> str:
    """The Markdown of a version; for an uploaded file, a line saying which file it is."""
    if version.content.strip() or not version.file_id:
        return version.content
    file = version.file
    return (
        f"The content of this version is the file **{file.original_name}** "
        f"({file.content_type}, SHA-256 `{file.sha256}`)."
    )


def version_filename(version, extension: str) -> str:
    code = "".join(c if c.isalnum() or c in "-_." else "-" for c in version.document.code)
    return f"{code or 'document'}-v{version.number}.{extension}"


def version_docx(version) -> bytes:
    """One version of a document as DOCX."""
    return markdown_to_docx(
        version.document.title, version_text(version), meta=version_meta(version)
    )


def version_pdf(version) -> bytes:
    """One version of a document as PDF."""
    return markdown_to_pdf(
        version.document.title, version_text(version), meta=version_meta(version)
    )
