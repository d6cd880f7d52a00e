"""Certification body operations (ISO/IEC 17021-1): for now the audit-time calculator."""
