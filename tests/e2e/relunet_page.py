"""What the tests look for on the page: its selectors and what 'drawn' means."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from relunet.stages import STAGE_COUNT, stage

APP = '[data-testid="stApp"]'
CHART = '[data-testid="stVegaLiteChart"]'
ALERT = '[data-testid="stAlert"]'
EXCEPTION = '[data-testid="stException"]'
EXPANDER_TITLE = '[data-testid="stExpander"] summary'

# Size of the drawing surface and the marks vega-embed drew into it. Streamlit
# renders Vega-Lite as SVG; a canvas would have no countable marks.
_DRAWING = """element => {
  const surface = element.querySelector("svg.marks, canvas");
  if (!surface) return null;
  const box = surface.getBoundingClientRect();
  const drawnPaths = [...element.querySelectorAll(".mark-line path")]
    .filter(path => (path.getAttribute("d") || "").length > 10).length;
  return {
    surface: surface.tagName.toLowerCase(), width: box.width, height: box.height,
    lines: drawnPaths, symbols: element.querySelectorAll(".mark-symbol path").length,
  };
}"""


def heading_text(number: int) -> str:
    return f"Stage {number} of {STAGE_COUNT} · {stage(number).title}"


def wait_until_idle(page: Page) -> None:
    """The script run has ended, so what is shown is current, not stale."""
    expect(page.locator(APP)).to_have_attribute("data-test-script-state", "notRunning")


def settle_after_setting(page: Page) -> None:
    """Wait for the rerun a just-changed setting started. A button clicked inside the export panel (a fragment)
    while that rerun is still on its way was lost now and then (4 of about 30 browser runs; open, in the notes):
    these tests are about exports, so they click once the page has settled."""
    page.wait_for_timeout(500)  # the change reaches the server and its rerun starts
    wait_until_idle(page)


def expect_offered(page: Page, button: Locator, what: str, timeout_ms: float = 180_000) -> None:
    """The download button appears once its file is made; if it never does, say what the panel showed instead."""
    try:
        expect(button).to_be_visible(timeout=timeout_ms)
    except AssertionError as error:
        panel = page.locator('[data-testid="stExpander"]', has_text="Export for slides").inner_text()
        state = page.locator(APP).get_attribute("data-test-script-state")
        raise AssertionError(f"{what} was never offered (script {state}); the export panel reads:\n{panel}") from error


def stage_chart(page: Page, number: int) -> Locator:
    # The chart's text alternative names its stage, so this finds the new chart, not a stale one.
    return page.locator(f'{CHART}[aria-label^="Stage {number} chart:"]')


def diagram(page: Page) -> Locator:
    return page.locator(f'{CHART}[aria-label^="Network diagram:"]')


def drawing(chart: Locator) -> dict:
    info = chart.evaluate(_DRAWING)
    assert info is not None, "the chart has no SVG or canvas"
    return info


def expect_stage_drawn(page: Page, number: int) -> None:
    """Heading of stage `number`, and both charts drawn with marks."""
    expect(page.get_by_role("heading", name=heading_text(number), exact=True)).to_be_visible()
    chart = stage_chart(page, number)
    expect(chart).to_have_count(1)
    chart.locator(".mark-line path[d]").first.wait_for()
    wait_until_idle(page)
    expect(page.locator(CHART)).to_have_count(2)
    curve = drawing(chart)
    assert curve["width"] > 100 and curve["height"] > 100, curve
    assert curve["lines"] >= 1, f"stage {number}'s curve was not drawn: {curve}"
    network = drawing(diagram(page))
    assert network["width"] > 100 and network["height"] > 100, network
    assert network["symbols"] >= 4, f"the network diagram has no nodes: {network}"  # input, two hidden, output
    expect(page.locator(EXCEPTION)).to_have_count(0)


def number_input(page: Page, key: str) -> Locator:
    return page.locator(f".st-key-{key} input")
