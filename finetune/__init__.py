"""Wenzhen finetune package (filled by a later issue)."""
