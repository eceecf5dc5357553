"""Wenzhen api package (filled by a later issue)."""
