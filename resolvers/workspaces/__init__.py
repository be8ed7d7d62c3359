"""Athena (seed 004) GraphQL surface: workspaces, workflows, executions, threads and the
workspace metrics. Importing `types` registers the node fetchers."""
