"""HTTP routers of the newsqa API."""
