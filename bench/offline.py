"""Leaflet and jQuery served by Streamlit itself (``/app/static``), for pages without internet.

The bare page uses the atlas's own offline assets (``geo.assets``: the files of the xstatic
packages, copied into ``static/``), so the two pages differ in their content, not in the
assets. Only Leaflet and jQuery are loaded: what one folium marker needs.
"""

from __future__ import annotations

from pathlib import Path

import folium

from geo import assets


def prepare_static(static_dir: Path) -> Path:
    """Copy the atlas's offline assets into ``static_dir``."""
    assets.copy_assets(static_dir)
    return static_dir


def offline_map(m: folium.Map) -> folium.Map:
    """Point this map (not folium's shared class lists) at the local copies."""
    m.default_js = [("leaflet", assets.LEAFLET_JS), ("jquery", assets.JQUERY_JS)]
    m.default_css = [("leaflet_css", assets.LEAFLET_CSS)]
    return m
