"""Where a first visit's time goes, in Chromium: relunet against the peer app (issue 7's cold-start target).

usage: python bench/cold_start_timeline.py [--peer PATH] [--ours PATH] [--visits 3]

For each app: starts its server, warms it with one visit (so the figures are the browser's first visit, not
the server's first imports), then opens it --visits more times, each in a fresh browser context (empty cache,
as a new student's browser). Prints the median time from navigation start to: the websocket open, the first
heading, the first chart or image element, that chart drawn (relunet: its line paths; the peer: its image
loaded); and, for relunet, when the Vega chunks (`ArrowVegaLiteChart`, `embed`) were requested and had arrived.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "tests", "e2e")]

from playwright.sync_api import sync_playwright  # noqa: E402
from streamlit_server import StreamlitServer, chromium_available, chromium_path, launch_options  # noqa: E402

# Marks, in ms since navigation start, each the first time it happens.
PROBE = """(() => {
  const marks = window.__marks = {};
  const mark = name => { if (!(name in marks)) marks[name] = performance.now(); };
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = function (...args) {
    const socket = new NativeWebSocket(...args);
    socket.addEventListener("open", () => mark("websocket open"));
    return socket;
  };
  window.WebSocket.prototype = NativeWebSocket.prototype;
  const check = () => {
    if (document.querySelector("h1")) mark("first heading");
    if (document.querySelector('[data-testid="stVegaLiteChart"]')) mark("chart element");
    const chart = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
      .find(c => (c.getAttribute("aria-label") || "").startsWith("Stage "));
    if (chart && [...chart.querySelectorAll("svg .mark-line path")].some(p => (p.getAttribute("d") || "").length > 10))
      mark("chart drawn");
    const image = document.querySelector('[data-testid="stImage"] img, [data-testid="stImageContainer"] img');
    if (image) mark("image element");
    if (image && image.complete && image.naturalWidth > 0) mark("image drawn");
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true, attributes: true});
  addEventListener("load", check, true);  // an <img> finishing its load is no DOM mutation
  const everyFrame = () => { check(); requestAnimationFrame(everyFrame); };
  requestAnimationFrame(everyFrame);
})();"""
VEGA_CHUNKS = """() => {
  const vega = performance.getEntriesByType("resource")
    .filter(e => /\\/(ArrowVegaLiteChart|embed)\\.[^/]*\\.js$/.test(e.name));
  return vega.length ? {"Vega chunks requested": Math.min(...vega.map(e => e.startTime)),
                        "Vega chunks arrived": Math.max(...vega.map(e => e.responseEnd))} : {};
}"""


def timeline(script: str, drawn: str, visits: int, log_folder: str) -> dict[str, float]:
    """Median ms from navigation start to each mark, over `visits` first visits."""
    runs = []
    with StreamlitServer(os.path.join(log_folder, os.path.basename(script) + ".log"), script=script) as server, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options())
        for visit in range(visits + 1):
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            page = context.new_page()
            page.add_init_script(PROBE)
            page.goto(server.url)
            page.wait_for_function(f"() => window.__marks && '{drawn}' in window.__marks", timeout=60_000)
            marks = {**page.evaluate("window.__marks"), **page.evaluate(VEGA_CHUNKS)}
            if visit:  # the first visit only warms the server
                runs.append(marks)
            context.close()
    names = {name for marks in runs for name in marks}
    return {name: statistics.median(marks[name] for marks in runs if name in marks) for name in names}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peer", default=os.path.join(ROOT, "..", "shared", "bench", "peer_pyplot_app.py"),
                        help="the peer app (default: ../shared/bench/peer_pyplot_app.py)")
    parser.add_argument("--ours", default="streamlit_app.py", help="relunet's app (default: streamlit_app.py)")
    parser.add_argument("--visits", type=int, default=3, help="timed first visits per app (at least 1)")
    args = parser.parse_args()
    if args.visits < 1:
        parser.error("--visits must be at least 1")
    if not chromium_available(chromium_path()):
        parser.error(f"no Chromium at {chromium_path()}")
    if not os.path.isfile(args.peer):
        parser.error(f"no peer app at {args.peer}")
    with tempfile.TemporaryDirectory(prefix="relunet-cold-") as logs:
        ours = timeline(args.ours, "chart drawn", args.visits, logs)
        peer = timeline(args.peer, "image drawn", args.visits, logs)
    print(f"ms from navigation start, median of {args.visits} first visits (fresh browser context, warm server)")
    for name, side in (("relunet", ours), ("peer", peer)):
        print(f"\n{name}")
        for mark, ms in sorted(side.items(), key=lambda item: item[1]):
            print(f"  {mark:<22} {ms:7.0f}")
    print(f"\nfirst chart drawn: relunet / peer = {ours['chart drawn'] / peer['image drawn']:.2f}")


if __name__ == "__main__":
    main()
