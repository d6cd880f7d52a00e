"""The menu, the links on every page and the organization switcher, for every role.

The menu must offer exactly what a role may use, and no link a role is shown may lead to a
missing page (404), a crash (500) or a refusal (403).
"""

from __future__ import annotations

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urldefrag, urljoin, urlsplit

import pytest
from django.http import HttpResponse
from django.urls import Resolver404, path, resolve

from pdca import urls as project_urls
from pdca.audits.permissions import INSIDERS
from pdca.certification.permissions import MEMBERS as CB_MEMBERS
from pdca.core.roles import ORGANIZATION_ROLES, OVERSEERS, Role
from pdca.core.testing.api_bundle import ROLES, login
from pdca.documents.permissions import APPROVERS
from pdca.engagements.permissions import READERS as ENGAGEMENT_READERS
from pdca.people.permissions import KEEPERS as PEOPLE_KEEPERS
from pdca.people.permissions import READERS as PEOPLE_READERS
from pdca.reviews.permissions import READERS as REVIEW_READERS
from pdca.standards.models import Requirement, Standard
from pdca.system.services import add_exclusion, create_system
from pdca.tenancy import services
from pdca.tenancy.middleware import SESSION_KEY
from pdca.tenancy.models import Membership, Site

#: Links the crawler does not follow: documentation rendered by the API, static files, and
#: signing out (which would end the crawl).
SKIPPED_PREFIXES = ("/api/v1/docs", "/static/", "/accounts/logout/")
MAX_DEPTH = 3
#: Links leading to the same view with other arguments are fetched this many times at most.
PAGES_PER_KIND = 5
SITE_HOSTS = {"", "testserver"}


def expected_menu(role: str) -> list[str]:
    """The menu items a role may use, written out: everyone sees the organization's pages and
    the standards catalog, only overseers the activity log, and the roles of an implementing
    organization its management system."""
    items = ["Home", "Jobs", "Organization", "Sites", "Members"]
    if role in OVERSEERS:
        items += ["Activity log", "Records and retention"]
    if role in ORGANIZATION_ROLES:
        items += [
            "Management system",
            "Gap assessments",
            "Context",
            "Interested parties",
            "Processes",
            "Responsibilities",
            "Objectives",
            "Risks",
            "Statement of Applicability",
            "AI systems",
            "AI impact assessments",
            "Documents",
            "Evidence",
        ]
        if role in APPROVERS:
            items.append("Reviews")
        items += ["To read", "Audit programmes", "Audits"]
        if role in PEOPLE_READERS:
            items.append("Internal auditors")
        if role in INSIDERS:
            items.append("Saved checklists")
        if role != Role.EMPLOYEE:
            items.append("Nonconformities")
        items += ["Report a nonconformity", "My CAPA tasks", "Improvement opportunities"]
        if role != Role.EMPLOYEE:
            items.append("CAPA analytics")
    else:
        # A certification body keeps its impartiality risks and conducts its audits.
        items += ["Risks", "Evidence", "Audit programmes", "Audits"]
        if role in PEOPLE_READERS:
            items.append("Internal auditors")
        items.append("Saved checklists")
    # Everyone has their own training; the organization's is for those who read it.
    items.append("My training")
    if role in PEOPLE_READERS:
        items.append("Competence matrix")
    if role in PEOPLE_KEEPERS:
        items.append("Requirements")
    if role in PEOPLE_READERS:
        items.append("Training records")
    items.append("Training paths")
    if role in PEOPLE_READERS:
        items += ["Awareness campaigns", "Qualifications"]
    if role in CB_MEMBERS:
        items += [
            "Profile",
            "Accredited scopes",
            "Clients",
            "Applications",
            "Conflicts of interest",
            "Programme calendar",
            "Certification cycles",
            "Auditor pool",
            "Certificates",
        ]
    if role in REVIEW_READERS:
        items += [
            "Dashboard",
            "Leadership",
            "Management reviews",
            "Review schedule",
            "Review actions",
        ]
    if role in ENGAGEMENT_READERS:
        items += ["Engagements", "Stage 1 rehearsal"]
    return [*items, "Standards", "Integrated view", "OSCAL"]


