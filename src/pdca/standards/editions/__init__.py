"""Editions of a standard and the transition from one to the next: the comparison of two
editions line by line, what is new, and the map an organization's work is carried along."""
