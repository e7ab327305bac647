"""The slide pack's speed targets, side by side in one run (issue 9, item 5):

- the default animation at 1920×1080 as MP4 against the same as GIF: wall
  time and file size (target: the MP4 takes no longer and is smaller);
- the PowerPoint deck against the seven PNG stills (a ZIP) at the same size
  (target: the deck takes under 2× as long).

Whole processes (`python -m relunet.export`), alternating A/B so a busy
machine slows both alike; prints the medians and the per-run ratios.

usage (from the repository root):
    python bench/slide_pack.py [--runs 3] [--width 1920 --height 1080]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(out: Path, extra: list[str], size: list[str]) -> tuple[float, int]:
    command = [sys.executable, "-m", "relunet.export", "--out", str(out), *size, *extra]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {' '.join(command)}\n{result.stderr.strip()}")
    return elapsed, out.stat().st_size


def pair(folder: Path, runs: int, size: list[str], a: tuple[str, list[str]], b: tuple[str, list[str]]) -> dict:
    times = {a[0]: [], b[0]: []}
    sizes = {}
    for run in range(runs):
        for name, extra in (a, b) if run % 2 == 0 else (b, a):
            seconds, size_bytes = timed(folder / name, extra, size)
            times[name].append(seconds)
            sizes[name] = size_bytes
    ratios = [x / y for x, y in zip(times[a[0]], times[b[0]])]
    return {"times": times, "sizes": sizes, "ratios": ratios}


def report(title: str, result: dict, target: str) -> None:
    print(f"\n{title}   (target: {target})")
    for name, times in result["times"].items():
        runs = " ".join(f"{t:.2f}" for t in times)
        print(f"  {name:<12} median {statistics.median(times):6.2f} s   ({runs})   {result['sizes'][name]:>12,} bytes")
    ratios = " ".join(f"{r:.2f}" for r in result["ratios"])
    print(f"  ratio        median {statistics.median(result['ratios']):.2f}   ({ratios})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="A/B pairs per comparison")
    parser.add_argument("--width", type=int, default=1920)
    parser.add_argument("--height", type=int, default=1080)
    args = parser.parse_args()
    size = ["--width", str(args.width), "--height", str(args.height)]
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{args.width}×{args.height}, default animation, {args.runs} alternating runs each, "
          f"{os.cpu_count()} CPUs, load {load}")
    with tempfile.TemporaryDirectory() as folder:
        videos = pair(Path(folder), args.runs, size, ("relu.mp4", []), ("relu.gif", []))
        report("MP4 vs GIF (ratio = MP4 / GIF time)", videos, "ratio ≤ 1 and the MP4 smaller")
        smaller = videos["sizes"]["relu.mp4"] < videos["sizes"]["relu.gif"]
        print(f"  MP4 smaller than GIF: {'yes' if smaller else 'NO'}")
        decks = pair(Path(folder), args.runs, size, ("deck.pptx", []), ("stills.zip", []))
        report("deck vs seven PNG stills (ratio = deck / stills time)", decks, "ratio < 2")
    print("\nload afterwards " + " / ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
