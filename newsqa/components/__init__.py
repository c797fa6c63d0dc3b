"""Swappable backends: embeddings, vector store, LLM and answer engines."""
