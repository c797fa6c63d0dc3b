"""Benchmarks (`make bench`): ingest throughput and service latency."""
