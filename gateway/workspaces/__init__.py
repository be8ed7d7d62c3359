"""Athena (seed 004): workspaces, members, workflows, executions, threads, messages, and
the workspace metrics (generic query, per-resource metrics, agent leaderboard, execution
counts). `repository` holds the SQL, `loaders` the request dataloaders, `validation` the
legacy request rules, `service` the metric semantics."""
