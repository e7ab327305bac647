"""GIF export speed: `python -m relunet.export` against the matplotlib peer.

Both run as whole processes (startup included), alternating which goes first,
at the same size and as near the same frame count as the designs allow: ours
makes 7 + 6·N frames for --tween N, the peer 7·(M + 1) for its --tween M, and
M is picked to match. Reports wall time per frame for each, the ratio
ours/peer per pair and the medians, and the size of our GIF.

With --floor, a third command runs in each round: bench/floor_vlconvert_gif.py, the
peer's own frames drawn by vl-convert and written by imageio (no Altair, no slide, one
process). Its ratio to the peer is the floor under ours: what a GIF drawn by vl-convert
costs before it carries anything of the lesson.

usage (from the repository root):
    python bench/export_vs_matplotlib.py [--tween 0 8] [--runs 5] [--width 960 --height 540] [--floor]
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
DEFAULT_PEER = ROOT.parent / "shared" / "bench" / "peer_matplotlib_gif.py"
FLOOR = ROOT / "bench" / "floor_vlconvert_gif.py"


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {' '.join(command)}\n{result.stderr.strip()}")
    return elapsed


def peer_tween_for(frames: int) -> int:
    return max(0, round(frames / 7 - 1))


def bench_tween(args: argparse.Namespace, tween: int, folder: Path) -> dict:
    ours_frames = 7 + 6 * tween
    peer_tween = peer_tween_for(ours_frames)
    peer_frames = 7 * (peer_tween + 1)
    ours_gif, peer_gif = folder / f"ours-{tween}.gif", folder / f"peer-{tween}.gif"
    size = ["--width", str(args.width), "--height", str(args.height)]
    ours = [sys.executable, "-m", "relunet.export", "--out", str(ours_gif), "--tween", str(tween), *size]
    peer = [sys.executable, str(args.peer), str(peer_gif), "--tween", str(peer_tween), *size]
    floor = [sys.executable, str(FLOOR), str(folder / f"floor-{tween}.gif"), "--tween", str(peer_tween), *size]
    ours_times, peer_times, floor_times = [], [], []
    for run in range(args.runs):
        order = [(ours, ours_times), (peer, peer_times)] + ([(floor, floor_times)] if args.floor else [])
        for command, times in order[run % len(order):] + order[:run % len(order)]:
            times.append(timed(command))
    ratios = [(o / ours_frames) / (p / peer_frames) for o, p in zip(ours_times, peer_times)]
    floor_ratios = [f / p for f, p in zip(floor_times, peer_times)]  # the same frame count
    return {
        "floor_ratio": statistics.median(floor_ratios) if floor_ratios else None, "floor_ratios": floor_ratios,
        "tween": tween, "peer_tween": peer_tween, "ours_frames": ours_frames, "peer_frames": peer_frames,
        "ours_s": statistics.median(ours_times), "peer_s": statistics.median(peer_times),
        "ours_per_frame": statistics.median(t / ours_frames for t in ours_times),
        "peer_per_frame": statistics.median(t / peer_frames for t in peer_times),
        "ratio": statistics.median(ratios), "ratios": ratios, "gif_bytes": ours_gif.stat().st_size,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--tween", type=int, nargs="+", default=[0, 8], help="our --tween values to measure")
    parser.add_argument("--runs", type=int, default=5, help="A/B pairs per tween value")
    parser.add_argument("--width", type=int, default=960)
    parser.add_argument("--height", type=int, default=540)
    parser.add_argument("--floor", action="store_true", help="also time the vl-convert floor (see above)")
    parser.add_argument("--peer", type=Path, default=DEFAULT_PEER, help="the matplotlib peer script")
    args = parser.parse_args()
    if not args.peer.is_file():
        parser.error(f"peer script not found: {args.peer}")
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{args.width}×{args.height}, {args.runs} alternating runs each, {os.cpu_count()} CPUs, load {load}")
    print("tween  frames ours/peer   median s ours/peer   s/frame ours/peer   ratio ours/peer (per pair)   GIF bytes")
    with tempfile.TemporaryDirectory() as folder:
        for tween in args.tween:
            r = bench_tween(args, tween, Path(folder))
            pairs = " ".join(f"{x:.2f}" for x in r["ratios"])
            print(
                f"{r['tween']:>5}  {r['ours_frames']:>6} / {r['peer_frames']:<6}"
                f" {r['ours_s']:>8.2f} / {r['peer_s']:<8.2f}"
                f"  {r['ours_per_frame']:>7.3f} / {r['peer_per_frame']:<7.3f}"
                f"   {r['ratio']:.2f} ({pairs})   {r['gif_bytes']:,}"
            )
            if r["floor_ratio"] is not None:
                floors = " ".join(f"{x:.2f}" for x in r["floor_ratios"])
                print(f"       floor (vl-convert, the peer's {r['peer_frames']} frames) / peer: "
                      f"{r['floor_ratio']:.2f} ({floors})")
    print("load afterwards " + " / ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
