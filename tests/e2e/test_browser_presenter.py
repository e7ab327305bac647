"""The classroom page in Chromium: one screen in the presenter view, projector type,
readable colours, a layout that stays put, presses that are never lost, a phone layout."""

import re

import pytest
from playwright.sync_api import Page, expect
from relunet_page import ALERT, CHART, diagram, expect_stage_drawn, heading_text, stage_chart, wait_until_idle

from relunet.facts import facts_for
from relunet.network import ARTICLE_PARAMS
from relunet.stages import STAGE_COUNT, stage
from relunet.style import contrast

VIEWPORTS = [(1280, 720), (1366, 768), (1920, 1080)]
FORWARD = ("PageDown", "ArrowRight", "Space", "n")
BACK = ("PageUp", "ArrowLeft", "p")

# Every <text> of a chart's SVG: its rendered font size (its own size scaled as the SVG is
# scaled on the page), its fill and its words.
_SVG_TEXTS = """element => {
  const svg = element.querySelector("svg.marks");
  const own = svg.viewBox.baseVal && svg.viewBox.baseVal.width ? svg.viewBox.baseVal.width
                                                                : parseFloat(svg.getAttribute("width"));
  const scale = svg.getBoundingClientRect().width / own;
  return [...svg.querySelectorAll("text")].filter(t => t.textContent.trim()).map(t => ({
    text: t.textContent, size: parseFloat(getComputedStyle(t).fontSize) * scale,
    fill: getComputedStyle(t).fill, role: (t.closest("[class*=role-]") || t).getAttribute("class") || "",
  }));
}"""


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found is not None, "not rendered"
    return found


def assert_on_screen(page: Page, locator, what: str) -> None:
    b = box(locator)
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    inside = b["x"] >= 0 and b["y"] >= 0 and b["x"] + b["width"] <= width + 0.5 and b["y"] + b["height"] <= height + 0.5
    assert inside, f"{what} is not fully on the {width}×{height} screen: {b}"


def explanation(page: Page, number: int):
    first_words = " ".join(stage(number).explain(facts_for(ARTICLE_PARAMS, "relu")).split()[:6])
    return page.locator('[data-testid="stMarkdownContainer"] p', has_text=first_words)


def open_stage(page: Page, app_url: str, number: int, query: str = "") -> None:
    page.goto(f"{app_url}/?stage={number}{query}")
    expect_stage_drawn(page, number)


def rgb_hex(css: str) -> str:
    r, g, b = (int(v) for v in re.findall(r"\d+", css)[:3])
    return f"#{r:02X}{g:02X}{b:02X}"


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=[f"{w}x{h}" for w, h in VIEWPORTS])
def test_presenter_view_puts_every_stage_on_one_screen(browser, app_url, viewport):
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        open_stage(page, app_url, 1, "&present=1")
        for number in range(1, STAGE_COUNT + 1):
            if number > 1:
                page.get_by_role("button", name="Next").click()
                expect_stage_drawn(page, number)
            expect(page.locator('section[data-testid="stSidebar"]')).to_be_hidden()
            expect(page.locator("h1")).to_have_count(0)  # no title block
            stepper = page.locator(".st-key-stepper")
            expect(stepper).to_contain_text(f"{number} of {STAGE_COUNT}")
            assert_on_screen(page, stepper, "the stepper")
            assert_on_screen(page, page.get_by_role("heading", name=heading_text(number)), "the heading")
            assert_on_screen(page, explanation(page, number), "the explanation")
            assert_on_screen(page, page.locator(".katex-display"), "the formula")
            assert_on_screen(page, stage_chart(page, number), "the chart")
            assert_on_screen(page, diagram(page), "the diagram")
    finally:
        context.close()


def test_presenter_type_reads_from_the_back_row(browser, app_url):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        for number in (1, 6, 7):
            open_stage(page, app_url, number, "&present=1")
            for chart in (stage_chart(page, number), diagram(page)):
                texts = chart.evaluate(_SVG_TEXTS)
                assert len(texts) > 5
                small = [t for t in texts if t["size"] < 16 - 0.01]
                assert not small, f"chart text under 16 px on stage {number}: {small[:3]}"
            body = explanation(page, number).evaluate("p => parseFloat(getComputedStyle(p).fontSize)")
            assert body >= 20
            assert page.locator(".st-key-stage_of p").evaluate("p => parseFloat(getComputedStyle(p).fontSize)") >= 20
    finally:
        context.close()


