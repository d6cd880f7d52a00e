"""The register framework: a register declared once (`spec`) gets its pages, API, filters, XLSX
import and export, archive and CLI (docs/adr/0003-declared-registers.md)."""
