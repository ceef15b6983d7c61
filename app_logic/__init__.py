"""Pure application layer: no Streamlit, imports lstm_core only."""
