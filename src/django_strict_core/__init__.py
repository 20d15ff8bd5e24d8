"""A production-grade strict-mode baseline for Django + DRF projects."""

__version__ = "0.1.0"
