"""Server-side cost of one click: relunet's page against the article's code in st.pyplot.

usage: python bench/rerun_ratio.py [--peer PATH] [--rounds N] [--reruns K]

Both scripts run under Streamlit's AppTest in this one process, in alternating
rounds so machine noise hits both alike. Three kinds of click are timed:
  plain  - a rerun that changes nothing (any widget event costs at least this)
  step   - the stage moves on (the page's most common click)
  weight - a new weight every click (the page's cache cannot help)
The peer has one slider (the stage), so for it every kind is a stage change.
Prints the median milliseconds per kind and the ratio relunet / peer.
"""

import argparse
import os
import statistics
import time

from streamlit.testing.v1 import AppTest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(at: AppTest) -> float:
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    assert not at.exception, at.exception
    return elapsed


def click_relunet(at: AppTest, kind: str, i: int) -> None:
    if kind == "step":
        at.session_state["stage"] = i % 7 + 1
    elif kind == "weight":
        at.session_state["b3"] = -16.0 + (i % 997) / 1000  # distinct weights: cache misses


def click_peer(at: AppTest, kind: str, i: int) -> None:
    if kind != "plain":
        at.session_state["stage"] = i % 7 + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peer", default=os.path.join(ROOT, "..", "shared", "bench", "peer_pyplot_app.py"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reruns", type=int, default=10, help="reruns of each app per round and kind")
    args = parser.parse_args()

    apps = {
        "relunet": (AppTest.from_file(os.path.join(ROOT, "streamlit_app.py"), default_timeout=60), click_relunet),
        "peer": (AppTest.from_file(os.path.abspath(args.peer), default_timeout=60), click_peer),
    }
    for at, _ in apps.values():
        timed(at)  # first run: imports and caches, not a click
    kinds = ("plain", "step", "weight")
    times = {(name, kind): [] for name in apps for kind in kinds}
    counter = 0
    for _ in range(args.rounds):
        for kind in kinds:
            for name, (at, click) in apps.items():
                for _ in range(args.reruns):
                    counter += 1
                    click(at, kind, counter)
                    times[(name, kind)].append(timed(at))
    print(f"{'click':<8}{'relunet ms':>12}{'peer ms':>10}{'ratio':>8}")
    for kind in kinds:
        ours = statistics.median(times[("relunet", kind)]) * 1000
        peer = statistics.median(times[("peer", kind)]) * 1000
        print(f"{kind:<8}{ours:>12.1f}{peer:>10.1f}{ours / peer:>8.2f}")


if __name__ == "__main__":
    main()