@dataclass
class Page:
    """What a page offers: every link, the main menu, and the top-bar menu for phones."""

    links: list[str] = field(default_factory=list)
    menu: list[tuple[str, str]] = field(default_factory=list)
    phone_menu: list[tuple[str, str]] = field(default_factory=list)
    heading: str = ""


class PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._open: list[tuple[str, dict]] = []  # the open nav and ul elements
        self._link: tuple[str, list[str]] | None = None
        self._in_h1 = False

    def _in_main_menu(self) -> bool:
        return any(t == "nav" and a.get("aria-label") == "Main" for t, a in self._open)

    def _in_phone_menu(self) -> bool:
        return any(t == "ul" and "navbar-nav" in a.get("class", "").split() for t, a in self._open)

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        if tag in ("nav", "ul"):
            self._open.append((tag, attributes))
        elif tag == "h1":
            self._in_h1 = True
        elif tag == "a" and "href" in attributes:
            self.page.links.append(attributes["href"])
            self._link = (attributes["href"], [])

    def handle_endtag(self, tag):
        if tag in ("nav", "ul") and self._open:
            self._open.pop()
        elif tag == "h1":
            self._in_h1 = False
        elif tag == "a" and self._link is not None:
            href, text = self._link
            label = " ".join("".join(text).split())
            if self._in_main_menu():
                self.page.menu.append((label, href))
            elif self._in_phone_menu():
                self.page.phone_menu.append((label, href))
            self._link = None

    def handle_data(self, data):
        if self._link is not None:
            self._link[1].append(data)
        if self._in_h1:
            self.page.heading += data


def parse(response) -> Page:
    parser = PageParser()
    parser.feed(response.content.decode())
    parser.close()
    parser.page.heading = " ".join(parser.page.heading.split())
    return parser.page


def same_site_path(href: str, base: str) -> str | None:
    """The path (with query) `href` leads to on this site, or None for links elsewhere."""
    url, _fragment = urldefrag(urljoin(f"http://testserver{base}", href))
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc not in SITE_HOSTS:
        return None
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    if not target or target.startswith(SKIPPED_PREFIXES):
        return None
    return target


@pytest.fixture
def populated(personas, catalog):
    """Each organization gets a site (with history), so detail, edit and delete links exist."""
    for org, manager in (
        (personas.org, personas.manager),
        (personas.cb, personas.users[Role.CB_MANAGER]),
    ):
        site = services.create_site(
            org, actor=manager, name=f"Main site of {org.slug}", city="Leeds", country="GB"
        )
        services.update_site(site, actor=manager, headcount=12)
    # The implementing organization runs a management system with an exclusion, so the links
    # of the system's page (edit, drop, exclusions) are crawled too.
    system = create_system(
        personas.org,
        name="Integrated system",
        standards=[Standard.objects.get(code="iso9001-2015")],
        sites=list(Site.objects.filter(organization=personas.org)),
        actor=personas.manager,
    )
    add_exclusion(
        system,
        Requirement.objects.get(standard__code="iso9001-2015", number="8.3.1"),
        justification="We build to customer drawings.",
        actor=personas.manager,
    )
    return personas


# --- the menu -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_home_page_shows_each_role_exactly_the_menu_items_it_may_use(client, personas, role):
    login(client, personas.users[role])
    response = client.get("/")
    assert response.status_code == 200
    page = parse(response)
    assert page.heading.startswith(personas.org_for(role).name)
    assert [label for label, _ in page.menu] == expected_menu(role)
    assert page.phone_menu == page.menu, "the phone menu and the sidebar differ"


# --- the crawler ----------------------------------------------------------------------------


@dataclass
class Crawl:
    fetched: dict[str, int] = field(default_factory=dict)  # path: status
    resolved_only: set[str] = field(default_factory=set)  # links checked against the URLconf
    problems: list[str] = field(default_factory=list)


