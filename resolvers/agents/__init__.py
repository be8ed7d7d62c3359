"""The agent platform (seed 002) in GraphQL: `Agent` nodes, `agentPlatform`, and the
per-user `agentUserMetrics` (history, performance, music summary)."""
