"""The shipped catalogs as loaded: trees, Annex A, core clauses, mappings, documented information.

The expected values were checked against docs of record (shared/domain/reference.md sections 1
to 3: the clause trees, the Annex A tables and the mandatory documented information). Clause
numbers deeper than that reference (the untitled numbered paragraphs of 9001, 22000 and 22301)
are asserted as the files hold them.
"""

import re
from collections import Counter

import pytest

from pdca.standards import selectors
from pdca.standards.models import CoreClause, Mapping, Requirement, RequirementGroup, Standard

pytestmark = pytest.mark.usefixtures("catalog")

CODES = {
    "iso9001-2015",
    "iso14001-2015",
    "iso45001-2018",
    "iso27001-2022",
    "iso42001-2023",
    "iso22000-2018",
    "iso22301-2019",
}
#: The new editions (issue 21), beside the ones they replace; their own checks are in
#: tests/standards/test_editions_data.py.
NEW_EDITIONS = {"iso14001-2026", "iso9001-2026"}

# Every clause number of every standard, in reading order.
CLAUSES = {
    "iso9001-2015": """
        4 4.1 4.2 4.3 4.4 4.4.1 4.4.2 5 5.1 5.1.1 5.1.2 5.2 5.2.1 5.2.2 5.3
        6 6.1 6.1.1 6.1.2 6.2 6.2.1 6.2.2 6.3
        7 7.1 7.1.1 7.1.2 7.1.3 7.1.4 7.1.5 7.1.5.1 7.1.5.2 7.1.6 7.2 7.3 7.4
        7.5 7.5.1 7.5.2 7.5.3 7.5.3.1 7.5.3.2
        8 8.1 8.2 8.2.1 8.2.2 8.2.3 8.2.3.1 8.2.3.2 8.2.4 8.3 8.3.1 8.3.2 8.3.3 8.3.4 8.3.5 8.3.6
        8.4 8.4.1 8.4.2 8.4.3 8.5 8.5.1 8.5.2 8.5.3 8.5.4 8.5.5 8.5.6 8.6 8.7 8.7.1 8.7.2
        9 9.1 9.1.1 9.1.2 9.1.3 9.2 9.2.1 9.2.2 9.3 9.3.1 9.3.2 9.3.3
        10 10.1 10.2 10.2.1 10.2.2 10.3
    """,
    "iso14001-2015": """
        4 4.1 4.2 4.3 4.4 5 5.1 5.2 5.3
        6 6.1 6.1.1 6.1.2 6.1.3 6.1.4 6.2 6.2.1 6.2.2
        7 7.1 7.2 7.3 7.4 7.4.1 7.4.2 7.4.3 7.5 7.5.1 7.5.2 7.5.3
        8 8.1 8.2 9 9.1 9.1.1 9.1.2 9.2 9.2.1 9.2.2 9.3 10 10.1 10.2 10.3
    """,
    "iso45001-2018": """
        4 4.1 4.2 4.3 4.4 5 5.1 5.2 5.3 5.4
        6 6.1 6.1.1 6.1.2 6.1.2.1 6.1.2.2 6.1.2.3 6.1.3 6.1.4 6.2 6.2.1 6.2.2
        7 7.1 7.2 7.3 7.4 7.4.1 7.4.2 7.4.3 7.5 7.5.1 7.5.2 7.5.3
        8 8.1 8.1.1 8.1.2 8.1.3 8.1.4 8.1.4.1 8.1.4.2 8.1.4.3 8.2
        9 9.1 9.1.1 9.1.2 9.2 9.2.1 9.2.2 9.3 10 10.1 10.2 10.3
    """,
    "iso27001-2022": """
        4 4.1 4.2 4.3 4.4 5 5.1 5.2 5.3 6 6.1 6.1.1 6.1.2 6.1.3 6.2 6.3
        7 7.1 7.2 7.3 7.4 7.5 7.5.1 7.5.2 7.5.3 8 8.1 8.2 8.3
        9 9.1 9.2 9.2.1 9.2.2 9.3 9.3.1 9.3.2 9.3.3 10 10.1 10.2
    """,
    "iso42001-2023": """
        4 4.1 4.2 4.3 4.4 5 5.1 5.2 5.3 6 6.1 6.1.1 6.1.2 6.1.3 6.1.4 6.2 6.3
        7 7.1 7.2 7.3 7.4 7.5 7.5.1 7.5.2 7.5.3 8 8.1 8.2 8.3 8.4
        9 9.1 9.2 9.2.1 9.2.2 9.3 9.3.1 9.3.2 9.3.3 10 10.1 10.2
    """,
    "iso22000-2018": """
        4 4.1 4.2 4.3 4.4 5 5.1 5.2 5.2.1 5.2.2 5.3 5.3.1 5.3.2 5.3.3
        6 6.1 6.1.1 6.1.2 6.1.3 6.2 6.2.1 6.2.2 6.3
        7 7.1 7.1.1 7.1.2 7.1.3 7.1.4 7.1.5 7.1.6 7.2 7.3 7.4 7.4.1 7.4.2 7.4.3
        7.5 7.5.1 7.5.2 7.5.3 7.5.3.1 7.5.3.2
        8 8.1 8.2 8.2.1 8.2.2 8.2.3 8.2.4 8.3 8.4 8.4.1 8.4.2
        8.5 8.5.1 8.5.1.1 8.5.1.2 8.5.1.3 8.5.1.4 8.5.1.5 8.5.1.5.1 8.5.1.5.2 8.5.1.5.3
        8.5.2 8.5.2.1 8.5.2.2 8.5.2.2.1 8.5.2.2.2 8.5.2.2.3 8.5.2.3 8.5.2.4 8.5.2.4.1 8.5.2.4.2
        8.5.3 8.5.4 8.5.4.1 8.5.4.2 8.5.4.3 8.5.4.4 8.5.4.5 8.6 8.7 8.8 8.8.1 8.8.2
        8.9 8.9.1 8.9.2 8.9.2.1 8.9.2.2 8.9.2.3 8.9.2.4 8.9.3 8.9.4 8.9.4.1 8.9.4.2 8.9.4.3 8.9.5
        9 9.1 9.1.1 9.1.2 9.2 9.2.1 9.2.2 9.3 9.3.1 9.3.2 9.3.3
        10 10.1 10.1.1 10.1.2 10.2 10.3
    """,
    "iso22301-2019": """
        4 4.1 4.2 4.2.1 4.2.2 4.3 4.3.1 4.3.2 4.4 5 5.1 5.2 5.2.1 5.2.2 5.3
        6 6.1 6.1.1 6.1.2 6.2 6.2.1 6.2.2 6.3 7 7.1 7.2 7.3 7.4 7.5 7.5.1 7.5.2 7.5.3
        8 8.1 8.2 8.2.1 8.2.2 8.2.3 8.3 8.3.1 8.3.2 8.3.3 8.3.4 8.3.5
        8.4 8.4.1 8.4.2 8.4.2.1 8.4.2.2 8.4.2.3 8.4.2.4 8.4.3 8.4.3.1 8.4.3.2
        8.4.4 8.4.4.1 8.4.4.2 8.4.4.3 8.4.5 8.5 8.6
        9 9.1 9.2 9.2.1 9.2.2 9.3 9.3.1 9.3.2 9.3.3 10 10.1 10.1.1 10.1.2 10.1.3 10.2
    """,
}

