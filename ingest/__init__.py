"""gogooku3's loader: an async J-Quants API v2 client (client, ratelimit, parse) that writes the
responses into the DuckDB ``raw`` tables (schema, store) a run at a time (loader, config)."""
