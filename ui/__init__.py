"""Streamlit UI for newsqa: talks to the API over HTTP only."""
