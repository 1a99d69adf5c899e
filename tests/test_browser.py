"""The atlas in a real browser: Debian Chromium through Playwright, server on a free port.

Every wait is on a condition (an element, a URL, a count), with generous timeouts for a busy
two-core machine; screenshots of each state are saved in tests/artifacts/.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from urllib.parse import parse_qs, urlparse

import pytest

from tests.conftest import ROOT, StreamlitServer, attach_log

pytestmark = pytest.mark.browser

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
TOGGLE_ORDER = ("context", "nakhchivan", "contested_areas", "zangezur_corridor",
                "lachin_corridor", "pipelines", "villages", "towns", "events")
WAIT_MS = 60_000

# Finds a pixel of the map where the feature's own SVG path is the topmost element.
_POINT_ON_FEATURE = """
(fid) => {
  const el = document.querySelector('path.atlas-f-' + fid);
  if (!el) { return null; }
  const r = el.getBoundingClientRect();
  const n = 40, order = [];
  for (let i = 0; i <= n; i++) { for (let j = 0; j <= n; j++) { order.push([i, j]); } }
  order.sort((a, b) => (Math.abs(a[0] - n / 2) + Math.abs(a[1] - n / 2))
                     - (Math.abs(b[0] - n / 2) + Math.abs(b[1] - n / 2)));
  for (const [i, j] of order) {
    const x = r.left + r.width * i / n, y = r.top + r.height * j / n;
    if (x < 1 || y < 1 || x > innerWidth - 1 || y > innerHeight - 1) { continue; }
    if (document.elementFromPoint(x, y) === el) { return [x, y]; }
  }
  return null;
}
"""


# --- helpers ---------------------------------------------------------------------------------


def map_frame(page):
    """The Leaflet document inside the component iframe."""
    handle = page.locator(MAP_IFRAME).element_handle(timeout=WAIT_MS)
    frame = handle.content_frame()
    assert frame is not None
    return frame


def wait_idle(page) -> None:
    """Wait until Streamlit has finished its rerun (the running indicator is gone)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
        timeout=WAIT_MS,
    )


def feature_count(page, fid_prefix: str) -> int:
    """How many SVG paths of features whose id starts with ``fid_prefix`` the map holds."""
    return map_frame(page).locator(f'path[class*="atlas-f-{fid_prefix}"]').count()


def layer_count(page, layer: str) -> int:
    """How many SVG paths of a layer the map holds."""
    return map_frame(page).locator(f"path.atlas-l-{layer}").count()


def wait_feature(page, fid: str, present: bool = True) -> None:
    """Wait until the feature is drawn (or gone)."""
    frame = map_frame(page)
    frame.wait_for_function(
        "([fid, present]) => !!document.querySelector('path.atlas-f-' + fid) === present",
        arg=[fid, present],
        timeout=WAIT_MS,
    )


def open_app(page, url: str, feature: str = "town-khankendi") -> float:
    """Open the page and wait until the map has drawn ``feature``; return seconds taken."""
    start = time.perf_counter()
    page.goto(url)
    page.locator(MAP_IFRAME).wait_for(timeout=WAIT_MS)
    wait_feature(page, feature)
    elapsed = time.perf_counter() - start
    wait_idle(page)
    return elapsed


def shoot(page, path) -> None:
    """Screenshot once the map has finished any zoom or pan animation."""
    map_frame(page).wait_for_function(
        "() => window.map && !window.map._animatingZoom"
        " && !document.querySelector('.leaflet-zoom-anim')",
        timeout=WAIT_MS,
    )
    page.wait_for_timeout(300)
    page.screenshot(path=path)


def click_feature(page, fid: str) -> None:
    """Click the map where the feature itself is on top (a real mouse click)."""
    frame = map_frame(page)
    point = frame.evaluate(_POINT_ON_FEATURE, fid)
    assert point, f"no clickable pixel of {fid} in the map"
    box = page.locator(MAP_IFRAME).bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])


