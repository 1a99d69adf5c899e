"""Caucasus Atlas: the browser application (``streamlit run app.py``).

UI only: loading, filtering, escaping and map building live in ``geo/`` (appdata, mapview,
panel, export). The page state (selected place or event, date, visible layers) lives in
``st.session_state`` and is mirrored in the URL (``?place=…&date=…&layers=…&event=…``).
"""

from __future__ import annotations

import html
import json
import os
import time
from datetime import date
from typing import Any

import streamlit as st
from streamlit_folium import st_folium

from geo import appdata, export, mapview, panel
from geo.assets import ensure_assets
from geo.events import events_near

st.set_page_config(page_title="Caucasus Atlas", page_icon="🗺️", layout="wide")
_t0 = time.perf_counter()
ss = st.session_state

RETURNED = ["last_active_drawing", "last_object_clicked_count", "selected_layers"]
ACLED_CSV = os.environ.get("ATLAS_ACLED") or None
TOGGLES = (*mapview.TOGGLES, mapview.ACLED) if ACLED_CSV else mapview.TOGGLES
DEFAULT_LAYERS = TOGGLES
EXCERPTS_SHOWN = 8
START_PLACES = ("lachin-corridor-2020", "town-khankendi", "zangezur-syunik-segment",
                "hakari-checkpoint", "delimitation-2024-tavush-gazakh", "nakhchivan-ar")
NEAR_EVENTS = 8

# Page CSS through st.html (a style-only body takes no space): markdown with raw HTML would
# make the browser fetch Streamlit's HTML-in-Markdown parser before the first paint.
st.html(
    """<style>
    .block-container { padding-top: 1.2rem; padding-left: 1.5rem; padding-right: 1.5rem;
      max-width: 100%; }
    mark { background: #ffe58f; padding: 0 1px; }
    blockquote.atlas-quote { border-left: 3px solid #c0392b; margin: 0.2rem 0 0.1rem 0;
      padding: 0.1rem 0 0.1rem 0.7rem; color: #222; }
    .atlas-src { color: #555; font-size: 0.85rem; margin-bottom: 0.9rem; }
    .st-key-near_events, .st-key-place_events { gap: 0.15rem; }
    .st-key-near_events button, .st-key-place_events button { min-height: 1.6rem;
      text-align: left; }
    .atlas-facts { width: 100%; table-layout: fixed; font-size: 0.9rem; }
    .atlas-facts td { padding: 1px 8px 1px 0; vertical-align: top; overflow-wrap: anywhere; }
    .atlas-facts td:first-child { width: 34%; }
    .atlas-facts td:first-child { color: #666; }
    </style>"""
)


# --------------------------------------------------------------------------------------------
# Data (loaded once per data version; a broken file becomes a message, not a traceback)
# --------------------------------------------------------------------------------------------


@st.cache_resource(show_spinner="Loading the ACLED export…", max_entries=1)
def _load_acled(path: str, mtime_ns: int) -> Any:
    from geo.acled import load_acled

    del mtime_ns  # cache key only
    return load_acled(path)


@st.cache_resource(show_spinner="Loading the atlas…", max_entries=2)
def _load(folder: str, sig: tuple) -> appdata.AppData:
    del sig  # cache key only
    return appdata.load_app_data(appdata.Path(folder))


def load() -> appdata.AppData:
    folder = appdata.data_dir()
    return _load(str(folder), appdata.signature(folder))


try:
    ensure_assets()
except Exception as exc:  # noqa: BLE001 - any failure here is shown, not raised
    st.error(f"The map's scripts could not be prepared in ./static: {exc}")
    st.stop()

try:
    data = load()
except Exception as exc:  # noqa: BLE001 - the page says what broke instead of a traceback
    kind = "" if isinstance(exc, appdata.DataLoadError) else f"{type(exc).__name__}: "
    st.error(f"**The atlas data could not be loaded.**\n\n{panel.safe_md(kind + str(exc))}")
    st.info("Rebuild the data with `python -m geo build`, or point `ATLAS_DATA` at a folder "
            "holding atlas.gpkg, gazetteer.yaml, events.yaml and articles/.")
    st.stop()

EVENT_IDS = {e.id: e for e in data.events}


# --------------------------------------------------------------------------------------------
# State
# --------------------------------------------------------------------------------------------


