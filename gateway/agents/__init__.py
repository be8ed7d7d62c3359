"""Agents: the agent platform (seed 002) — agents, deployments, uptime, per-user agent
history and performance, and the music-industry summary of an artist (revenue, bookings,
fans, streams, skills)."""
