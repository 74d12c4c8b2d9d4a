"""Streamlit helpers shared by the pages (the app side; convlab itself never imports streamlit)."""