def sidebar_checkbox(page, label: str):
    return page.locator('[data-testid="stSidebar"] [data-testid="stCheckbox"]', has_text=label)


DATE_POPOVER = '[data-testid="stSidebar"] [data-testid="stPopover"] button'


def open_date_control(page):
    """Open the sidebar's "Map date" popover (the calendar loads then); return its year field."""
    year = page.get_by_role("spinbutton", name="year, Map date")
    if not year.is_visible():
        page.locator(DATE_POPOVER, has_text="Map date").first.click()
        year.wait_for(timeout=WAIT_MS)
    return year


def set_date(page, iso: str) -> None:
    """Type a date into the sidebar's date control (year, month and day segments)."""
    year, month, day = iso.split("-")
    open_date_control(page).click()
    page.keyboard.type(year)
    page.keyboard.type(month)
    page.keyboard.type(day)
    # The control commits when it loses focus: click the sidebar's title.
    page.locator('[data-testid="stSidebar"] h1').first.click()


def date_value(page) -> str:
    """The ISO date the date control holds (its popover's label says the same)."""
    label = page.locator(DATE_POPOVER, has_text="Map date").first.inner_text()
    open_date_control(page)
    value = page.locator('[data-testid="stDateInput"] input[type="date"]').input_value()
    assert value in label, (value, label)
    return value


