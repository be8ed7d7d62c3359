"""GraphQL surface of durable jobs: AMP analytics exports and ibl.ai data reports."""