# Numbered paragraphs the standard gives no title: the title in the catalog is ours.
UNTITLED = {
    "iso9001-2015": "4.4.1 4.4.2 6.1.1 6.1.2 6.2.1 6.2.2 7.5.3.1 7.5.3.2 8.2.3.1 8.2.3.2 "
    "8.7.1 8.7.2 9.2.1 9.2.2 10.2.1 10.2.2",
    "iso14001-2015": "",
    "iso45001-2018": "",
    "iso27001-2022": "",
    "iso42001-2023": "",
    "iso22000-2018": "5.3.1 5.3.2 5.3.3 6.1.1 6.1.2 6.1.3 6.2.1 6.2.2 7.5.3.1 7.5.3.2 "
    "8.2.1 8.2.2 8.2.3 8.2.4 8.5.2.2.1 8.5.2.2.2 8.5.2.2.3 8.5.2.4.1 8.5.2.4.2 "
    "8.9.2.1 8.9.2.2 8.9.2.3 8.9.2.4 9.2.1 9.2.2 10.1.1 10.1.2",
    "iso22301-2019": "8.4.2.1 8.4.2.2 8.4.2.3 8.4.2.4 8.4.3.1 8.4.3.2 8.4.4.1 8.4.4.2 8.4.4.3 "
    "10.1.1 10.1.2 10.1.3",
}

