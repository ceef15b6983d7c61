"""Pure figure functions: results in, plotly `go.Figure` out. No Streamlit here."""