def select_place(place_id: str, *, move: bool, fit_date: bool = False) -> None:
    """Select a place; ``move`` centres the map on it, ``fit_date`` moves the date into the
    period the feature existed when the current date is outside it."""
    ss.sel = {"kind": "place", "id": place_id}
    ss.show_all = False
    if move:
        ss.view = data.view(place_id)
    row = data.rows.get(place_id)
    if fit_date and row is not None and row["valid_from"] and not mapview.valid_on(
            str(row["valid_from"]), str(row["valid_to"]), ss.date):
        start = date.fromisoformat(str(row["valid_from"]))
        ss.date = min(max(start, data.first_day), data.last_day)
        ss.date_note = f"Date moved to {ss.date.isoformat()}, when {data.label(place_id)} " \
                       "was in place."


def select_event(event_id: str, *, move: bool) -> None:
    ss.sel = {"kind": "event", "id": event_id}
    ss.show_all = False
    ev = EVENT_IDS[event_id]
    if ev.date > ss.date:
        ss.date = min(ev.date, data.last_day)
    if move:
        for pid in ev.place_ids:
            view = data.view(pid)
            if view:
                ss.view = view
                break


def highlight_ids() -> list[str]:
    sel = ss.get("sel")
    if not sel:
        return []
    if sel["kind"] == "event":
        ids = [f for p in EVENT_IDS[sel["id"]].place_ids for f in data.feature_ids(p)]
        return [sel["id"], *dict.fromkeys(ids)]
    return data.feature_ids(sel["id"])


def visible_layers() -> list[str]:
    return [k for k in TOGGLES if ss.get(f"show_{k}", True)]


def init_from_url() -> None:
    qp = st.query_params
    ss.date = panel.parse_day(qp.get("date"), data.first_day, data.last_day) or data.last_day
    layers = panel.parse_layers(qp.get("layers"), TOGGLES)
    shown = DEFAULT_LAYERS if layers is None else layers
    for k in TOGGLES:
        ss[f"show_{k}"] = k in shown
    ss.basemap = next(iter(mapview.BASEMAPS))
    ss.acled_days = 365
    ss.sel, ss.view, ss.hl = None, None, []
    event, place = qp.get("event"), qp.get("place")
    if event and event in EVENT_IDS:
        select_event(event, move=True)
    elif place:
        found = place if place in data.rows or place in data.index.places else None
        resolved = data.index.resolve(place)
        target = found or (resolved.id if resolved else None)
        if target:
            select_place(target, move=True)
        else:
            ss.search_msg = f"The link names a place the atlas does not know: {place}"
    ss.initialised = True


if not ss.get("initialised"):
    init_from_url()

# A click in the map or a tick in its layer control arrives as the component's new value.
click_rerun = False
_value = ss.get("atlas")
_change = panel.map_change(_value, ss.get("map_seen"))
ss.map_seen = json.loads(panel.fingerprint(_value)) if _value else ss.get("map_seen")
if "click" in _change:
    props = _change["click"]
    if props.get("ev") and props["id"] in EVENT_IDS:
        select_event(props["id"], move=False)
    elif props["id"] in data.rows or props["id"] in data.index.places:
        select_place(props["id"], move=False)
    click_rerun = True
if "layers" in _change:
    for k in TOGGLES:
        ss[f"show_{k}"] = k in _change["layers"]


# --------------------------------------------------------------------------------------------
# Callbacks
# --------------------------------------------------------------------------------------------


def on_search() -> None:
    query = (ss.get("search") or "").strip()
    ss.search_msg = None
    if not query:
        return
    place = data.index.resolve(query)
    if place is None:
        ss.search_msg = f"No place in the gazetteer is spelled “{query}”."
        return
    select_place(place.id, move=True, fit_date=True)


def step_event(direction: int) -> None:
    day = ss.date
    if direction < 0:
        earlier = [e for e in data.events if e.date < day]
        if earlier:
            ss.date = earlier[-1].date
    else:
        later = [e for e in data.events if e.date > day]
        if later:
            ss.date = later[0].date


def clear_selection() -> None:
    ss.sel = None


# --------------------------------------------------------------------------------------------
# Sidebar: search, time, layers, basemap, downloads, ACLED, about
# --------------------------------------------------------------------------------------------

