"""Tally: a GraphQL analytics gateway over five legacy analytics APIs."""
