"""The demo dataset behind `tally seed --demo` and `tally serve --seed-demo-if-empty`:
two orgs (`acme`, `globex`) across all five domains, deterministic for a seed and an
anchor date, with every example identifier of the seed documents and a token per demo
principal (see `gateway.demo.principals`)."""

from gateway.demo.principals import PRINCIPALS, demo_principals_present, demo_token
from gateway.demo.result import SeedResult
from gateway.demo.seed import DEFAULT_SEED, AlreadySeeded, seed_demo

__all__ = [
    "DEFAULT_SEED",
    "PRINCIPALS",
    "AlreadySeeded",
    "SeedResult",
    "demo_principals_present",
    "demo_token",
    "seed_demo",
]
