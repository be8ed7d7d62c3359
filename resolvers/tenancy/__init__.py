"""Orgs, users and the `viewer` root field."""
