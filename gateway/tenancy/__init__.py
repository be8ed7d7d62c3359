"""Orgs, users and roles: the tenancy domain."""
