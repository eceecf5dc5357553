"""Wenzhen retrieval package (filled by a later issue)."""
