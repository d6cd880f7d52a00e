"""The standards catalog: standards, their requirements, and how requirements map across them.

Catalog rows are shared reference data, the same for every organization; they are loaded from
the validated YAML files under `catalog/` (`pdca standards load`), never edited in the app.
"""

from __future__ import annotations

from django.db import models


class CoreClause(models.Model):
    """A clause of the Harmonized Structure that ISO management-system standards share
    (4 Context … 10.2 Nonconformity and corrective action)."""

    number = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    sort_key = models.CharField(max_length=80, db_index=True)

    class Meta:
        ordering = ["sort_key"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Standard(models.Model):
    """One edition of a standard (ISO 9001:2015, ISO/IEC 27001:2022…) or an organization's own
    framework in the same format. A new edition is a new standard with its own code."""

    class Discipline(models.TextChoices):
        QUALITY = "quality", "Quality"
        ENVIRONMENT = "environment", "Environment"
        OHS = "ohs", "Occupational health and safety"
        INFORMATION_SECURITY = "information_security", "Information security"
        AI = "ai", "Artificial intelligence"
        FOOD_SAFETY = "food_safety", "Food safety"
        BUSINESS_CONTINUITY = "business_continuity", "Business continuity"
        OTHER = "other", "Other"

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100)
    title = models.CharField(max_length=300)
    edition = models.CharField(max_length=20)
    publisher = models.CharField(max_length=100, blank=True)
    discipline = models.CharField(max_length=30, choices=Discipline.choices)
    structure = models.CharField(max_length=20)
    summary = models.TextField(blank=True)
    published_on = models.DateField(null=True, blank=True)
    amendments = models.JSONField(
        default=list,
        blank=True,
        help_text="Amendments that are part of this edition: code, title, published, summary",
    )
    provisional = models.BooleanField(
        default=False, help_text="Rests on facts not yet verified against the published standard"
    )
    provisional_note = models.TextField(blank=True)
    replaces = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaced_by",
        help_text="The edition this one replaces",
    )
    transition_ends = models.DateField(
        null=True,
        blank=True,
        help_text="Certificates to the replaced edition are not valid after this date",
    )
    new_certificates_until = models.DateField(
        null=True,
        blank=True,
        help_text="Last date for new or renewed certificates to the replaced edition",
    )
    transition_provisional = models.BooleanField(
        default=False, help_text="The transition dates are not yet confirmed"
    )
    transition_note = models.TextField(blank=True)
    source_file = models.CharField(max_length=300, blank=True)
    checksum = models.CharField(max_length=64, blank=True)
    loaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "edition"]

    def __str__(self) -> str:
        return f"{self.name}:{self.edition}"

    @property
    def edition_label(self) -> str:
        """The edition with the amendments that are part of it: `2015+A1:2024`."""
        return "+".join([self.edition, *(a["code"] for a in self.amendments)])

    @property
    def full_name(self) -> str:
        """`ISO 9001:2015+A1:2024`: how certificates and transition pages name the edition."""
        return f"{self.name}:{self.edition_label}"

    @property
    def successor(self) -> Standard | None:
        """The edition that replaces this one, if the catalog has it."""
        try:
            return self.replaced_by
        except Standard.DoesNotExist:
            return None


class RequirementGroup(models.Model):
    """A group of Annex controls: a 27001 theme (A.5 Organizational controls…) or a 42001
    control objective (A.2 Policies related to AI…)."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="groups")
    code = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    sort_key = models.CharField(max_length=80)

    class Meta:
        ordering = ["standard", "sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="group_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Requirement(models.Model):
    """A clause or an Annex control of a standard: what an organization must have or do,
    summarised in our own words, with the documented information it demands."""

    class Kind(models.TextChoices):
        CLAUSE = "clause", "Clause"
        CONTROL = "control", "Control"

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="requirements")
    number = models.CharField(max_length=30)
    title = models.CharField(max_length=300)
    untitled = models.BooleanField(
        default=False, help_text="The standard gives no title; ours is descriptive"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    group = models.ForeignKey(
        RequirementGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requirements",
    )
    core = models.ForeignKey(
        CoreClause,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requirements",
        help_text="The Harmonized Structure clause this requirement derives from",
    )
    summary = models.TextField()
    adds = models.TextField(blank=True, help_text="What this standard adds to the core clause")
    documented_information = models.JSONField(default=list, blank=True)
    sort_key = models.CharField(max_length=80, db_index=True)
    depth = models.PositiveSmallIntegerField(default=0)
    retired = models.BooleanField(
        default=False,
        help_text="No longer in the catalog file but kept because records refer to it",
    )
    provisional = models.BooleanField(
        default=False,
        help_text="Number, title or place not yet verified against the published standard",
    )

    class Meta:
        ordering = ["standard", "sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "number"], name="requirement_number_unique"
            ),
        ]
        indexes = [models.Index(fields=["standard", "kind"], name="requirement_kind_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def label(self) -> str:
        return f"{self.standard.name} {self.number}"

    @property
    def is_mandatory_documented_information(self) -> bool:
        return bool(self.documented_information)


class Mapping(models.Model):
    """An explicit link between requirements of two standards, from a mapping file (links
    through a shared core clause are implied by `Requirement.core` and need no row). Read both
    ways: a mapping from A to B is also one from B to A."""

    class Relation(models.TextChoices):
        EQUIVALENT = "equivalent", "Equivalent"
        RELATED = "related", "Related"
        PARTIAL = "partial", "Partial"

    source = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="mappings_out")
    target = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="mappings_in")
    relation = models.CharField(max_length=12, choices=Relation.choices)
    note = models.TextField(blank=True)
    source_file = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="mapping_pair_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.relation} {self.target_id}"


class EditionMapping(models.Model):
    """One line of the transition from an edition to the next (ISO 14001:2015 to 2026): what
    became of an old requirement, or where a new one came from, with our note on what changed.
    `new` lines have no old requirement, `removed` lines no new one."""

    class Change(models.TextChoices):
        SAME = "same", "Same"
        MOVED = "moved", "Moved"
        SPLIT = "split", "Split"
        MERGED = "merged", "Merged"
        CHANGED = "changed", "Changed"
        NEW = "new", "New"
        REMOVED = "removed", "Removed"

    #: Changes after which the organization's work carries over as it is.
    CARRIED = frozenset({Change.SAME, Change.MOVED, Change.MERGED})

    old_standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="+")
    new_standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="+")
    old = models.ForeignKey(
        Requirement, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    new = models.ForeignKey(
        Requirement, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    change = models.CharField(max_length=10, choices=Change.choices)
    note = models.TextField(blank=True)
    source_file = models.CharField(max_length=300, blank=True)
    sort_key = models.CharField(max_length=170, db_index=True)

    class Meta:
        ordering = ["old_standard", "new_standard", "sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["old_standard", "new_standard", "old", "new"],
                name="edition_mapping_unique",
            ),
        ]

    def __str__(self) -> str:
        old = self.old.number if self.old_id and self.old else "—"
        new = self.new.number if self.new_id and self.new else "—"
        return f"{old} {self.change} {new}"


def number_sort_key(number: str) -> str:
    """A key that sorts 4.10 after 4.9, A.5.2 before A.5.10, and clause 10 before Annex A."""
    parts = []
    for part in number.split("."):
        # Digits sort before letters, so numbered clauses come before lettered annexes.
        parts.append("0" + part.zfill(4) if part.isdigit() else "1" + part.rjust(4, " "))
    return ".".join(parts)
