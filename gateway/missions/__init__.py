"""AMP missions: missions, KPI targets, budgets, content, and the analytics derived from
their events (repository, loaders, service)."""