@pytest.mark.parametrize("query", ["", "&present=1"], ids=["ordinary", "presenter"])
def test_every_label_with_a_number_is_readable(page, app_url, query):
    open_stage(page, app_url, 1, query)
    for number in range(1, STAGE_COUNT + 1):
        if number > 1:
            page.keyboard.press("PageDown")
            expect_stage_drawn(page, number)
        for chart in (stage_chart(page, number), diagram(page)):
            for text in chart.evaluate(_SVG_TEXTS):
                colour = rgb_hex(text["fill"])
                if colour == "#FFFFFF":
                    continue  # white on a node's fill: checked against the fills in the unit tests
                needed = 4.5 if re.search(r"\d", text["text"]) else 3.0
                assert contrast(colour) >= needed, (number, text)


@pytest.mark.parametrize("query", ["", "&present=1"], ids=["ordinary", "presenter"])
def test_chart_and_diagram_keep_their_place_on_every_stage(page, app_url, query):
    open_stage(page, app_url, 1, query)
    places = []
    for number in range(1, STAGE_COUNT + 1):
        if number > 1:
            page.get_by_role("button", name="Next").click()
            expect_stage_drawn(page, number)
        places.append((box(stage_chart(page, number)), box(diagram(page))))
    first_chart, first_diagram = places[0]
    for number, (chart, network) in enumerate(places, start=1):
        for key in ("x", "y", "width", "height"):
            # Within a pixel: Vega rounds the legend's and axes' extents to whole pixels.
            assert chart[key] == pytest.approx(first_chart[key], abs=1), (number, "chart", key, chart, first_chart)
            assert network[key] == pytest.approx(first_diagram[key], abs=1), (number, "diagram", key)


def _shown_stage(page: Page) -> int:
    return int(page.locator(".st-key-stage_of").inner_text().split()[0])


# Ten runs of twenty presses: forward to the end (and past it), back to the start (and past it),
# and mixtures that end in between, so a lost or doubled press always shows.
_PATTERNS = [
    ["PageDown"] * 20,
    ["PageUp"] * 20,
    ["ArrowRight", "ArrowRight", "ArrowLeft"] * 6 + ["n", "n"],
    ["Space", "n", "PageDown", "p"] * 5,
    ["ArrowLeft"] * 3 + ["ArrowRight"] * 17,
    ["End"] + ["PageUp"] * 9 + ["PageDown"] * 10,
    ["Home"] + ["n"] * 4 + ["p"] * 15,
    ["ArrowRight", "PageUp", "ArrowRight", "ArrowRight"] * 5,
    ["n"] * 5 + ["p"] * 2 + ["Space"] * 3 + ["ArrowLeft"] * 10,
    ["PageDown"] * 2 + ["Home", "PageDown", "End", "PageUp"] * 4 + ["PageUp", "PageUp"],
]


def _expected(start: int, keys: list[str]) -> int:
    current = start
    for key in keys:
        if key == "Home":
            current = 1
        elif key == "End":
            current = STAGE_COUNT
        elif key in FORWARD:
            current = min(current + 1, STAGE_COUNT)
        else:
            current = max(current - 1, 1)
    return current


@pytest.mark.parametrize(("query", "patterns"), [("", _PATTERNS), ("&present=1", _PATTERNS[2:5])],
                         ids=["ordinary", "presenter"])
def test_twenty_quick_presses_always_land_on_the_right_stage(page, app_url, query, patterns):
    open_stage(page, app_url, 4, query)
    for run, keys in enumerate(patterns):
        start = _shown_stage(page)
        for key in keys:
            page.keyboard.press(key)
            page.wait_for_timeout(50)
        target = _expected(start, keys)
        where = f"run {run} from stage {start}: {keys}"
        expect(page.locator(".st-key-stage_of"), where).to_have_text(f"{target} of {STAGE_COUNT}")
        expect_stage_drawn(page, target)
        settings = ([f"stage={target}"] if target > 1 else []) + (["present=1"] if query else [])
        expect(page, where).to_have_url(f"{app_url}/" + ("?" + "&".join(settings) if settings else ""))


def test_keys_leave_typing_alone(page, app_url):
    open_stage(page, app_url, 3)
    field = page.locator(".st-key-w1 input")
    field.click()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("n")
    page.keyboard.press("Space")
    wait_until_idle(page)
    expect(page.get_by_role("heading", name=heading_text(3))).to_be_visible()


