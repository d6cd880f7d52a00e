"""Pages of the standards catalog: the list, a standard's tree with search, a requirement with its
links to other standards, the integrated view, the mandatory documented information, and the
comparison of two editions (with its CSV and XLSX downloads).

The catalog is shared reference data: anyone signed in may read all of it, whatever their
organization (or none).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.vary import vary_on_headers

from pdca.core.exceptions import NotFound
from pdca.standards import exports, selectors
from pdca.standards.editions import exports as edition_exports
from pdca.standards.editions import selectors as editions
from pdca.standards.models import EditionMapping, Requirement, RequirementGroup, Standard


def _standard(code: str) -> Standard:
    return get_object_or_404(Standard, code=code)


@login_required
def standard_list(request):
    """Every standard with its edition label and the editions around it; one query for the
    standards and one for the transitions, however many there are."""
    pairs = editions.transition_pairs()
    rows = [(s, editions.editions_around(s, pairs)) for s in editions.catalog()]
    return render(
        request, "standards/standard_list.html", {"rows": rows, "standards": [s for s, _ in rows]}
    )


@login_required
@vary_on_headers("HX-Request")
def standard_detail(request, code: str):
    """The clause tree and the Annex groups; `?q=` keeps only the matching requirements (the
    same matching as the API's text search). An htmx request gets the tree fragment alone."""
    standard = get_object_or_404(
        Standard.objects.select_related("replaces", "replaced_by"), code=code
    )
    clauses, groups = selectors.tree(standard)
    sections: list[tuple[RequirementGroup | None, list[Requirement]]] = [(None, clauses)]
    sections += [(group, list(group.requirements.all())) for group in groups]
    total = sum(len(items) for _, items in sections)
    q = request.GET.get("q", "").strip()
    if q:
        matching = set(
            selectors.requirements(standard=standard.code, q=q).values_list("pk", flat=True)
        )
        sections = [(group, [r for r in items if r.pk in matching]) for group, items in sections]
    context = {
        "standard": standard,
        "tree_sections": [(group, items) for group, items in sections if items],
        "q": q,
        "total": total,
        "match_count": sum(len(items) for _, items in sections),
        "tree_url": _tree_url(standard),
        "integrated_url": reverse("standards:integrated"),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "standards/_tree.html", context)
    context["editions"] = editions.editions_around(standard)
    return render(request, "standards/standard_detail.html", context)


def _tree_url(standard: Standard) -> str:
    """`/standards/<code>/`: a requirement's page is this plus its number and a slash (numbers
    are letters, digits and dots, by the catalog schema). One `reverse` per page rather than one
    per row keeps long trees fast."""
    return reverse("standards:detail", args=[standard.code])


@login_required
def requirement_detail(request, code: str, number: str):
    requirement = get_object_or_404(
        Requirement.objects.select_related("standard", "group", "core", "parent"),
        standard__code=code,
        number=number,
    )
    links = selectors.links_of(requirement)
    return render(
        request,
        "standards/requirement_detail.html",
        {
            "requirement": requirement,
            "standard": requirement.standard,
            "children": list(requirement.children.order_by("sort_key")),
            "core_links": [link for link in links if link.via == "core"],
            "mapping_links": [link for link in links if link.via == "mapping"],
            "edition_links": editions.requirement_editions(requirement),
        },
    )


@login_required
def integrated(request):
    """One row per Harmonized Structure clause, one column per chosen standard (all by
    default); unknown codes in `?standards=` are ignored."""
    available = list(Standard.objects.order_by("name", "edition"))
    for standard in available:
        standard.tree_url = _tree_url(standard)  # type: ignore[attr-defined]  # for the template
    wanted = set(request.GET.getlist("standards"))
    chosen = [s for s in available if s.code in wanted] or available
    return render(
        request,
        "standards/integrated.html",
        {
            "available": available,
            "chosen": chosen,
            "chosen_codes": {s.code for s in chosen},
            "rows": selectors.integrated_view(chosen),
        },
    )


@login_required
def documented_information(request, code: str):
    standard = _standard(code)
    items = selectors.documented_information(standard)
    return render(
        request,
        "standards/documented_information.html",
        {
            "standard": standard,
            "items": items,
            "tree_url": _tree_url(standard),
            "maintain_count": sum(1 for item in items if item.type == "maintain"),
            "retain_count": sum(1 for item in items if item.type == "retain"),
        },
    )


@login_required
def documented_information_csv(request, code: str):
    standard = _standard(code)
    return _download(
        exports.documented_information_csv(selectors.documented_information(standard)),
        "text/csv; charset=utf-8",
        exports.filename(standard, "csv"),
    )


@login_required
def documented_information_xlsx(request, code: str):
    standard = _standard(code)
    return _download(
        exports.documented_information_xlsx(standard, selectors.documented_information(standard)),
        exports.XLSX_CONTENT_TYPE,
        exports.filename(standard, "xlsx"),
    )


def _diff(old: str, new: str) -> editions.Diff:
    """The comparison, or 404 for an unknown code or two editions without a transition."""
    try:
        return editions.diff_by_codes(old, new)
    except NotFound as exc:
        raise Http404(exc.message) from None


@login_required
def comparison(request, old: str, new: str):
    """Two editions side by side: what became of each old requirement and where each new one
    came from, with our notes; `?change=new&change=changed` keeps only those lines (the
    counts, what is new and what was removed always cover the whole transition)."""
    diff = _diff(old, new)
    changes, _ = editions.parse_changes(request.GET.getlist("change"))
    query = request.GET.urlencode()
    return render(
        request,
        "standards/comparison.html",
        {
            "diff": diff,
            "lines": diff.only(changes),
            "changes": changes,
            "kinds": [
                (c, diff.counts[c], EditionMapping.Change(c).label, meaning)
                for c, meaning in editions.CHANGE_MEANINGS.items()
            ],
            "old_url": _tree_url(diff.old),
            "new_url": _tree_url(diff.new),
            "query": f"?{query}" if query else "",
        },
    )


@login_required
def comparison_csv(request, old: str, new: str):
    diff = _diff(old, new)
    changes, _ = editions.parse_changes(request.GET.getlist("change"))
    return _download(
        edition_exports.comparison_csv(diff.only(changes)),
        "text/csv; charset=utf-8",
        edition_exports.filename(diff, "csv"),
    )


@login_required
def comparison_xlsx(request, old: str, new: str):
    diff = _diff(old, new)
    changes, _ = editions.parse_changes(request.GET.getlist("change"))
    return _download(
        edition_exports.comparison_xlsx(diff, diff.only(changes)),
        exports.XLSX_CONTENT_TYPE,
        edition_exports.filename(diff, "xlsx"),
    )


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
