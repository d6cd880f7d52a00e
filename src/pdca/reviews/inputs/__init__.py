"""The inputs of a management review, compiled from the system's own registers.

`registry` says what an input is and which standards ask for it; `common` holds the inputs
every management-system standard asks for (9.3.2 of the Harmonized Structure) and `standards`
those one standard adds. Each input reads a fixed number of aggregate queries, whatever the
size of the registers."""

from pdca.reviews.inputs.registry import INPUTS, InputDef, Window, inputs_for

__all__ = ["INPUTS", "InputDef", "Window", "inputs_for"]
