"""Turn scanned 职责分工 tables (Chinese government responsibility matrices) into clean data."""

__version__ = "0.1.0"