with st.sidebar:
    st.title("Caucasus Atlas")
    st.caption("Places, lines and events of the Armenia–Azerbaijan conflict, with what the "
               "analyses say about them.")
    st.text_input("Find a place (any spelling)", key="search", on_change=on_search,
                  placeholder="Stepanakert, Kelbecer, Nakhichevan…")
    if ss.get("search_msg"):
        st.warning(ss.search_msg)
    if ss.get("date_note"):
        st.info(ss.pop("date_note"))

    st.subheader("Time")
    # The calendar sits in a popover: its code loads when it is opened, not with the page.
    with st.popover(f"Map date: {ss.date.isoformat()}", icon=":material/calendar_month:",
                    use_container_width=True):
        st.date_input("Map date", key="date", min_value=data.first_day,
                      max_value=data.last_day,
                      help="The map shows the lines and areas valid on this day and the events "
                           "up to it.")
    c1, c2 = st.columns(2)
    c1.button("◀ Previous event", on_click=step_event, args=(-1,), use_container_width=True)
    c2.button("Next event ▶", on_click=step_event, args=(1,), use_container_width=True)

    st.subheader("Layers")
    for key in mapview.TOGGLES:
        st.checkbox(mapview.TITLES[key], key=f"show_{key}")
    st.radio("Basemap", list(mapview.BASEMAPS), key="basemap",
             help="The atlas basemap is drawn from the atlas's own data and needs no "
                  "internet; the others load tiles from their providers.")

    # ---- Optional: ACLED conflict events, when ATLAS_ACLED names an export -----------------
    st.subheader("Conflict events (ACLED export)")
    acled_points: list[list[float]] = []
    if not ACLED_CSV:
        st.caption("Set the environment variable ATLAS_ACLED to the path of an ACLED CSV "
                   "export to show its events on the map, clustered.")
    else:
        from geo import acled

        try:
            acled_events = _load_acled(ACLED_CSV, os.stat(ACLED_CSV).st_mtime_ns)
        except (OSError, acled.AcledError) as exc:
            st.error(f"ACLED export unusable: {panel.safe_md(exc)}")
            acled_events = None
        if acled_events is not None:
            st.checkbox(mapview.TITLES[mapview.ACLED], key="show_acled")
            st.select_slider("Events in the days up to the map date", key="acled_days",
                             options=[7, 30, 90, 180, 365, 730, 1825, 3650])
            end = ss.date
            start = date.fromordinal(end.toordinal() - ss.acled_days + 1)
            part = acled.window(acled_events, start, end)
            info = acled.summary(part)
            st.caption(f"{info['events']:,} events, {info['fatalities']:,} reported fatalities, "
                       f"{start.isoformat()} to {end.isoformat()} (ACLED, acleddata.com; "
                       "use under ACLED's terms).")
            if ss.get("show_acled"):
                acled_points = acled.points(part)

day: date = ss.date
visible = visible_layers()

# --------------------------------------------------------------------------------------------
# Map
# --------------------------------------------------------------------------------------------

provider = mapview.BASEMAPS[ss.basemap]
maps = ss.setdefault("base_maps", {})
if provider not in maps:
    maps[provider] = mapview.base_map(provider, cluster=ACLED_CSV is not None)
base = maps[provider]

if not click_rerun:
    ss.hl = highlight_ids()

layer_features = {k: mapview.features_on(data.features[k], day) for k in mapview.DRAW_ORDER}
layer_features[mapview.EVENTS] = mapview.event_features(data.events, data.positions, day)
extra = [mapview.acled_group(acled_points)] if ACLED_CSV else []
groups = mapview.layer_groups(layer_features, visible, ss.hl, tiles=provider is not None,
                              extra=extra)

left, right = st.columns([3, 2], gap="medium")
with left:
    view = ss.get("view")
    # A run stopped half-way (a newer rerun) may have left groups on the map: drop them first,
    # so that the base map, and so the component's identity, stays the same.
    mapview.detach_dynamic(base)
    try:
        st_folium(
            base,
            key="atlas",
            height=640,
            use_container_width=True,
            returned_objects=RETURNED,
            feature_group_to_add=groups,
            layer_control=mapview.layer_control(),
            center=view[0] if view else None,
            zoom=view[1] if view else None,
        )
    finally:
        mapview.detach_dynamic(base)

    st.markdown(f"**Events near {day.isoformat()}**")
    with st.container(key="near_events"):
        for ev in sorted(events_near(data.events, day, NEAR_EVENTS), key=lambda e: e.date):
            st.button(
                f"{ev.label_date()} — {ev.title}",
                key=f"near-{ev.id}",
                on_click=select_event,
                args=(ev.id,),
                kwargs={"move": True},
                type="tertiary",
            )


