"""Homerun: a self-hostable payment platform that speaks the Run Payments API."""

__version__ = "0.1.0"
