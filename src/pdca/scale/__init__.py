"""Data at scale for load tests and `make bench-scale`: `pdca seed-scale` builds, on PostgreSQL,
a certification body of 1,000 clients and an organization of 2,000 people with ten years of
records (see `pdca.scale.seed`)."""
