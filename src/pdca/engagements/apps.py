from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    name = "pdca.engagements"
    label = "engagements"
    verbose_name = "Engagements between organizations"

    def ready(self) -> None:
        from pdca.audits import hooks as audit_hooks
        from pdca.core.navigation import NavItem, add_item
        from pdca.engagements import impartiality, permissions  # noqa: F401  (rules)
        from pdca.engagements.services import findings
        from pdca.improvement import hooks as improvement_hooks

        # After certification's own receivers (installed before this app): the body's review
        # of a finding exists, with its deadlines, when the client's nonconformity opens.
        audit_hooks.finding_graded.register(findings.follow_finding)
        audit_hooks.finding_deleted.register(findings.forget_finding)
        improvement_hooks.body_deadlines.register(findings.body_deadlines)
        impartiality.register()
        from pdca.engagements.rehearsal import transition

        transition.register()
        section = "Engagements"
        add_item(NavItem("Engagements", "engagements:list", section, "engagements.engagement"))
        add_item(
            NavItem(
                "Stage 1 rehearsal",
                "engagements:rehearsal-systems",
                section,
                "engagements.engagement",
            )
        )
        add_item(
            NavItem(
                "Portfolio",
                "engagements:portfolio",
                section,
                "engagements.engagement",
                kinds=("consultancy",),
            )
        )
