"""Reproducible quality and speed runs. Data sets are read from ../shared/data at run time."""