# --------------------------------------------------------------------------------------------
# Side panel
# --------------------------------------------------------------------------------------------


def md(text: str) -> None:
    """Markdown made only of text escaped by panel.safe_md/marked plus our own tags."""
    st.markdown(text, unsafe_allow_html=True)


def source_html(title: str, author: str, publisher: str, when: str, url: str) -> str:
    who = ", ".join(panel.safe_md(x) for x in (author, publisher, when) if x)
    line = f"— <i>{panel.safe_md(title or '(untitled)')}</i>" + (f", {who}" if who else "")
    if panel.is_web_url(url):
        line += f' · <a href="{html.escape(url.strip(), quote=True)}" target="_blank" ' \
                'rel="noopener noreferrer">source</a>'
    return f'<div class="atlas-src">{line}</div>'


def show_excerpts(rows: list[export.Excerpt], key: str) -> None:
    shown = rows if ss.get("show_all") else rows[:EXCERPTS_SHOWN]
    for r in shown:
        md(f'<blockquote class="atlas-quote">{panel.marked(r.text, r.mentions)}</blockquote>')
        md(source_html(r.title, r.author, r.publisher, r.date, r.url))
    if len(rows) > len(shown):
        st.button(f"Show all {len(rows)} excerpts", key=f"all-{key}",
                  on_click=lambda: ss.update(show_all=True))


def facts_table(facts: list[tuple[str, str]]) -> None:
    body = "".join(f"<tr><td>{panel.safe_md(k)}</td><td>{panel.safe_md(v)}</td></tr>"
                   for k, v in facts)
    md(f'<table class="atlas-facts">{body}</table>')


def show_place(place_id: str) -> None:
    row = data.rows.get(place_id)
    place = data.index.places.get(place_id)
    label = data.label(place_id)
    md(f"### {panel.safe_md(label)}")
    names = panel.other_names(row, place)
    if names:
        md(f"Also written: {panel.safe_md('; '.join(names))}")
    if row is not None and not valid_now(row):
        st.caption(f"Not on the map on {day.isoformat()} (valid "
                   f"{row['valid_from'] or '…'} to {row['valid_to'] or 'today'}).")
    facts = panel.place_facts(row, place)
    facts_table([f for f in facts if f[0] not in panel.SOURCE_FACTS])
    with st.expander("Source and accuracy", expanded=False):
        facts_table([f for f in facts if f[0] in panel.SOURCE_FACTS])

    rows = export.excerpts_for(data.index, place_id, label)
    events = data.index.events_for_place(place_id)
    st.markdown(f"#### Article excerpts ({len(rows)})")
    if not rows:
        st.caption("No article in the corpus mentions this place.")
    show_excerpts(rows, place_id)
    if rows:
        d1, d2 = st.columns(2)
        d1.download_button("Excerpts (Markdown)", export.excerpts_markdown(label, rows),
                           file_name=f"{place_id}-excerpts.md", mime="text/markdown",
                           on_click="ignore", use_container_width=True)
        d2.download_button("Excerpts (CSV)", export.excerpts_csv(rows),
                           file_name=f"{place_id}-excerpts.csv", mime="text/csv",
                           on_click="ignore", use_container_width=True)
    st.markdown(f"#### Events here ({len(events)})")
    if not events:
        st.caption("No event of the timeline is placed here.")
    with st.container(key="place_events"):
        for ev in events:
            st.button(f"{ev.label_date()} — {ev.title}", key=f"pe-{ev.id}",
                      on_click=select_event, args=(ev.id,), kwargs={"move": False},
                      type="tertiary")
    show_related(place_id)


