"""The framework's floor for the atlas's layout: the bare page plus the same kinds of widgets.

A sidebar with a title, caption, text input, a date input inside a popover, two buttons in
columns, nine checkboxes, a radio group, two download buttons and an expander, and page CSS
through ``st.html``, as the atlas's default view has them; two columns
with one folium marker in the left one and a heading and text in the right one. No data, no
map layers: what Streamlit itself costs for this page layout, to tell it apart from what the
atlas's map and data add.
"""

import datetime as dt

import folium
import streamlit as st
from streamlit_folium import st_folium

from bench.offline import offline_map

st.set_page_config(page_title="Widgets floor", layout="wide")
st.html("<style>mark { background: #ffe58f; }</style>")
with st.sidebar:
    st.title("Title")
    st.caption("A caption of about the same length as the atlas's own introduction line.")
    st.text_input("Find", key="search")
    st.subheader("Time")
    with st.popover("Map date: 2026-01-01", use_container_width=True):
        st.date_input("Map date", value=dt.date(2026, 1, 1), key="date")
    c1, c2 = st.columns(2)
    c1.button("Previous", use_container_width=True)
    c2.button("Next", use_container_width=True)
    st.subheader("Layers")
    for i in range(9):
        st.checkbox(f"Layer {i}", value=True, key=f"layer{i}")
    st.radio("Basemap", ["a", "b", "c"], key="basemap")
    st.download_button("Download A", data=b"a", file_name="a.txt", on_click="ignore")
    st.download_button("Download B", data=b"b", file_name="b.txt", on_click="ignore")
    with st.expander("About"):
        st.markdown("Text.")

left, right = st.columns([3, 2], gap="medium")
with left:
    m = folium.Map(location=(40.0, 46.0), zoom_start=7, tiles=None)
    folium.CircleMarker((39.8153, 46.7519), radius=6, tooltip="marker").add_to(m)
    offline_map(m)
    st_folium(m, key="map", height=640, use_container_width=True,
              returned_objects=["last_object_clicked"])
with right:
    st.markdown("### Heading")
    st.markdown("A paragraph of text in the side panel.")