def query(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def wait_url(page, predicate, what: str = "the expected query") -> None:
    """Wait until ``predicate(query parameters)`` holds."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:
        if predicate(query(page)):
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"URL {page.url} never had {what}")


def wait_query(page, key: str, value: str | None) -> None:
    """Wait until the URL's query parameter ``key`` equals ``value`` (None: absent)."""
    wait_url(page, lambda q: q.get(key) == value, f"{key}={value}")


def panel_heading(page) -> str:
    return page.locator('[data-testid="stMainBlockContainer"] h3').first.inner_text()


def assert_clean(page) -> None:
    log = page.atlas_log
    assert not log.failed, f"failed requests: {log.failed}"
    assert not log.external, f"requests leaving the machine: {log.external}"
    assert not log.console_errors, f"console errors: {log.console_errors}"


def seed_first_excerpt(place_id: str) -> tuple[str, str]:
    """(title, first words) of the first excerpt the shipped corpus has for ``place_id``."""
    from geo.knowledge import load_index

    index = load_index()
    hit = index.place_passages[place_id][0]
    passage = index.passages[hit.passage_id]
    title = index.articles[passage.article_id].title
    return title, " ".join(passage.text.split()[:6])


# --- tests -----------------------------------------------------------------------------------


def test_page_loads_offline_without_errors(page, server, artifacts):
    seconds = open_app(page, server.url + "/")
    frame = map_frame(page)
    assert frame.evaluate("() => typeof L") == "object"
    assert frame.evaluate("() => typeof window.atlas") == "object"
    # Leaflet, jQuery and the stylesheet come from the app itself.
    assert any(u.endswith("/app/static/leaflet/leaflet.js") for u in page.atlas_log.requests)
    assert any(u.endswith("/app/static/jquery/jquery.min.js") for u in page.atlas_log.requests)
    assert layer_count(page, "towns") > 10
    assert layer_count(page, "context") > 10
    page.wait_for_timeout(500)  # late requests (fonts, marker images) would show up here
    assert_clean(page)
    shoot(page, artifacts / "01-default-view.png")
    (artifacts / "page-load.json").write_text(json.dumps({"seconds_to_map": round(seconds, 2)}))


def test_layer_off_in_sidebar_and_on_in_map_control(page, server, artifacts):
    open_app(page, server.url + "/?place=town-goris")
    heading = panel_heading(page)
    assert "Goris" in heading
    towns = layer_count(page, "towns")
    assert towns > 10
    sidebar_checkbox(page, "Towns").click()
    wait_feature(page, "town-khankendi", present=False)
    assert layer_count(page, "towns") == 0
    assert layer_count(page, "villages") > 0  # the other layers stay
    assert layer_count(page, "nakhchivan") > 0
    wait_query(page, "layers", ",".join(k for k in TOGGLE_ORDER if k != "towns"))
    assert panel_heading(page) == heading
    shoot(page, artifacts / "02-towns-off.png")

    frame = map_frame(page)
    frame.locator(".leaflet-control-layers").hover()
    frame.locator(".leaflet-control-layers-overlays label", has_text="Towns").click()
    wait_feature(page, "town-khankendi", present=True)
    assert layer_count(page, "towns") == towns
    # The map's control reports back: the sidebar box and the URL follow.
    page.wait_for_function(
        """() => [...document.querySelectorAll(
                    '[data-testid="stSidebar"] [data-testid="stCheckbox"]')]
              .some(c => c.innerText.includes('Towns') && c.querySelector('input').checked)""",
        timeout=WAIT_MS,
    )
    wait_query(page, "layers", ",".join(TOGGLE_ORDER))
    assert panel_heading(page) == heading  # the selection survived both switches
    assert query(page)["place"] == "town-goris"
    shoot(page, artifacts / "03-towns-back-from-map-control.png")
    assert_clean(page)


def test_click_lachin_corridor_shows_excerpt_with_source(page, server, artifacts):
    title, first_words = seed_first_excerpt("lachin-corridor-2020")
    # A permalink to Lachin town in 2021 zooms the map to where the corridor is.
    open_app(page, server.url + "/?date=2021-06-01&place=town-lachin",
             feature="lachin-corridor-2020")
    wait_idle(page)
    click_feature(page, "lachin-corridor-2020")
    frame = map_frame(page)
    popup = frame.locator(".atlas-pop")
    popup.wait_for(timeout=WAIT_MS)
    assert "Lachin corridor" in popup.locator(".atlas-pop-title").inner_text()
    assert popup.locator(".atlas-pop-quote").inner_text().strip()
    page.get_by_role("heading", name=re.compile("Lachin corridor")).first.wait_for(
        timeout=WAIT_MS)
    wait_query(page, "place", "lachin-corridor-2020")
    main = page.locator('[data-testid="stMainBlockContainer"]')
    quote = main.locator("blockquote.atlas-quote").first
    quote.wait_for(timeout=WAIT_MS)
    assert first_words in " ".join(quote.inner_text().split())
    assert quote.locator("mark").count() >= 1
    assert title in main.locator(".atlas-src").first.inner_text()
    # The popup is still open after the panel has been drawn.
    assert frame.locator(".atlas-pop").count() == 1
    shoot(page, artifacts / "04-lachin-corridor-clicked.png")
    assert_clean(page)


def test_search_stepanakert_selects_khankendi(page, server, artifacts):
    open_app(page, server.url + "/")
    box = page.locator('[data-testid="stSidebar"] [data-testid="stTextInput"] input')
    box.fill("Stepanakert")
    box.press("Enter")
    wait_query(page, "place", "town-khankendi")
    page.get_by_role("heading", name="Khankendi / Stepanakert").wait_for(timeout=WAIT_MS)
    frame = map_frame(page)
    frame.wait_for_function(
        "() => { const p = document.querySelector('path.atlas-f-town-khankendi');"
        " return p && p.getAttribute('stroke') === '#ffcc00'; }",
        timeout=WAIT_MS,
    )
    assert frame.evaluate("() => window.map.getZoom()") >= 10
    shoot(page, artifacts / "05-search-stepanakert.png")
    assert_clean(page)


def test_date_hides_corridor_before_statement_and_shows_hakari_in_2023(page, server,
                                                                         artifacts):
    open_app(page, server.url + "/?date=2021-06-01", feature="lachin-corridor-2020")
    assert feature_count(page, "hakari-checkpoint") == 0
    set_date(page, "2020-11-01")
    wait_query(page, "date", "2020-11-01")
    wait_feature(page, "lachin-corridor-2020", present=False)
    assert feature_count(page, "lachin-road") == 0
    assert feature_count(page, "town-khankendi") == 1  # the rest of the map is still there
    shoot(page, artifacts / "06-date-2020-11-01-no-corridor.png")

    set_date(page, "2023-06-01")
    wait_query(page, "date", "2023-06-01")
    wait_feature(page, "hakari-checkpoint", present=True)
    assert feature_count(page, "lachin-corridor-2020") == 0
    shoot(page, artifacts / "07-date-2023-06-01-hakari.png")
    assert_clean(page)


def test_permalink_restores_selection_date_and_layers(page, browser, server, artifacts):
    open_app(page, server.url + "/")
    box = page.locator('[data-testid="stSidebar"] [data-testid="stTextInput"] input')
    box.fill("Shushi")
    box.press("Enter")
    wait_query(page, "place", "town-shusha")
    set_date(page, "2021-06-01")
    wait_query(page, "date", "2021-06-01")
    sidebar_checkbox(page, "Pipelines and railways").click()
    wait_feature(page, "pipeline-btc", present=False)
    wait_url(page, lambda q: "pipelines" not in q.get("layers", "pipelines").split(","))
    wait_idle(page)
    link = page.url
    heading = panel_heading(page)

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    other = context.new_page()
    other.atlas_log = attach_log(other)
    try:
        open_app(other, link, feature="town-shusha")
        assert panel_heading(other) == heading
        assert "Shusha" in heading
        assert date_value(other) == "2021-06-01"
        assert not sidebar_checkbox(other, "Pipelines and railways").locator(
            "input").is_checked()
        assert layer_count(other, "pipelines") == 0
        assert feature_count(other, "lachin-corridor-2020") == 1
        map_frame(other).wait_for_function(
            "() => { const p = document.querySelector('path.atlas-f-town-shusha');"
            " return p && p.getAttribute('stroke') === '#ffcc00'; }",
            timeout=WAIT_MS,
        )
        shoot(other, artifacts / "08-permalink-reopened.png")
        assert_clean(other)
    finally:
        context.close()


def test_event_in_the_list_shows_event_places_and_passages(page, server, artifacts):
    from geo.knowledge import load_index

    index = load_index()
    open_app(page, server.url + "/?date=2020-11-10")
    near = page.locator('[data-testid="stMainBlockContainer"] button',
                        has_text="Trilateral statement").first
    label = near.inner_text()
    event = next(e for e in index.events.values() if e.title in label)
    near.click()
    wait_query(page, "event", event.id)
    page.get_by_role("heading", name=event.title).wait_for(timeout=WAIT_MS)
    passages = index.event_passages.get(event.id, [])
    main = page.locator('[data-testid="stMainBlockContainer"]')
    assert main.locator("blockquote.atlas-quote").count() == min(len(passages), 8)
    # The event's marker and its places are highlighted on the map.
    frame = map_frame(page)
    frame.wait_for_function(
        "(id) => { const p = document.querySelector('path.atlas-f-' + id);"
        " return p && p.getAttribute('stroke') === '#ffcc00'; }",
        arg=event.id, timeout=WAIT_MS,
    )
    drawn = [p for p in event.place_ids if feature_count(page, p)]
    assert drawn
    highlighted = frame.evaluate(
        "(ids) => ids.filter(id => [...document.querySelectorAll('path.atlas-f-' + id)]"
        ".some(p => p.getAttribute('stroke') === '#ffcc00'))", drawn)
    assert highlighted == drawn
    shoot(page, artifacts / "11-event-selected.png")
    assert_clean(page)


# --- hostile article ---------------------------------------------------------------------------

HOSTILE_TITLE = "Corridor <script>alert('title')</script> <img src=x onerror=alert('img')> notes"


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    """The app on a copy of data/ plus an article whose title and text carry markup."""
    from geo.articles import add_article

    data = tmp_path_factory.mktemp("hostile") / "data"
    shutil.copytree(ROOT / "data", data)
    add_article(
        ROOT / "tests" / "data" / "articles_hostile.html",
        title=HOSTILE_TITLE,
        publisher="Test <b>Press</b> javascript:alert(1)",
        author="A. <i>Tester</i>",
        date="2023-01-01",
        root=data / "articles",
        article_id="aaa-hostile",  # first in corpus order, so its excerpt is the popup's
    )
    srv = StreamlitServer(env={"ATLAS_DATA": str(data)}).start()
    yield srv
    srv.stop()


def test_hostile_article_renders_as_text(page, hostile_server, artifacts):
    open_app(page, hostile_server.url + "/?date=2021-06-01&place=town-lachin",
             feature="lachin-corridor-2020")
    click_feature(page, "lachin-corridor-2020")
    frame = map_frame(page)
    popup = frame.locator(".atlas-pop")
    popup.wait_for(timeout=WAIT_MS)
    wait_query(page, "place", "lachin-corridor-2020")
    main = page.locator('[data-testid="stMainBlockContainer"]')
    main.locator("blockquote.atlas-quote").first.wait_for(timeout=WAIT_MS)
    page.wait_for_function(
        "() => document.body.innerText.includes(\"<img src=x onerror=alert('img')>\")",
        timeout=WAIT_MS,
    )
    text = main.inner_text()
    assert "<script>alert(1)</script>" in text  # the article's text, literally
    assert HOSTILE_TITLE in text  # the title, literally
    assert "Test <b>Press</b>" in text
    popup_text = popup.inner_text()
    assert "onerror=alert(1)>" in popup_text  # the excerpt, literally
    assert HOSTILE_TITLE in popup_text  # its source line, literally
    for doc in (page, frame):
        assert doc.locator('img[src="x"]').count() == 0
        assert doc.locator('[href^="javascript:"]').count() == 0
        assert doc.locator("[onerror]").count() == 0
    assert page.locator("section.main script, [data-testid=stMainBlockContainer] script"
                        ).count() == 0
    page.wait_for_timeout(500)
    assert page.atlas_log.dialogs == []
    shoot(page, artifacts / "09-hostile-article-as-text.png")
    assert_clean(page)


def test_screenshot_for_readme(page, server, artifacts):
    """The README's picture: 2021, the Lachin corridor selected, its excerpts beside the map."""
    open_app(page, server.url + "/?date=2021-06-01&place=lachin-corridor-2020",
             feature="lachin-corridor-2020")
    page.locator("blockquote.atlas-quote").first.wait_for(timeout=WAIT_MS)
    wait_idle(page)
    map_frame(page).locator(".atlas-legend summary").click()  # open the legend
    shot = artifacts / "readme-screenshot.png"
    shoot(page, shot)
    assert shot.stat().st_size > 50_000


def test_acled_export_clusters_offline(page, artifacts):
    """With ATLAS_ACLED set, the export is drawn by Leaflet.markercluster served locally."""
    srv = StreamlitServer(env={"ATLAS_ACLED": str(ROOT / "tests" / "data" / "acled_sample.csv")})
    srv.start()
    try:
        open_app(page, srv.url + "/?date=2022-09-30&place=town-jermuk")
        box = sidebar_checkbox(page, "ACLED conflict events")
        assert box.locator("input").is_checked()  # shown by default when configured
        frame = map_frame(page)
        frame.wait_for_function(
            "() => document.querySelectorAll("
            "'.marker-cluster, path.leaflet-interactive[fill=\"#e53935\"]').length > 0",
            timeout=WAIT_MS,
        )
        assert frame.evaluate("() => typeof L.markerClusterGroup") == "function"
        assert any(u.endswith("/app/static/markercluster/leaflet.markercluster.js")
                   for u in page.atlas_log.requests)
        wait_query(page, "layers", ",".join((*TOGGLE_ORDER, "acled")))
        shoot(page, artifacts / "10-acled-clusters.png")
        assert_clean(page)
    finally:
        srv.stop()