def test_phone_layout_is_compact_and_reaches_the_chart_and_weights(browser, app_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        open_stage(page, app_url, 4)
        stepper = page.locator(".st-key-stepper")
        for part in (page.get_by_role("button", name="Back"), page.locator(".st-key-stage_of"),
                     page.get_by_role("button", name="Next"), page.locator(".st-key-stage_jump")):
            expect(part).to_be_visible()
            assert_on_screen(page, part, "a stepper part")
        expect(page.locator(".st-key-stage_numbers")).to_be_hidden()
        assert box(stepper)["height"] < 80  # one row, not nine stacked buttons
        assert box(stage_chart(page, 4))["y"] < 2 * 844  # the chart starts on the first or second screen
        page.locator(".st-key-stage_jump").click()
        page.get_by_role("option", name="Stage 6").click()
        expect_stage_drawn(page, 6)
        opener = '[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapsedControl"] button'
        page.locator(opener).first.click()
        expect(page.locator(".st-key-w1 input")).to_be_visible()
    finally:
        context.close()


def test_bad_link_warnings_go_after_the_first_step(page, app_url):
    page.goto(f"{app_url}/?stage=99&w2=abc")
    expect_stage_drawn(page, 1)
    expect(page.locator(ALERT)).to_have_count(2)
    page.get_by_role("button", name="Next").click()
    expect_stage_drawn(page, 2)
    expect(page.locator(ALERT)).to_have_count(0)
    expect(page.locator(CHART)).to_have_count(2)


# The diagram's labels and node circles, as drawn: boxes in page pixels.
_DIAGRAM_PARTS = """element => {
  const svg = element.querySelector("svg.marks");
  const rect = r => ({left: r.left, top: r.top, right: r.right, bottom: r.bottom});
  return {
    surface: rect(svg.getBoundingClientRect()),
    circles: [...svg.querySelectorAll(".mark-symbol path")].map(c => rect(c.getBoundingClientRect())),
    texts: [...svg.querySelectorAll(".mark-text text")].filter(t => t.textContent.trim())
      .map(t => ({text: t.textContent, ...rect(t.getBoundingClientRect())})),
  };
}"""

WINDOWS = [(390, 844, ""), (1024, 768, ""), (1280, 720, ""), (1366, 768, ""), (1024, 768, "&present=1"),
           (1366, 768, "&present=1")]


@pytest.mark.parametrize(("width", "height", "query"), WINDOWS,
                         ids=[f"{w}x{h}{'-presenter' if q else ''}" for w, h, q in WINDOWS])
def test_diagram_labels_stay_apart_in_every_window(browser, app_url, width, height, query):
    """The page stretches the diagram to its column: at 1024 × 768 its labels once ran into each other and
    into the nodes. In every window, with the longest labels (w2 = -100.00, Softplus), no label may overlap
    another, run into a node or past the diagram's edge."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        open_stage(page, app_url, 7, f"&act=softplus&w2=-100&w3=-100&b3=-100{query}")
        parts = diagram(page).evaluate(_DIAGRAM_PARTS)
        surface, circles = parts["surface"], parts["circles"]
        assert len(circles) == 5
        inside_a_node = [t for t in parts["texts"] if any(
            c["left"] < (t["left"] + t["right"]) / 2 < c["right"] and c["top"] < (t["top"] + t["bottom"]) / 2
            < c["bottom"] for c in circles)]
        labels = [t for t in parts["texts"] if t not in inside_a_node]
        assert len(labels) == 13 and len(inside_a_node) == 5
        tolerance = 0.5
        for index, label in enumerate(labels):
            assert surface["left"] - tolerance <= label["left"], label
            assert label["right"] <= surface["right"] + tolerance, label
            for circle in circles:
                x, y = (circle["left"] + circle["right"]) / 2, (circle["top"] + circle["bottom"]) / 2
                radius = (circle["right"] - circle["left"]) / 2
                out_x = max(label["left"] - x, 0, x - label["right"])
                out_y = max(label["top"] - y, 0, y - label["bottom"]) + 2  # a text box includes the line's leading
                assert out_x ** 2 + out_y ** 2 >= (radius - tolerance) ** 2, (label["text"], "runs into a node")
            for other in labels[index + 1:]:
                apart = (label["right"] <= other["left"] + tolerance or other["right"] <= label["left"] + tolerance
                         or label["bottom"] <= other["top"] + 3 or other["bottom"] <= label["top"] + 3)
                assert apart, (label["text"], "overlaps", other["text"])
    finally:
        context.close()


@pytest.mark.parametrize("width", [1024, 1120, 1366])
def test_the_presenter_toggle_is_whole_beside_an_open_sidebar(browser, app_url, width):
    """With the sidebar open, a 1024 px window (an old projector's) left the stepper no room for the toggle:
    it shrank to "Pr…" or to nothing. It must always be on screen with its whole label."""
    context = browser.new_context(viewport={"width": width, "height": 768})
    page = context.new_page()
    try:
        open_stage(page, app_url, 3)
        label = page.locator(".st-key-present_toggle label")
        expect(label).to_contain_text("Presenter view")
        assert_on_screen(page, label, "the presenter toggle")
        assert label.evaluate("element => element.scrollWidth <= element.clientWidth + 1"), "its label is cut short"
        assert box(label)["width"] > 100
    finally:
        context.close()
