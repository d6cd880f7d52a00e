"""The checks the rules of `rules.yaml` name, one function per check, by topic. Importing the
package registers them all in `engine.CHECKS`."""

from pdca.engagements.rehearsal.checks import (  # noqa: F401  (each registers its checks)
    audits,
    compliance,
    documents,
    people,
    registers,
    risks,
)
