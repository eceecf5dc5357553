"""Wenzhen agent package (filled by a later issue)."""
