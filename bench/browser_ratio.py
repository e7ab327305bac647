"""What a user waits for in Chromium: relunet against the peer app, side by side in one run.

usage: python bench/browser_ratio.py [--peer PATH] [--ours PATH] [--rounds 5] [--clicks 6]

The peer is the seed article's matplotlib code in `st.pyplot`, stepped with a "Stage"
slider (`../shared/bench/peer_pyplot_app.py`, needs `pip install -r bench/requirements.txt`).
Each round measures both apps, relunet first in even rounds and the peer first in odd ones,
each on a fresh server and a fresh browser context (Debian's Chromium, 1366 x 768):

cold start  from `streamlit run` launched (just before the process is started) until the
            page's first chart is drawn: the server starting, the page and its scripts
            loading, the first script run, and the chart appearing. The browser tab is
            open beforehand; the server is polled for health every 50 ms, then the page
            is opened in the tab at once.
click       from the input event until the next stage's chart is drawn: relunet's Next
            button pressed (pointerdown), the peer's slider thumb moved one step with the
            Right arrow key (keydown; the peer has no Next button, and this is how its
            stage changes). Each side steps through stage 1 -> 7, one click at a time, each
            click after the previous one's script run has ended.

"Drawn" is read in the page, not by polling from Python: a script installed before the
page's own checks the chart after every DOM mutation, image load and animation frame and
keeps the `performance.now()` at which it first holds:
  relunet  the Vega-Lite stage chart (`[data-testid=stVegaLiteChart]`, SVG renderer) has a
           line mark with a path, and after a click its aria-label names the new stage and
           its paths differ from the old ones;
  peer     the `st.pyplot` image has loaded (complete, natural width > 0), and after a
           click its source differs from the old one.
The DOM holding the new marks is one frame before they are on screen; both sides alike.
The time the page sent its first websocket message after the input is kept too, so
"input -> sent" (the front end's own delay, e.g. a slider's debounce) and "sent -> drawn"
(server + network + drawing) are printed apart.

Prints each round, the medians per side, and the ratio relunet / peer per round and of the
medians. Issue 7's targets: cold start <= 1.0x, click -> chart <= 0.75x.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "tests", "e2e")]

from playwright.sync_api import sync_playwright  # noqa: E402
from streamlit_server import StreamlitServer, chromium_available, chromium_path, launch_options  # noqa: E402

TIMEOUT_MS = 60_000
VIEWPORT = {"width": 1366, "height": 768}
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'

# A chart's signature: None until it is drawn, then a string that changes when it is redrawn.
RELUNET_SIGNATURE = """() => {
  const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')];
  const chart = charts.find(c => (c.getAttribute("aria-label") || "").startsWith("Stage ")) || charts.at(-1);
  if (!chart) return null;
  const paths = [...chart.querySelectorAll("svg .mark-line path")]
    .map(p => p.getAttribute("d") || "").filter(d => d.length > 10);
  return paths.length ? (chart.getAttribute("aria-label") || "") + "|" + paths.join("|") : null;
}"""
PEER_SIGNATURE = """() => {
  const image = document.querySelector('[data-testid="stImageContainer"] img, [data-testid="stImage"] img');
  return image && image.complete && image.naturalWidth > 0 ? image.currentSrc || image.src : null;
}"""

DETECTOR = """(() => {
  const signature = %s;
  const bench = window.__bench = {firstDrawnAt: null, armed: false, old: null, want: null,
                                  inputAt: null, sentAt: null, drawnAt: null};
  const check = () => {
    if (bench.firstDrawnAt === null && signature() !== null) {
      bench.firstDrawnAt = performance.timeOrigin + performance.now();  // epoch ms, comparable with Python's clock
    }
    if (bench.armed && bench.inputAt !== null) {
      const now = signature();
      if (now !== null && now !== bench.old && (!bench.want || now.startsWith(bench.want))) {
        bench.drawnAt = performance.now();
        bench.armed = false;
      }
    }
  };
  bench.arm = want => {
    Object.assign(bench, {old: signature(), want, inputAt: null, sentAt: null, drawnAt: null, armed: true});
  };
  const onInput = () => { if (bench.armed && bench.inputAt === null) bench.inputAt = performance.now(); };
  addEventListener("pointerdown", onInput, true);
  addEventListener("keydown", onInput, true);
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (bench.armed && bench.inputAt !== null && bench.sentAt === null) bench.sentAt = performance.now();
    return send.call(this, data);
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true, attributes: true,
                                                 characterData: true});
  addEventListener("load", check, true);  // an <img> finishing its load is no DOM mutation
  const everyFrame = () => { check(); requestAnimationFrame(everyFrame); };
  requestAnimationFrame(everyFrame);
})();"""


def press_next(page) -> None:
    page.locator(".st-key-next").get_by_role("button").click()  # found by its key; a role skips hidden copies


def focus_slider(page) -> None:
    page.locator('[data-testid="stSlider"]').get_by_role("slider").focus()


def press_right_arrow(page) -> None:
    page.keyboard.press("ArrowRight")


@dataclass
class Side:
    name: str
    script: str
    signature: str  # JavaScript: the chart's signature, see above
    step: Callable  # (page) -> None: the timed input that moves to the next stage
    prepare: Callable | None = None  # (page) -> None: untimed, before each step

    def want_after_step(self, old_signature: str | None, stage: int) -> str | None:
        """What the redrawn chart's signature must start with, when the page says which stage it shows."""
        if old_signature and old_signature.startswith(f"Stage {stage} "):
            return f"Stage {stage + 1} "
        return None


