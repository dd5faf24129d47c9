"""Freight consolidation and interest-sharing optimisation for the New Eurasian Land Bridge (Pyomo + HiGHS)."""

__version__ = "0.1.0"
