"""The GraphQL surface: types, inputs, queries and permissions. No SQL lives here;
resolvers call loaders and services under `gateway/`."""
