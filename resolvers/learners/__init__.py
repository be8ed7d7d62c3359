"""ibl.ai learner analytics (seed 003): `learnerAnalytics(...)` and the `ChatSession`,
`Course` and `Program` node types."""
