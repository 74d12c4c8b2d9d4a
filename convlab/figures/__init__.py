"""Plotly figure builders: pure functions from convlab results to go.Figure. No streamlit here."""

from convlab.figures.coverage import coverage2d_figure, coverage_figure

__all__ = ["coverage_figure", "coverage2d_figure"]
