"""Ingest: load files, clean scraped article text, extract metadata, chunk and index."""
