"""Hainan social security card outreach: the worker's offline-first field suite."""

__version__ = "0.1.0"
