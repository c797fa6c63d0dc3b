"""The HTTP answer service: retrieval, grounded answers, documents, OpenAI-compatible chat."""