def kind_of(target: str) -> str | None:
    """The view a link leads to, its arguments but the last, and the names of its query
    parameters (so each standard's requirement pages are a kind of their own); None when no
    view would answer the link."""
    parts = urlsplit(target)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    leading = list(match.kwargs.values())[:-1]
    query = sorted(parse_qs(parts.query, keep_blank_values=True))
    return " ".join([match.route, *map(str, leading), "?", *query])


def crawl(client, start: str = "/", max_depth: int = MAX_DEPTH) -> Crawl:
    """Follow every same-site link from `start` up to `max_depth` links deep.

    Links of one kind (the same view with other arguments: one page per requirement of a
    standard, say) are fetched up to PAGES_PER_KIND times; the others of that kind are only
    resolved against the URLconf, so a link pointing nowhere is still found. Each problem names
    the link, what it answered and the page that offered it.
    """
    result = Crawl()
    per_kind: Counter[str] = Counter()
    queue: deque[tuple[str, int, str]] = deque([(start, 0, "(start)")])
    queued = {start}

    def offer(target: str, depth: int, found_on: str) -> None:
        if target in queued:
            return
        queued.add(target)
        kind = kind_of(target)
        if kind is not None and per_kind[kind] >= PAGES_PER_KIND:
            result.resolved_only.add(target)
            return
        if kind is not None:
            per_kind[kind] += 1
        queue.append((target, depth, found_on))

    while queue:
        path, depth, found_on = queue.popleft()
        response = client.get(path)
        result.fetched[path] = response.status_code
        if response.status_code in (301, 302, 303, 307, 308):
            target = same_site_path(response["Location"], path)
            if target is None:
                result.problems.append(f"{path} (linked from {found_on}) redirects off-site")
            else:
                offer(target, depth, path)
            continue
        if response.status_code != 200:
            result.problems.append(
                f"{path} (linked from {found_on}) answered {response.status_code}"
            )
            continue
        if depth == max_depth or "text/html" not in response.get("Content-Type", ""):
            continue
        for href in parse(response).links:
            target = same_site_path(href, path)
            if target is not None:
                offer(target, depth + 1, path)
    return result


@pytest.mark.parametrize("role", ROLES)
def test_no_link_a_role_is_shown_is_dead_or_refused(client, populated, role):
    login(client, populated.users[role])
    result = crawl(client)
    assert result.problems == []
    # The crawl reached the pages of the menu and the pages behind them.
    menu_pages = {"/", "/organization/", "/sites/", "/members/", "/standards/"}
    assert menu_pages | {"/standards/integrated/", "/accounts/profile/"} <= set(result.fetched)
    assert any(re.fullmatch(r"/sites/\d+/", p) for p in result.fetched), "no site page reached"
    system_page_reached = any(re.fullmatch(r"/systems/\d+/", p) for p in result.fetched)
    assert system_page_reached == (role in ORGANIZATION_ROLES)
    assert ("/activity/" in result.fetched) == (role in OVERSEERS)


def _page_with_links(request):
    return HttpResponse(
        '<a href="/missing/">gone</a> <a href="#top">top</a> <a href="/fine/">fine</a>'
        ' <a href="https://example.org/">elsewhere</a>'
    )


#: The urlconf of the crawler's own test (`@pytest.mark.urls(__name__)`).
urlpatterns = [
    path("start/", _page_with_links),
    path("fine/", lambda request: HttpResponse("<p>fine</p>")),
    *project_urls.urlpatterns,  # the error pages name the project's URLs
]


@pytest.mark.urls(__name__)
def test_the_crawler_reports_a_dead_link_and_the_page_that_offers_it(client, personas):
    login(client, personas.manager)
    result = crawl(client, "/start/")
    assert result.problems == ["/missing/ (linked from /start/) answered 404"]
    assert result.fetched == {"/start/": 200, "/missing/": 404, "/fine/": 200}


def test_the_crawler_fetches_a_few_links_of_each_kind_and_resolves_the_rest(client, populated):
    login(client, populated.manager)
    result = crawl(client)
    assert result.resolved_only, "nothing was left unfetched: the sampling is not exercised"
    for target in result.resolved_only:
        assert kind_of(target) is not None, target
    kinds = Counter(kind_of(p) for p in result.fetched)
    assert max(kinds.values()) <= PAGES_PER_KIND


