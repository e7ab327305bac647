"""Where a click's time goes in the browser: Chromium's sampling profiler over stage steps.

usage: python bench/click_profile.py [--peer PATH] [--rounds 3] [--clicks 6] [--interval-us 500] [--ours APP]

Both apps run as in bench/browser_ratio.py (same server, clicks and "drawn" detector):
each steps through the stages while Chromium's JavaScript profiler samples the page's
main thread. The samples are split by what was running:
  vega       vega-embed, Vega-Lite's compiler, Vega's parser, dataflow and SVG renderer
  markdown   Streamlit's markdown and LaTeX (react-markdown, KaTeX)
  react      React and the styling library (emotion): rebuilding the changed elements
  streamlit  the rest of Streamlit's front end (messages, element tree, widgets)
  browser    work outside JavaScript: style, layout, paint, garbage collection
  idle       nothing to do: waiting for the server's answer and for the next frame
Prints, per click, the median input -> drawn time and the milliseconds of each kind (the
profiler's own overhead inflates all kinds alike). The page is profiled apart from the
timing in browser_ratio.py; use that for the ratios.
"""

from __future__ import annotations

import argparse
import collections
import os
import statistics
import sys
import tempfile

from browser_ratio import (
    DETECTOR,
    IDLE,
    PEER_SIGNATURE,
    RELUNET_SIGNATURE,
    ROOT,
    TIMEOUT_MS,
    VIEWPORT,
    Measured,
    Side,
    click_to_chart,
    focus_slider,
    press_next,
    press_right_arrow,
)
from playwright.sync_api import sync_playwright
from streamlit_server import StreamlitServer, chromium_available, chromium_path, launch_options

KINDS = ("vega", "markdown", "react", "streamlit", "browser", "idle")


def kind_of(url: str, function: str) -> str:
    name = url.rsplit("/", 1)[-1]
    if function in ("(idle)",):
        return "idle"
    if function in ("(program)", "(garbage collector)") or not url:
        return "browser"
    if name.startswith(("embed.", "vega", "ArrowVegaLiteChart", "loadVegaEmbed")):
        return "vega"
    if name.startswith(("StreamlitMarkdown", "katex", "Latex", "index.esm")):
        return "markdown"
    if name.startswith(("react-dom", "emotion", "react.")):
        return "react"
    return "streamlit"


def split(profile: dict) -> dict[str, float]:
    """Milliseconds of samples of each kind, by the function on top of the stack."""
    nodes = {node["id"]: node["callFrame"] for node in profile["nodes"]}
    totals: dict[str, float] = collections.Counter()
    for sample, delta in zip(profile["samples"], profile["timeDeltas"]):
        frame = nodes[sample]
        totals[kind_of(frame["url"], frame["functionName"])] += delta / 1000
    return totals


def profile_side(browser, side: Side, rounds: int, clicks: int, interval_us: int, folder: str) -> None:
    totals: dict[str, float] = collections.Counter()
    times: list[float] = []
    steps = 0
    for _ in range(rounds):
        context = browser.new_context(viewport=VIEWPORT)
        context.add_init_script(DETECTOR % side.signature)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        with StreamlitServer(os.path.join(folder, f"{side.name}.log"), script=side.script) as server:
            page.goto(server.url)
            page.wait_for_function("() => window.__bench.firstDrawnAt !== null", timeout=TIMEOUT_MS)
            page.locator(IDLE).wait_for()
            cdp = context.new_cdp_session(page)
            cdp.send("Profiler.enable")
            cdp.send("Profiler.setSamplingInterval", {"interval": interval_us})
            cdp.send("Profiler.start")
            measured = Measured()
            times += [click_to_chart(page, side, stage, measured) for stage in range(1, clicks + 1)]
            profile = cdp.send("Profiler.stop")["profile"]
            for kind, value in split(profile).items():
                totals[kind] += value
            steps += clicks
        context.close()
    print(f"\n{side.name}: {steps} clicks, input -> drawn median {statistics.median(times) * 1000:.0f} ms "
          "(profiled, so slower than unprofiled)")
    print("per click, ms: " + "  ".join(f"{kind} {totals[kind] / steps:.0f}" for kind in KINDS))
    print("(each click also includes a 200 ms settle pause, counted as idle)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peer", default=os.path.join(ROOT, "..", "shared", "bench", "peer_pyplot_app.py"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clicks", type=int, default=6, help="steps per round, from stage 1 (1 to 6)")
    parser.add_argument("--interval-us", type=int, default=500, help="sampling interval")
    parser.add_argument("--ours", default="streamlit_app.py", help="the app profiled in relunet's place")
    args = parser.parse_args()
    if not 1 <= args.clicks <= 6:
        parser.error("--clicks must be from 1 to 6: the pages have seven stages")
    if args.rounds < 1 or args.interval_us < 50:
        parser.error("--rounds must be at least 1 and --interval-us at least 50")
    if not os.path.isfile(args.peer):
        parser.error(f"no peer app at {args.peer}: pass --peer PATH")
    if not chromium_available(chromium_path()):
        sys.exit(f"no Chromium at {chromium_path()}: sudo apt-get install chromium, or set RELUNET_CHROMIUM")
    sides = [Side("relunet", args.ours, RELUNET_SIGNATURE, step=press_next),
             Side("peer", os.path.abspath(args.peer), PEER_SIGNATURE, step=press_right_arrow, prepare=focus_slider)]
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options())
        for side in sides:
            profile_side(browser, side, args.rounds, args.clicks, args.interval_us, folder)
        browser.close()


if __name__ == "__main__":
    main()
