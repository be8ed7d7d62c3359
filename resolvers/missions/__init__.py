"""AMP (seed 001) GraphQL surface: `Mission` and `Content` nodes, the mission analytics
overview, per-mission analytics, performance breakdowns, AI-cost analytics, period
comparison and realtime metrics."""
