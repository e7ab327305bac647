"""Server-side cost of one click: relunet's page against the article's code in st.pyplot.

usage: python bench/rerun_ratio.py [--peer PATH] [--rounds N] [--reruns K]

Both scripts run under Streamlit's AppTest in this one process, in alternating
rounds so machine noise hits both alike. Four kinds of click are timed:
  plain       - a rerun that changes nothing (any widget event costs at least this)
  step hit    - the stage moves on, to a stage already shown with these weights (cache hits)
  step miss   - the stage moves on and the weights are new (no cache can help)
  weight miss - a new weight on the same stage (no cache can help)
Hits and misses are kept apart: the page caches what it shows per state, so a
step costs a plain rerun when the state was seen before and the whole build
when it was not. The peer has one slider (the stage) and caches nothing, so for
it every kind is a stage change. Prints the median milliseconds per kind and
the ratio relunet / peer.
"""

import argparse
import os
import statistics
import time

from streamlit.testing.v1 import AppTest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARTICLE_B3 = -16.0
KINDS = ("plain", "step hit", "step miss", "weight miss")


def timed(at: AppTest) -> float:
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    assert not at.exception, at.exception
    return elapsed


class RelunetClicks:
    def __init__(self) -> None:
        self.new_weights = 0

    def fresh_b3(self) -> float:
        """A b3 the page has not seen in this run (hundredths, as the input gives them)."""
        self.new_weights += 1
        return ARTICLE_B3 + self.new_weights / 100

    def __call__(self, at: AppTest, kind: str, i: int) -> None:
        if kind == "step hit":
            at.session_state["b3"] = ARTICLE_B3
            at.session_state["stage"] = i % 7 + 1
        elif kind == "step miss":
            at.session_state["b3"] = self.fresh_b3()
            at.session_state["stage"] = i % 7 + 1
        elif kind == "weight miss":
            at.session_state["b3"] = self.fresh_b3()


def click_peer(at: AppTest, kind: str, i: int) -> None:
    if kind != "plain":
        at.session_state["stage"] = i % 7 + 1


def warm_up(at: AppTest) -> None:
    """First run (imports, templates) and every stage once with the article's weights, so that
    'step hit' really hits."""
    timed(at)
    for number in range(1, 8):
        at.session_state["stage"] = number
        timed(at)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peer", default=os.path.join(ROOT, "..", "shared", "bench", "peer_pyplot_app.py"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reruns", type=int, default=10, help="reruns of each app per round and kind")
    args = parser.parse_args()
    if not os.path.isfile(args.peer):
        parser.error(f"no peer app at {args.peer}: pass --peer PATH/peer_pyplot_app.py")

    apps = {
        "relunet": (AppTest.from_file(os.path.join(ROOT, "streamlit_app.py"), default_timeout=60), RelunetClicks()),
        "peer": (AppTest.from_file(os.path.abspath(args.peer), default_timeout=60), click_peer),
    }
    for at, _ in apps.values():
        warm_up(at)
    times = {(name, kind): [] for name in apps for kind in KINDS}
    counter = 0
    for _ in range(args.rounds):
        for kind in KINDS:
            for name, (at, click) in apps.items():
                for _ in range(args.reruns):
                    counter += 1
                    click(at, kind, counter)
                    times[(name, kind)].append(timed(at))
    print(f"{'click':<13}{'relunet ms':>12}{'peer ms':>10}{'ratio':>8}")
    for kind in KINDS:
        ours = statistics.median(times[("relunet", kind)]) * 1000
        peer = statistics.median(times[("peer", kind)]) * 1000
        print(f"{kind:<13}{ours:>12.1f}{peer:>10.1f}{ours / peer:>8.2f}")


if __name__ == "__main__":
    main()