@dataclass
class Measured:
    cold: dict[int, float] = field(default_factory=dict)  # round -> seconds
    clicks: dict[int, list[float]] = field(default_factory=dict)  # round -> input -> drawn, seconds
    input_to_sent: list[float] = field(default_factory=list)
    sent_to_drawn: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def one_side(browser, side: Side, round_index: int, clicks: int, folder: str, measured: Measured) -> None:
    # The tab is ready before the server starts, as a browser is when `streamlit run` opens the page in it.
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(DETECTOR % side.signature)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda error: measured.errors.append(f"{side.name}: uncaught: {error}"))
    try:
        launched = time.time()
        with StreamlitServer(os.path.join(folder, f"{side.name}.log"), script=side.script) as server:
            page.goto(server.url)
            page.wait_for_function("() => window.__bench.firstDrawnAt !== null", timeout=TIMEOUT_MS)
            cold = page.evaluate("window.__bench.firstDrawnAt") / 1000 - launched
            page.locator(IDLE).wait_for()
            round_clicks = [click_to_chart(page, side, stage, measured) for stage in range(1, clicks + 1)]
            if page.locator('[data-testid="stException"]').count():
                raise RuntimeError("an exception box is shown")
        measured.cold[round_index], measured.clicks[round_index] = cold, round_clicks
    except Exception as problem:  # reported with the figures: a failed round must not hide in a median
        measured.errors.append(f"{side.name}, round {round_index + 1}: {type(problem).__name__}: "
                               f"{str(problem).splitlines()[0]}")
    finally:
        context.close()


