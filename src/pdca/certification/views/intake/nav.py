"""Menu items of the certification body's intake pages (added when the app starts)."""

from pdca.core.navigation import NavItem, add_item

SECTION = "Certification body"


def add_items() -> None:
    """The "Certification body" section: profile, accredited scopes, clients, applications
    and conflicts of interest, each shown to the roles that may read it."""
    for label, url_name, model in (
        ("Profile", "certification:profile", "certification.certificationbodyprofile"),
        (
            "Accredited scopes",
            "certification:accredited-scopes-list",
            "certification.accreditedscope",
        ),
        ("Clients", "certification:clients-list", "certification.client"),
        ("Applications", "certification:applications-list", "certification.application"),
        (
            "Conflicts of interest",
            "certification:conflicts-of-interest-list",
            "certification.conflictofinterest",
        ),
    ):
        add_item(NavItem(label, url_name, SECTION, model))
