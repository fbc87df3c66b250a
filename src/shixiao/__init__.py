"""shixiao (实效): duty-performance records and effect-based assessment for CPPCC committees."""

__version__ = "0.1.0"
