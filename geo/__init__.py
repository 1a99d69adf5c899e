"""Caucasus Atlas library: geodata, articles, gazetteer, linker and events.

Nothing in this package imports Streamlit; the UI lives in ``app.py``.
"""