# Where a standard departs from the Harmonized Structure (reference.md 1.2 to 1.8).
DISTINCT_TITLES = [
    ("iso9001-2015", "4.4", "Quality management system and its processes"),
    ("iso9001-2015", "5.1.2", "Customer focus"),
    ("iso9001-2015", "7.1.4", "Environment for the operation of processes"),
    ("iso9001-2015", "7.1.5.2", "Measurement traceability"),
    ("iso9001-2015", "7.1.6", "Organizational knowledge"),
    ("iso9001-2015", "8.4", "Control of externally provided processes, products and services"),
    ("iso9001-2015", "8.5.3", "Property belonging to customers or external providers"),
    ("iso9001-2015", "8.5.6", "Control of changes"),
    ("iso9001-2015", "9.3.3", "Management review outputs"),
    ("iso9001-2015", "10.1", "General"),
    ("iso9001-2015", "10.3", "Continual improvement"),
    ("iso14001-2015", "6.1.2", "Environmental aspects"),
    ("iso14001-2015", "6.1.3", "Compliance obligations"),
    ("iso14001-2015", "9.1.2", "Evaluation of compliance"),
    (
        "iso45001-2018",
        "4.2",
        "Understanding the needs and expectations of workers and other interested parties",
    ),
    ("iso45001-2018", "5", "Leadership and worker participation"),
    ("iso45001-2018", "5.4", "Consultation and participation of workers"),
    ("iso45001-2018", "6.1.2", "Hazard identification and assessment of risks and opportunities"),
    ("iso45001-2018", "8.1.4.2", "Contractors"),
    ("iso45001-2018", "9.1", "Monitoring, measurement, analysis and performance evaluation"),
    ("iso45001-2018", "10.2", "Incident, nonconformity and corrective action"),
    ("iso27001-2022", "5.2", "Policy"),
    ("iso27001-2022", "5.3", "Organizational roles, responsibilities and authorities"),
    ("iso27001-2022", "6.1.2", "Information security risk assessment"),
    ("iso27001-2022", "6.1.3", "Information security risk treatment"),
    ("iso27001-2022", "8", "Operation"),
    ("iso27001-2022", "9.3.3", "Management review results"),
    ("iso42001-2023", "5.3", "Roles, responsibilities and authorities"),
    ("iso42001-2023", "6.1.4", "AI system impact assessment"),
    ("iso42001-2023", "7.5.2", "Creating and updating documented information"),
    ("iso42001-2023", "8.4", "AI system impact assessment"),
    (
        "iso22000-2018",
        "7.1.5",
        "Externally developed elements of the food safety management system",
    ),
    ("iso22000-2018", "8.5", "Hazard control"),
    ("iso22000-2018", "8.5.4", "Hazard control plan (HACCP/OPRP plan)"),
    ("iso22000-2018", "8.9.5", "Withdrawal/recall"),
    ("iso22000-2018", "10.3", "Update of the food safety management system"),
    ("iso22301-2019", "6.3", "Planning changes to the business continuity management system"),
    ("iso22301-2019", "8.2", "Business impact analysis and risk assessment"),
    ("iso22301-2019", "8.3", "Business continuity strategies and solutions"),
    ("iso22301-2019", "8.6", "Evaluation of business continuity documentation and capabilities"),
    ("iso22301-2019", "9.2.2", "Audit programme(s)"),
    ("iso22301-2019", "10.1", "Nonconformity and corrective action"),
]