def test_links_elsewhere_and_skipped_links_are_not_followed():
    assert same_site_path("https://example.org/x", "/") is None
    assert same_site_path("//example.org/x", "/") is None
    assert same_site_path("mailto:someone@example.org", "/") is None
    assert same_site_path("/api/v1/docs", "/") is None
    assert same_site_path("/static/pdca/pdca.css", "/") is None
    assert same_site_path("/accounts/logout/", "/") is None
    assert same_site_path("?page=2#list", "/sites/") == "/sites/?page=2"
    assert same_site_path("edit/", "/sites/3/") == "/sites/3/edit/"
    assert same_site_path("http://testserver/members/", "/") == "/members/"


# --- the organization switcher --------------------------------------------------------------


@pytest.fixture
def two_hats(personas):
    """The system manager of Org A, who is also an employee of Org B."""
    Membership.objects.create(organization=personas.other, user=personas.manager, role="employee")
    return personas


def test_a_member_of_two_organizations_switches_and_the_home_page_shows_the_other(client, two_hats):
    login(client, two_hats.manager)
    home = parse(client.get("/"))
    assert home.heading.startswith("Org A")

    response = client.post(
        "/organization/switch/", {"organization": two_hats.other.pk, "next": "/sites/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/sites/"
    response = client.get("/")
    assert parse(response).heading.startswith("Org B")
    assert "You are <strong>Employee</strong> here." in response.content.decode()
    # The menu follows the role in the organization now chosen.
    assert [label for label, _ in parse(response).menu] == expected_menu(Role.EMPLOYEE)


def test_the_switcher_offers_only_the_organizations_of_the_user(client, two_hats):
    login(client, two_hats.manager)
    html = client.get("/").content.decode()
    switcher = html[
        html.index('id="org-switcher"') : html.index("</form>", html.index('id="org-switcher"'))
    ]
    assert "Org A" in switcher and "Org B" in switcher
    assert ">CB<" not in switcher


def test_switching_to_an_organization_one_is_not_a_member_of_answers_404_and_changes_nothing(
    client, two_hats
):
    login(client, two_hats.manager)
    client.post("/organization/switch/", {"organization": two_hats.other.pk, "next": "/"})
    before = client.session[SESSION_KEY]

    for organization in (two_hats.cb.pk, 999_999, "not-a-number", ""):
        response = client.post("/organization/switch/", {"organization": organization, "next": "/"})
        assert response.status_code == 404, organization
        assert client.session[SESSION_KEY] == before
    assert parse(client.get("/")).heading.startswith("Org B")


@pytest.mark.parametrize(
    "next_url",
    [
        "//evil.example",
        "//evil.example/organization/",
        "https://evil.example/",
        "\\\\evil.example",
        "javascript:alert(1)",
    ],
)
def test_switching_with_next_pointing_off_site_redirects_home_instead(client, two_hats, next_url):
    login(client, two_hats.manager)
    response = client.post(
        "/organization/switch/", {"organization": two_hats.other.pk, "next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session[SESSION_KEY] == two_hats.other.pk


def test_switching_without_next_goes_home(client, two_hats):
    login(client, two_hats.manager)
    response = client.post("/organization/switch/", {"organization": two_hats.other.pk})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_switching_needs_a_signed_in_user_and_a_post(client, two_hats):
    response = client.post("/organization/switch/", {"organization": two_hats.other.pk})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    login(client, two_hats.manager)
    assert client.get("/organization/switch/").status_code == 405


def test_a_backslash_in_next_cannot_turn_it_into_a_link_off_site(client, two_hats):
    # Browsers read "/\\host" as "//host"; the redirect must not carry a bare backslash.
    login(client, two_hats.manager)
    response = client.post(
        "/organization/switch/", {"organization": two_hats.other.pk, "next": "/\\evil.example"}
    )
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\"))
    assert "\\" not in location
