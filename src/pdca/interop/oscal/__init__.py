"""OSCAL in and out: standards as OSCAL catalogs, gap assessments and audits as assessment
results, open nonconformities and their corrective actions as a plan of action and milestones,
and OSCAL catalogs and profiles imported as custom standards (see docs/oscal.md)."""
