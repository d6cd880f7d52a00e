"""Full-text search over documented information: codes, titles, and the text of each
document's current version (the published one, else the latest).

On PostgreSQL the text is matched with its full-text search (word stems, ranking by where the
words are found: title and code before content); elsewhere with a plain case-insensitive
match. Each hit carries a short snippet around the first match with the words highlighted;
the snippet is escaped before highlighting, so a document's text can never inject markup.

One query, however many documents match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Case, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from pdca.core.permissions import scope
from pdca.documents.models import Document, DocumentVersion

#: Most hits one search returns.
MAX_HITS = 200
SNIPPET_CHARS = 160
#: Markdown punctuation left out of snippets: line markers (headings, quotes, list bullets,
#: rules), emphasis and code marks, and link targets (their text stays).
LINE_MARKS = re.compile(r"^[ \t]*(?:#{1,6}|>+|[-*+](?=\s)|\d+\.(?=\s)|[-*_]{3,}\s*$)", re.M)
INLINE_MARKS = re.compile(r"\*\*|__|`+")
LINKS = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
WORDS = re.compile(r"\w[\w.-]*", re.UNICODE)


@dataclass(frozen=True)
class SearchHit:
    """A document that matches, with where it stands and a highlighted snippet."""

    id: int
    code: str
    title: str
    doc_type: str
    version_number: int | None
    version_status: str | None
    snippet: SafeString
    rank: float


def terms_of(query: str) -> list[str]:
    """The words of a query, as typed (at most ten)."""
    return WORDS.findall(query or "")[:10]


def _current(field: str) -> Subquery:
    """A field of the document's current version: the published one, else the latest."""
    versions = (
        DocumentVersion.objects.filter(document=OuterRef("pk"))
        .annotate(
            published_first=Case(
                When(status=DocumentVersion.Status.PUBLISHED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("published_first", "-number")
    )
    return Subquery(versions.values(field)[:1])


def _with_current(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(
        current_content=_current("content"),
        current_number=_current("number"),
        current_status=_current("status"),
    )


def _postgres(queryset: QuerySet, query: str, terms: list[str]) -> QuerySet:
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    config = getattr(settings, "PDCA_SEARCH_CONFIG", "english")
    vector = (
        SearchVector("code", weight="A", config=config)
        + SearchVector("title", weight="A", config=config)
        + SearchVector("current_content", weight="B", config=config)
    )
    search_query = SearchQuery(query, search_type="websearch", config=config)
    literal = Q(code__icontains=query.strip()) | Q(title__icontains=query.strip())
    return (
        queryset.annotate(found=vector, rank=SearchRank(vector, search_query))
        .filter(Q(found=search_query) | literal)
        .order_by("-rank", "code")
    )


def _plain(queryset: QuerySet, terms: list[str]) -> QuerySet:
    condition = Q()
    for term in terms:
        condition &= (
            Q(code__icontains=term) | Q(title__icontains=term) | Q(current_content__icontains=term)
        )
    title_hit = Q()
    for term in terms:
        title_hit &= Q(code__icontains=term) | Q(title__icontains=term)
    return (
        queryset.filter(condition)
        .annotate(
            rank=Case(When(title_hit, then=Value(1.0)), default=Value(0.5)),
        )
        .order_by("-rank", "code")
    )


def snippet(text: str, terms: list[str], width: int = SNIPPET_CHARS) -> SafeString:
    """A short, escaped excerpt of `text` around the first term found, with every term in
    `<mark>`; the start of the text when no term is in it."""
    text = LINKS.sub(r"\1", LINE_MARKS.sub(" ", text or ""))
    plain = " ".join(INLINE_MARKS.sub("", text).replace("|", " ").split())
    if not plain:
        return mark_safe("")
    lowered = plain.casefold()
    positions = [lowered.find(t.casefold()) for t in terms if t]
    positions = [p for p in positions if p >= 0]
    start = max(0, min(positions) - width // 3) if positions else 0
    end = min(len(plain), start + width)
    excerpt = plain[start:end]
    prefix = "… " if start else ""
    suffix = " …" if end < len(plain) else ""
    if terms:
        # Split the raw text on the terms and escape every piece: the document's own text
        # can never become markup, and entities are never cut by a highlight.
        pattern = re.compile(
            "|".join(re.escape(t) for t in sorted(set(terms), key=len, reverse=True)),
            re.IGNORECASE,
        )
        pieces: list[str] = []
        last = 0
        for match in pattern.finditer(excerpt):
            pieces.append(escape(excerpt[last : match.start()]))
            pieces.append(f"<mark>{escape(match.group(0))}</mark>")
            last = match.end()
        pieces.append(escape(excerpt[last:]))
        escaped = "".join(pieces)
    else:
        escaped = escape(excerpt)
    return mark_safe(f"{prefix}{escaped}{suffix}")  # noqa: S308  (escaped above)


def search_documents(user, organization, query: str, *, limit: int = MAX_HITS) -> list[SearchHit]:
    """The documents of `organization` the user may see that match `query`, best first."""
    terms = terms_of(query)
    if not terms:
        return []
    queryset = _with_current(
        scope(Document.objects.filter(organization=organization), user).only(
            "id", "code", "title", "doc_type"
        )
    )
    if connection.vendor == "postgresql":
        queryset = _postgres(queryset, query, terms)
    else:
        queryset = _plain(queryset, terms)
    return [
        SearchHit(
            doc.pk,
            doc.code,
            doc.title,
            doc.doc_type,
            doc.current_number,
            doc.current_status,
            snippet(doc.current_content or doc.title, terms),
            float(doc.rank or 0),
        )
        for doc in queryset[: max(1, min(limit, MAX_HITS))]
    ]
