"""Dashboard benchmarks (`make bench`): fixed GraphQL dashboard queries against the demo
dataset, each measured end to end through the HTTP app, next to a hand-written asyncpg
"floor" that computes the same numbers in as few statements as possible."""