ANNEX_A_27001 = """
A.5.1 Policies for information security
A.5.2 Information security roles and responsibilities
A.5.3 Segregation of duties
A.5.4 Management responsibilities
A.5.5 Contact with authorities
A.5.6 Contact with special interest groups
A.5.7 Threat intelligence
A.5.8 Information security in project management
A.5.9 Inventory of information and other associated assets
A.5.10 Acceptable use of information and other associated assets
A.5.11 Return of assets
A.5.12 Classification of information
A.5.13 Labelling of information
A.5.14 Information transfer
A.5.15 Access control
A.5.16 Identity management
A.5.17 Authentication information
A.5.18 Access rights
A.5.19 Information security in supplier relationships
A.5.20 Addressing information security within supplier agreements
A.5.21 Managing information security in the ICT supply chain
A.5.22 Monitoring, review and change management of supplier services
A.5.23 Information security for use of cloud services
A.5.24 Information security incident management planning and preparation
A.5.25 Assessment and decision on information security events
A.5.26 Response to information security incidents
A.5.27 Learning from information security incidents
A.5.28 Collection of evidence
A.5.29 Information security during disruption
A.5.30 ICT readiness for business continuity
A.5.31 Legal, statutory, regulatory and contractual requirements
A.5.32 Intellectual property rights
A.5.33 Protection of records
A.5.34 Privacy and protection of PII
A.5.35 Independent review of information security
A.5.36 Compliance with policies, rules and standards for information security
A.5.37 Documented operating procedures
A.6.1 Screening
A.6.2 Terms and conditions of employment
A.6.3 Information security awareness, education and training
A.6.4 Disciplinary process
A.6.5 Responsibilities after termination or change of employment
A.6.6 Confidentiality or non-disclosure agreements
A.6.7 Remote working
A.6.8 Information security event reporting
A.7.1 Physical security perimeters
A.7.2 Physical entry
A.7.3 Securing offices, rooms and facilities
A.7.4 Physical security monitoring
A.7.5 Protecting against physical and environmental threats
A.7.6 Working in secure areas
A.7.7 Clear desk and clear screen
A.7.8 Equipment siting and protection
A.7.9 Security of assets off-premises
A.7.10 Storage media
A.7.11 Supporting utilities
A.7.12 Cabling security
A.7.13 Equipment maintenance
A.7.14 Secure disposal or re-use of equipment
A.8.1 User end point devices
A.8.2 Privileged access rights
A.8.3 Information access restriction
A.8.4 Access to source code
A.8.5 Secure authentication
A.8.6 Capacity management
A.8.7 Protection against malware
A.8.8 Management of technical vulnerabilities
A.8.9 Configuration management
A.8.10 Information deletion
A.8.11 Data masking
A.8.12 Data leakage prevention
A.8.13 Information backup
A.8.14 Redundancy of information processing facilities
A.8.15 Logging
A.8.16 Monitoring activities
A.8.17 Clock synchronization
A.8.18 Use of privileged utility programs
A.8.19 Installation of software on operational systems
A.8.20 Networks security
A.8.21 Security of network services
A.8.22 Segregation of networks
A.8.23 Web filtering
A.8.24 Use of cryptography
A.8.25 Secure development life cycle
A.8.26 Application security requirements
A.8.27 Secure system architecture and engineering principles
A.8.28 Secure coding
A.8.29 Security testing in development and acceptance
A.8.30 Outsourced development
A.8.31 Separation of development, test and production environments
A.8.32 Change management
A.8.33 Test information
A.8.34 Protection of information systems during audit testing
"""

ANNEX_A_42001 = """
A.2.2 AI policy
A.2.3 Alignment with other organizational policies
A.2.4 Review of the AI policy
A.3.2 AI roles and responsibilities
A.3.3 Reporting of concerns
A.4.2 Resource documentation
A.4.3 Data resources
A.4.4 Tooling resources
A.4.5 System and computing resources
A.4.6 Human resources
A.5.2 AI system impact assessment process
A.5.3 Documentation of AI system impact assessments
A.5.4 Assessing AI system impact on individuals or groups of individuals
A.5.5 Assessing societal impacts of AI systems
A.6.1.2 Objectives for responsible development of AI system
A.6.1.3 Processes for responsible AI system design and development
A.6.2.2 AI system requirements and specification
A.6.2.3 Documentation of AI system design and development
A.6.2.4 AI system verification and validation
A.6.2.5 AI system deployment
A.6.2.6 AI system operation and monitoring
A.6.2.7 AI system technical documentation
A.6.2.8 AI system recording of event logs
A.7.2 Data for development and enhancement of AI system
A.7.3 Acquisition of data
A.7.4 Quality of data for AI systems
A.7.5 Data provenance
A.7.6 Data preparation
A.8.2 System documentation and information for users
A.8.3 External reporting
A.8.4 Communication of incidents
A.8.5 Information for interested parties
A.9.2 Processes for responsible use of AI systems
A.9.3 Objectives for responsible use of AI system
A.9.4 Intended use of the AI system
A.10.2 Allocating responsibilities
A.10.3 Suppliers
A.10.4 Customers
"""

CORE_TOP_TITLES = {
    "4": "Context of the organization",
    "5": "Leadership",
    "6": "Planning",
    "7": "Support",
    "8": "Operation",
    "9": "Performance evaluation",
    "10": "Improvement",
}