def click_to_chart(page, side: Side, stage: int, measured: Measured) -> float:
    """One step from `stage`: seconds from the input event to the new chart drawn."""
    if side.prepare:
        side.prepare(page)
    old = page.evaluate(f"({side.signature})()")
    page.evaluate("want => window.__bench.arm(want)", side.want_after_step(old, stage))
    side.step(page)
    page.wait_for_function("() => window.__bench.drawnAt !== null", timeout=TIMEOUT_MS)
    times = page.evaluate("() => { const b = window.__bench; "
                          "return {inputAt: b.inputAt, sentAt: b.sentAt, drawnAt: b.drawnAt}; }")
    if times["sentAt"] is not None:
        measured.input_to_sent.append((times["sentAt"] - times["inputAt"]) / 1000)
        measured.sent_to_drawn.append((times["drawnAt"] - times["sentAt"]) / 1000)
    page.locator(IDLE).wait_for()
    page.wait_for_timeout(200)  # let the rest of the page settle before the next click
    return (times["drawnAt"] - times["inputAt"]) / 1000


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def report(sides: list[Side], results: dict[str, Measured]) -> None:
    ours, peer = results[sides[0].name], results[sides[1].name]
    print("\n| round | relunet cold s | peer cold s | ratio | relunet click ms | peer click ms | ratio |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    cold_ratios, click_ratios = [], []
    for index in sorted(set(ours.cold) & set(peer.cold)):  # pairs only: a round one side lost is left out
        our_cold, peer_cold = ours.cold[index], peer.cold[index]
        our_click, peer_click = statistics.median(ours.clicks[index]), statistics.median(peer.clicks[index])
        cold_ratios.append(our_cold / peer_cold)
        click_ratios.append(our_click / peer_click)
        print(f"| {index + 1} | {our_cold:.2f} | {peer_cold:.2f} | {cold_ratios[-1]:.2f} | {ms(our_click)} "
              f"| {ms(peer_click)} | {click_ratios[-1]:.2f} |")
    if not cold_ratios:
        print("no complete pair of rounds")
        return
    our_cold, peer_cold = statistics.median(ours.cold.values()), statistics.median(peer.cold.values())
    our_click = statistics.median([c for r in ours.clicks.values() for c in r])
    peer_click = statistics.median([c for r in peer.clicks.values() for c in r])
    print(f"| median | {our_cold:.2f} | {peer_cold:.2f} | {our_cold / peer_cold:.2f} | {ms(our_click)} "
          f"| {ms(peer_click)} | {our_click / peer_click:.2f} |")
    print(f"\nmedian of the per-round ratios: cold start {statistics.median(cold_ratios):.2f} (target <= 1.0), "
          f"click -> chart {statistics.median(click_ratios):.2f} (target <= 0.75)")
    for side in sides:
        measured = results[side.name]
        if measured.input_to_sent:
            print(f"{side.name}: input -> first websocket message {ms(statistics.median(measured.input_to_sent))} ms, "
                  f"message -> chart drawn {ms(statistics.median(measured.sent_to_drawn))} ms (medians)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peer", default=os.path.join(ROOT, "..", "shared", "bench", "peer_pyplot_app.py"),
                        help="the peer app (default: ../shared/bench/peer_pyplot_app.py from the repository root)")
    parser.add_argument("--ours", default="streamlit_app.py",
                        help="the app measured as relunet (default: the real page; bench/floor_altair_app.py "
                             "measures the least an Altair page can cost)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of both apps (at least 1)")
    parser.add_argument("--clicks", type=int, default=6, help="steps per round, from stage 1 (1 to 6)")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if not 1 <= args.clicks <= 6:
        parser.error("--clicks must be from 1 to 6: the pages have seven stages")
    if not os.path.isfile(args.peer):
        parser.error(f"no peer app at {args.peer}: pass --peer PATH")
    if not chromium_available(chromium_path()):
        sys.exit(f"no Chromium at {chromium_path()}: sudo apt-get install chromium, or set RELUNET_CHROMIUM")
    sides = [Side("relunet", args.ours, RELUNET_SIGNATURE, step=press_next),
             Side("peer", os.path.abspath(args.peer), PEER_SIGNATURE, step=press_right_arrow, prepare=focus_slider)]
    results = {side.name: Measured() for side in sides}
    try:
        with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
            browser = playwright.chromium.launch(**launch_options())
            for round_index in range(args.rounds):
                for side in sides if round_index % 2 == 0 else sides[::-1]:
                    one_side(browser, side, round_index, args.clicks, folder, results[side.name])
                print(f"round {round_index + 1} of {args.rounds} done", flush=True)
            browser.close()
    except KeyboardInterrupt:
        sys.exit("interrupted; the servers were stopped")
    report(sides, results)
    errors = [e for measured in results.values() for e in measured.errors]
    print(f"\nerrors: {len(errors)}")
    for error in errors:
        print(f"  {error}")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