def show_related(place_id: str) -> None:
    """Excerpts and events of related places (the gazetteer's see_also and features)."""
    for other in data.index.related_places(place_id):
        other_label = data.label(other.id)
        rows = export.excerpts_for(data.index, other.id, other_label)
        events = data.index.events_for_place(other.id)
        if not rows and not events:
            continue
        title = (f"Also about {panel.safe_md(other_label)}: {len(rows)} excerpts, "
                 f"{len(events)} events")
        with st.expander(title, expanded=False):
            show_excerpts(rows, f"rel-{other.id}")
            for ev in events:
                st.button(f"{ev.label_date()} — {ev.title}", key=f"rel-{other.id}-{ev.id}",
                          on_click=select_event, args=(ev.id,), kwargs={"move": False},
                          type="tertiary")


def valid_now(row: dict[str, Any]) -> bool:
    return mapview.valid_on(str(row["valid_from"]), str(row["valid_to"]), day)


def show_event(event_id: str) -> None:
    ev = EVENT_IDS[event_id]
    md(f"### {panel.safe_md(ev.title)}")
    st.caption(f"{ev.label_date()} · {ev.kind}")
    md(panel.safe_md(ev.summary))
    st.markdown("#### Places")
    cols = st.columns(2)
    for i, pid in enumerate(ev.place_ids):
        cols[i % 2].button(data.label(pid), key=f"ep-{pid}", on_click=select_place,
                           args=(pid,), kwargs={"move": True, "fit_date": True},
                           use_container_width=True)
    st.markdown("#### Sources")
    for src in ev.sources:
        md(source_html(src.get("title", ""), "", src.get("publisher", ""), "",
                       src.get("url", "")))
    pids = data.index.event_passages.get(event_id, [])
    st.markdown(f"#### Passages that discuss it ({len(pids)})")
    if not pids:
        st.caption("No passage of the corpus discusses this event.")
    rows = []
    for pid in pids:
        passage = data.index.passages[pid]
        art = data.index.articles.get(passage.article_id)
        spans = panel.keyword_spans(passage.text, ev.keywords)
        rows.append(export.Excerpt(event_id, ev.title, passage.article_id,
                                   getattr(art, "title", ""), getattr(art, "author", ""),
                                   getattr(art, "publisher", ""), getattr(art, "date", ""),
                                   getattr(art, "url", ""), pid, passage.text, spans))
    show_excerpts(rows, event_id)


with right:
    sel = ss.get("sel")
    if sel:
        st.button("Clear selection", on_click=clear_selection, type="tertiary")
    if sel and sel["kind"] == "place":
        show_place(sel["id"])
    elif sel and sel["kind"] == "event" and sel["id"] in EVENT_IDS:
        show_event(sel["id"])
    else:
        st.markdown("### Explore the atlas")
        st.markdown(
            "Click a place, line or area on the map to read what the articles say about it, "
            "search any spelling in the sidebar, move the date to see the map of that day, or "
            "pick one of the events below the map. A few places to start with:"
        )
        for pid in START_PLACES:
            if pid in data.rows:
                st.button(data.label(pid), key=f"start-{pid}", on_click=select_place,
                          args=(pid,), kwargs={"move": True, "fit_date": True},
                          use_container_width=True)

# --------------------------------------------------------------------------------------------
# Downloads and About (sidebar, after the state is settled)
# --------------------------------------------------------------------------------------------

with st.sidebar:
    st.subheader("Take away")
    st.caption(f"The visible layers as they are on {day.isoformat()}, full geometry.")
    layer_keys = [k for k in visible if k in data.layers]
    st.download_button(
        "Visible layers (GeoJSON)",
        data=lambda: export.geojson_bytes(export.visible_frame(data.layers, layer_keys, day)),
        file_name=f"caucasus-atlas-{day.isoformat()}.geojson", mime="application/geo+json",
        on_click="ignore", use_container_width=True,
    )
    st.download_button(
        "Visible layers (GeoPackage)",
        data=lambda: export.gpkg_bytes(data.layers, layer_keys, day),
        file_name=f"caucasus-atlas-{day.isoformat()}.gpkg",
        mime="application/geopackage+sqlite3", on_click="ignore", use_container_width=True,
    )
    with st.expander("About, sources and licences"):
        st.markdown(panel.ABOUT)

# The URL mirrors the view so that a copied link opens the same selection.
params = {"date": day.isoformat(), "layers": ",".join(visible)}
sel = ss.get("sel")
if sel:
    params["event" if sel["kind"] == "event" else "place"] = sel["id"]
if dict(st.query_params) != params:
    st.query_params.from_dict(params)

ss.last_run_s = time.perf_counter() - _t0
