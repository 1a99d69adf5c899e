"""The framework's floor: a bare Streamlit page holding one folium marker through st_folium.

Served with the same offline Leaflet assets as the atlas (see ``bench/offline.py``). The
benchmark copies this script next to a ``static/`` folder and runs it with ``streamlit run``.
"""

import folium
from streamlit_folium import st_folium

from bench.offline import offline_map

m = folium.Map(location=(40.0, 46.0), zoom_start=7, tiles=None)
folium.CircleMarker((39.8153, 46.7519), radius=6, tooltip="marker").add_to(m)
offline_map(m)
st_folium(m, key="map", height=600, width=900, returned_objects=["last_object_clicked"])
