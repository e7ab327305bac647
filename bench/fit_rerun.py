"""The fit page's speed: one click's rerun against the matplotlib peer, and 1,000 steps of backprop.

usage: python bench/fit_rerun.py [--peer PATH] [--rounds N] [--reruns K] [--fit-runs R]

Reruns are measured as bench/rerun_ratio.py measures the seven-stage page: both
scripts under Streamlit's AppTest in this one process, in alternating rounds so
machine noise hits both alike. Kinds of click on the fit page:
  plain  - a rerun that changes nothing
  step   - Next/Back: the step moves (over the 35 steps of the default run)
  new    - a new learning rate every click, so a new run (the page's caches cannot help)
The peer has one slider (the stage), so for it every kind is a stage change.
Targets: a step at most 0.25 × the peer's rerun; fitting all seven weights for
1,000 steps under 50 ms.
"""

import argparse
import os
import statistics
import sys
import time

from streamlit.testing.v1 import AppTest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from relunet.fit import backprop, fit_all, random_start  # noqa: E402

FIT_PAGE = "ui/fit_page.py"
STEP_TARGET = 0.25
FIT_TARGET_MS = 50.0


def timed(at: AppTest) -> float:
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    assert not at.exception, at.exception
    return elapsed


def click_fit(at: AppTest, kind: str, i: int) -> None:
    if kind == "step":
        at.session_state["fit_step"] = i % 35
    elif kind == "new":
        at.session_state["fit_lr"] = 0.05 + (i % 997) / 10_000  # distinct runs: cache misses


def click_peer(at: AppTest, kind: str, i: int) -> None:
    if kind != "plain":
        at.session_state["stage"] = i % 7 + 1


def open_fit_page() -> AppTest:
    at = AppTest.from_file(os.path.join(ROOT, "streamlit_app.py"), default_timeout=60)
    timed(at)  # registers the pages
    at.switch_page(FIT_PAGE)
    timed(at)  # first run: imports and caches, not a click
    return at


def rerun_ratio(peer: str, rounds: int, reruns: int) -> dict[str, float]:
    apps = {"fit page": (open_fit_page(), click_fit),
            "peer": (AppTest.from_file(os.path.abspath(peer), default_timeout=60), click_peer)}
    timed(apps["peer"][0])
    kinds = ("plain", "step", "new")
    times = {(name, kind): [] for name in apps for kind in kinds}
    counter = 0
    for _ in range(rounds):
        for kind in kinds:
            for name, (at, click) in apps.items():
                for _ in range(reruns):
                    counter += 1
                    click(at, kind, counter)
                    times[(name, kind)].append(timed(at))
    print(f"{'click':<8}{'fit page ms':>13}{'peer ms':>10}{'ratio':>8}")
    ratios = {}
    for kind in kinds:
        ours = statistics.median(times[("fit page", kind)]) * 1000
        peer_ms = statistics.median(times[("peer", kind)]) * 1000
        ratios[kind] = ours / peer_ms
        print(f"{kind:<8}{ours:>13.1f}{peer_ms:>10.1f}{ratios[kind]:>8.2f}")
    return ratios


def fit_timing(runs: int) -> float:
    """Milliseconds to fit all seven weights for 1,000 steps (a seed that never stops early)."""
    start = random_start(0)
    assert fit_all(start, 0.1).last_step == 1000, "seed 0 should run to the step limit"
    times, cpu = [], []
    for _ in range(runs):
        begin, begin_cpu = time.perf_counter(), time.process_time()
        fit_all(start, 0.1)
        times.append((time.perf_counter() - begin) * 1000)
        cpu.append((time.process_time() - begin_cpu) * 1000)
    walk = []
    for _ in range(max(runs // 4, 1)):
        begin = time.perf_counter()
        for _ in range(1000):
            backprop(start)
        walk.append((time.perf_counter() - begin) * 1000)
    print(f"1,000 steps of gradient descent on all seven weights: median {statistics.median(times):.1f} ms, "
          f"best {min(times):.1f} ms over {runs} runs (target < {FIT_TARGET_MS:.0f} ms); CPU time median "
          f"{statistics.median(cpu):.1f} ms (what it costs when other processes share the cores)")
    print(f"for comparison, 1,000 backward passes walking the stage registry (what the page shows per step): "
          f"median {statistics.median(walk):.1f} ms")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peer", default=os.path.join(ROOT, "..", "shared", "bench", "peer_pyplot_app.py"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reruns", type=int, default=10, help="reruns of each app per round and kind")
    parser.add_argument("--fit-runs", type=int, default=40)
    args = parser.parse_args()
    ratios = rerun_ratio(args.peer, args.rounds, args.reruns)
    fit_ms = fit_timing(args.fit_runs)
    verdict = "met" if ratios["step"] <= STEP_TARGET else "NOT met"
    print(f"step rerun target (≤ {STEP_TARGET} × peer): {verdict}; "
          f"1,000-step fit target: {'met' if fit_ms < FIT_TARGET_MS else 'NOT met'}")


if __name__ == "__main__":
    main()
