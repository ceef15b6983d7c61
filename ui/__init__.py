"""Streamlit-side helpers: settings, session state, text lookup. Pages stay thin over these."""
