"""Event and entity ingestion (idempotent), bulk COPY loads, and rollup maintenance."""