# Mandatory documented information: clause -> kinds (reference.md 3.1 to 3.5). 45001 10.3 is
# in the standard ("maintain and retain ... as evidence of continual improvement") though not
# in the reference table; 27001 and 42001 also carry it on the Annex A controls named in 3.4/3.5.
DOCUMENTED = {
    "iso9001-2015": {
        "4.3": {"maintain"},
        "4.4.2": {"maintain", "retain"},
        "5.2.2": {"maintain"},
        "8.3.2": {"retain"},
        "6.2.1": {"maintain"},
        "7.1.5.1": {"retain"},
        "7.1.5.2": {"retain"},
        "7.2": {"retain"},
        "8.1": {"maintain", "retain"},
        "8.2.3.2": {"retain"},
        "8.3.3": {"retain"},
        "8.3.4": {"retain"},
        "8.3.5": {"retain"},
        "8.3.6": {"retain"},
        "8.4.1": {"retain"},
        "8.5.1": {"maintain"},
        "8.5.2": {"retain"},
        "8.5.3": {"retain"},
        "8.5.6": {"retain"},
        "8.6": {"retain"},
        "8.7.2": {"retain"},
        "9.1.1": {"retain"},
        "9.2.2": {"retain"},
        "9.3.3": {"retain"},
        "10.2.2": {"retain"},
    },
    "iso14001-2015": {
        "4.3": {"maintain"},
        "5.2": {"maintain"},
        "6.1.1": {"maintain"},
        "6.1.2": {"maintain"},
        "6.1.3": {"maintain"},
        "6.2.1": {"maintain"},
        "7.2": {"retain"},
        "7.4.1": {"retain"},
        "8.1": {"maintain"},
        "8.2": {"maintain"},
        "9.1.1": {"retain"},
        "9.1.2": {"retain"},
        "9.2.2": {"retain"},
        "9.3": {"retain"},
        "10.2": {"retain"},
    },
    "iso45001-2018": {
        "4.3": {"maintain"},
        "5.2": {"maintain"},
        "5.3": {"maintain"},
        "6.1.1": {"maintain"},
        "6.1.2.2": {"maintain", "retain"},
        "6.1.3": {"maintain", "retain"},
        "6.2.2": {"maintain", "retain"},
        "7.2": {"retain"},
        "7.4.1": {"retain"},
        "8.1.1": {"maintain", "retain"},
        "8.2": {"maintain", "retain"},
        "9.1.1": {"retain"},
        "9.1.2": {"retain"},
        "9.2.2": {"retain"},
        "9.3": {"retain"},
        "10.2": {"retain"},
        "10.3": {"maintain", "retain"},
    },
    "iso27001-2022": {
        "4.3": {"maintain"},
        "5.2": {"maintain"},
        "6.1.2": {"retain"},
        "6.1.3": {"maintain", "retain"},
        "6.2": {"retain"},
        "7.2": {"retain"},
        "7.5.1": {"maintain"},
        "8.1": {"retain"},
        "8.2": {"retain"},
        "8.3": {"retain"},
        "9.1": {"retain"},
        "9.2.2": {"retain"},
        "9.3.3": {"retain"},
        "10.2": {"retain"},
        "A.5.1": {"maintain"},
        "A.5.9": {"maintain"},
        "A.5.31": {"maintain"},
        "A.5.37": {"maintain"},
        "A.6.6": {"maintain"},
        "A.8.9": {"maintain"},
        "A.8.15": {"retain"},
        "A.8.27": {"maintain"},
    },
    "iso42001-2023": {
        "4.3": {"maintain"},
        "5.2": {"maintain"},
        "6.1.2": {"retain"},
        "6.1.3": {"maintain", "retain"},
        "6.1.4": {"retain"},
        "6.2": {"retain"},
        "7.2": {"retain"},
        "7.5.1": {"maintain"},
        "8.1": {"retain"},
        "8.2": {"retain"},
        "8.3": {"retain"},
        "8.4": {"retain"},
        "9.1": {"retain"},
        "9.2.2": {"retain"},
        "9.3.3": {"retain"},
        "10.2": {"retain"},
        "A.2.2": {"maintain"},
        "A.4.2": {"maintain"},
        "A.5.3": {"retain"},
        "A.6.2.3": {"maintain"},
        "A.6.2.7": {"maintain"},
        "A.6.2.8": {"retain"},
        "A.7.5": {"retain"},
        "A.8.2": {"maintain"},
    },
}


def numbers(text: str) -> list[str]:
    return text.split()


def titles(table: str) -> dict[str, str]:
    return dict(line.split(" ", 1) for line in table.strip().splitlines())


def requirement(code: str, number: str) -> Requirement:
    return Requirement.objects.get(standard__code=code, number=number)


def sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+(?=[A-Z0-9(])", text.strip())


# --- standards and their trees ----------------------------------------------------------------


def test_exactly_the_seven_standards_and_the_two_new_editions_are_loaded():
    assert set(Standard.objects.values_list("code", flat=True)) == CODES | NEW_EDITIONS
    assert Standard.objects.count() == 9


@pytest.mark.parametrize(
    ("code", "clauses", "controls"),
    [
        ("iso9001-2015", 91, 0),
        ("iso14001-2015", 45, 0),
        ("iso45001-2018", 56, 0),
        ("iso27001-2022", 41, 93),
        ("iso42001-2023", 43, 38),
        ("iso22000-2018", 116, 0),
        ("iso22301-2019", 76, 0),
    ],
)
def test_each_standard_has_its_number_of_clauses_and_controls(code, clauses, controls):
    reqs = Requirement.objects.filter(standard__code=code)
    assert reqs.filter(kind="clause").count() == clauses
    assert reqs.filter(kind="control").count() == controls
    assert reqs.filter(retired=True).count() == 0


@pytest.mark.parametrize("code", sorted(CLAUSES))
def test_each_standard_has_exactly_its_clause_tree_in_reading_order(code):
    got = list(
        Requirement.objects.filter(standard__code=code, kind="clause")
        .order_by("sort_key")
        .values_list("number", flat=True)
    )
    assert got == numbers(CLAUSES[code])


@pytest.mark.parametrize("code", sorted(CLAUSES))
def test_every_clause_hangs_under_the_clause_its_number_names(code):
    for r in Requirement.objects.filter(standard__code=code, kind="clause").select_related(
        "parent"
    ):
        expected_parent = r.number.rsplit(".", 1)[0] if "." in r.number else None
        assert (r.parent.number if r.parent else None) == expected_parent, r.number
        assert r.depth == r.number.count("."), r.number


@pytest.mark.parametrize("code", sorted(UNTITLED))
def test_only_the_untitled_numbered_paragraphs_are_flagged_untitled(code):
    got = Requirement.objects.filter(standard__code=code, untitled=True)
    assert sorted(got.values_list("number", flat=True)) == sorted(numbers(UNTITLED[code]))


@pytest.mark.parametrize(("code", "number", "title"), DISTINCT_TITLES)
def test_discipline_specific_clauses_carry_the_standards_titles(code, number, title):
    assert requirement(code, number).title == title


def test_the_iso9001_resource_and_production_subclauses_are_all_there():
    assert requirement("iso9001-2015", "7.1.5").parent.number == "7.1"
    for number, title in [
        ("7.1.1", "General"),
        ("7.1.2", "People"),
        ("7.1.3", "Infrastructure"),
        ("8.5.1", "Control of production and service provision"),
        ("8.5.2", "Identification and traceability"),
        ("8.5.4", "Preservation"),
        ("8.5.5", "Post-delivery activities"),
    ]:
        assert requirement("iso9001-2015", number).title == title


# --- Annex A ----------------------------------------------------------------------------------


def test_iso27001_annex_a_has_93_controls_in_four_themes():
    controls = Requirement.objects.filter(standard__code="iso27001-2022", kind="control")
    assert controls.count() == 93
    assert Counter(controls.values_list("group__code", flat=True)) == {
        "A.5": 37,
        "A.6": 8,
        "A.7": 14,
        "A.8": 34,
    }
    groups = RequirementGroup.objects.filter(standard__code="iso27001-2022")
    assert list(groups.order_by("sort_key").values_list("code", "title")) == [
        ("A.5", "Organizational controls"),
        ("A.6", "People controls"),
        ("A.7", "Physical controls"),
        ("A.8", "Technological controls"),
    ]


def test_every_iso27001_control_title_is_the_annex_a_title():
    got = dict(
        Requirement.objects.filter(standard__code="iso27001-2022", kind="control").values_list(
            "number", "title"
        )
    )
    assert got == titles(ANNEX_A_27001)


def test_iso42001_annex_a_has_38_controls_in_nine_objectives():
    controls = Requirement.objects.filter(standard__code="iso42001-2023", kind="control")
    assert dict(controls.values_list("number", "title")) == titles(ANNEX_A_42001)
    assert Counter(controls.values_list("group__code", flat=True)) == {
        "A.2": 3,
        "A.3": 2,
        "A.4": 5,
        "A.5": 4,
        "A.6": 9,
        "A.7": 5,
        "A.8": 4,
        "A.9": 3,
        "A.10": 3,
    }
    groups = RequirementGroup.objects.filter(standard__code="iso42001-2023").order_by("sort_key")
    assert list(groups.values_list("code", flat=True)) == [
        "A.2",
        "A.3",
        "A.4",
        "A.5",
        "A.6",
        "A.7",
        "A.8",
        "A.9",
        "A.10",
    ]


def test_every_control_sits_in_a_group_of_its_own_standard_and_has_no_core_clause():
    controls = Requirement.objects.filter(kind="control").select_related("group")
    assert controls.count() == 131
    for control in controls:
        assert control.group is not None, control.number
        assert control.group.standard_id == control.standard_id
        assert control.number.startswith(control.group.code + "."), control.number
        assert control.core_id is None
        assert control.parent_id is None


def test_no_clause_belongs_to_a_group():
    assert Requirement.objects.filter(kind="clause", group__isnull=False).count() == 0


# --- the Harmonized Structure core ------------------------------------------------------------


def test_the_core_has_36_clauses_with_the_harmonized_structure_titles():
    assert CoreClause.objects.count() == 36
    for number, title in CORE_TOP_TITLES.items():
        assert CoreClause.objects.get(number=number).title == title


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_standard_has_clauses_4_to_10_on_the_core(code):
    top = Requirement.objects.filter(standard__code=code, parent=None, kind="clause")
    got = {r.number: (r.core.number, r.title) for r in top.select_related("core")}
    expected = {number: (number, title) for number, title in CORE_TOP_TITLES.items()}
    if code == "iso45001-2018":  # reference.md 1.4: clause 5 adds worker participation
        expected["5"] = ("5", "Leadership and worker participation")
    assert got == expected


@pytest.mark.parametrize("code", ["iso9001-2015", "iso27001-2022", "iso42001-2023"])
def test_each_core_clause_is_used_exactly_once_by_the_standard(code):
    used = Counter(
        Requirement.objects.filter(standard__code=code, core__isnull=False).values_list(
            "core__number", flat=True
        )
    )
    assert set(used) == set(CoreClause.objects.values_list("number", flat=True))
    assert max(used.values()) == 1


@pytest.mark.parametrize("code", sorted(CODES))
def test_no_standard_uses_a_core_clause_twice(code):
    used = Counter(
        Requirement.objects.filter(standard__code=code, core__isnull=False).values_list(
            "core__number", flat=True
        )
    )
    assert [core for core, n in used.items() if n > 1] == []


def test_competence_is_one_core_clause_shared_by_every_standard_and_edition():
    shared = Requirement.objects.filter(core__number="7.2").values_list(
        "standard__code", "number", "title"
    )
    assert sorted(shared) == sorted((code, "7.2", "Competence") for code in CODES | NEW_EDITIONS)


@pytest.mark.parametrize(
    ("code", "number", "core"),
    [
        ("iso9001-2015", "10.1", None),
        ("iso9001-2015", "10.2", "10.2"),
        ("iso9001-2015", "10.3", "10.1"),
        ("iso14001-2015", "10.3", "10.1"),
        ("iso45001-2018", "10.2", "10.2"),
        ("iso27001-2022", "10.1", "10.1"),
        ("iso27001-2022", "10.2", "10.2"),
        ("iso42001-2023", "10.1", "10.1"),
        ("iso22000-2018", "10.1", "10.2"),
        ("iso22000-2018", "10.3", None),
        ("iso22301-2019", "10.1", "10.2"),
        ("iso22301-2019", "10.2", "10.1"),
    ],
)
def test_clause_10_points_at_the_core_by_meaning_not_by_number(code, number, core):
    r = requirement(code, number)
    assert (r.core.number if r.core else None) == core


def test_a_core_clause_id_only_goes_on_a_clause_of_the_same_meaning():
    # 27001 6.1.2 and 8.2 are discipline additions: they inherit 6.1 and 8 through the parent.
    assert requirement("iso27001-2022", "6.1.2").core is None
    assert requirement("iso27001-2022", "8.2").core is None
    assert requirement("iso9001-2015", "7.1.5").core is None


# --- mappings ---------------------------------------------------------------------------------


def test_every_explicit_mapping_is_found_from_both_sides():
    mappings = list(Mapping.objects.select_related("source__standard", "target__standard"))
    assert len(mappings) == 24
    for m in mappings:
        assert (m.source.standard.code, m.target.standard.code) == (
            "iso27001-2022",
            "iso42001-2023",
        )
        from_source = {
            (link.requirement.pk, link.via, link.relation) for link in selectors.links_of(m.source)
        }
        from_target = {
            (link.requirement.pk, link.via, link.relation) for link in selectors.links_of(m.target)
        }
        assert (m.target.pk, "mapping", m.relation) in from_source
        assert (m.source.pk, "mapping", m.relation) in from_target


def test_requirements_sharing_a_core_clause_link_to_each_other():
    links = selectors.links_of(requirement("iso9001-2015", "10.3"))
    got = sorted((link.requirement.standard.code, link.requirement.number) for link in links)
    assert got == [
        ("iso14001-2015", "10.3"),
        ("iso14001-2026", "10.1"),  # continual improvement is 10.1 in the new editions
        ("iso22000-2018", "10.2"),
        ("iso22301-2019", "10.2"),
        ("iso27001-2022", "10.1"),
        ("iso42001-2023", "10.1"),
        ("iso45001-2018", "10.3"),
        ("iso9001-2026", "10.1"),
    ]
    assert {link.via for link in links} == {"core"}


# --- documented information -------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(DOCUMENTED))
def test_mandatory_documented_information_sits_on_the_clauses_that_demand_it(code):
    got = {
        r.number: {item["type"] for item in r.documented_information}
        for r in Requirement.objects.filter(standard__code=code).exclude(documented_information=[])
    }
    assert got == DOCUMENTED[code]


def _kinds(code: str, number: str) -> list[tuple[str, str]]:
    return [(i["type"], i["what"]) for i in requirement(code, number).documented_information]


def test_the_corrections_found_by_the_review_against_public_sources():
    """Issue 21's corrections of the shipped catalogs: 22000 8.7 (the calibration basis kept as
    a record, software validation and the assessment of earlier results maintained), 8.5.4.3
    (the monitoring system), the flow diagrams on 8.5.1.5.1; 22301 8.4.1 (plans and
    procedures); the Harmonized Structure's 7.5.2 title."""
    calibration = _kinds("iso22000-2018", "8.7")
    assert ("retain", "calibration and verification results") in calibration
    assert (
        "retain",
        "the basis used for calibration or verification where no traceable standard exists",
    ) in calibration
    assert (
        "maintain",
        "assessment of earlier results and actions when equipment is nonconforming",
    ) in calibration
    assert ("maintain", "validation of software used for monitoring and measuring") in calibration
    assert _kinds("iso22000-2018", "8.5.1.5") == []
    assert _kinds("iso22000-2018", "8.5.1.5.1") == [("maintain", "flow diagrams")]
    assert [k for k, _ in _kinds("iso22000-2018", "8.5.4.3")] == ["maintain"]
    assert [k for k, _ in _kinds("iso22301-2019", "8.4.1")] == ["maintain"]
    from pdca.standards.models import CoreClause

    assert CoreClause.objects.get(number="7.5.2").title == (
        "Creating and updating documented information"
    )


def test_the_statement_of_applicability_is_maintained_under_27001_6_1_3():
    items = requirement("iso27001-2022", "6.1.3").documented_information
    assert {"type": "maintain", "what": "Statement of Applicability"} in items


def test_every_documented_information_item_is_maintain_or_retain_with_a_what():
    items = [
        item
        for r in Requirement.objects.exclude(documented_information=[])
        for item in r.documented_information
    ]
    # 182 in the seven first editions, 15 in ISO 14001:2026 and 27 in ISO 9001:2026.
    assert len(items) == 182 + 15 + 27
    for item in items:
        assert set(item) == {"type", "what"}
        assert item["type"] in {"maintain", "retain"}
        assert item["what"].strip() == item["what"] != ""


# --- summaries --------------------------------------------------------------------------------


def all_summaries():
    for r in Requirement.objects.select_related("standard"):
        yield f"{r.standard.code} {r.number}", r.title, r.summary
    for c in CoreClause.objects.all():
        yield f"core {c.number}", c.title, c.summary
    for s in Standard.objects.all():
        yield s.code, s.title, s.summary


def test_every_summary_has_one_to_three_sentences():
    bad = [(label, len(sentences(s))) for label, _, s in all_summaries()]
    assert [(label, n) for label, n in bad if not 1 <= n <= 3] == []


def test_no_summary_repeats_its_title():
    copies = [
        label
        for label, title, s in all_summaries()
        if s.strip().rstrip(".").casefold() == title.casefold()
    ]
    assert copies == []


def test_no_summary_is_empty_or_longer_than_600_characters():
    lengths = {label: len(s) for label, _, s in all_summaries()}
    # standards, core clauses, clauses (49 and 91 of them in the two new editions), controls
    assert len(lengths) == 9 + 36 + 468 + 49 + 91 + 131
    assert [label for label, n in lengths.items() if not 0 < n <= 600] == []
