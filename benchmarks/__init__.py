"""Benchmarks (`make bench`, `make bench-service`); run as modules from the repository root."""
