"""Peak memory of the export's whole process tree against the matplotlib peer (issue 7).

Runs `python -m relunet.export` (with its render helper and, for an MP4, ffmpeg) and
`../shared/bench/peer_matplotlib_gif.py` at the same size and near the same frame count,
alternating, and samples the RSS of each one's process tree (the process and all its
descendants, from /proc) every 20 ms. Prints each run's peak, the medians and the ratio
ours / peer. Issue 7's target: at most 0.8 x.

With --floor, a third command runs in each round: bench/floor_vlconvert_gif.py, the peer's
frames drawn by vl-convert in one process with nothing else. Its ratio to the peer is the
floor under ours: the least memory any export drawn by vl-convert takes.

usage: python bench/export_memory.py [--runs 3] [--tween 8] [--width 960 --height 540] [--floor]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))

from export_vs_matplotlib import DEFAULT_PEER, FLOOR, peer_tween_for  # noqa: E402
from protocol_load import tree_rss_mb  # noqa: E402


def peak_tree_mb(command: list[str]) -> float:
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, tree_rss_mb(process.pid))
        time.sleep(0.02)
    if process.returncode != 0:
        sys.exit(f"failed ({process.returncode}): {' '.join(command)}\n{process.stderr.read().decode()}")
    return peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tween", type=int, default=8)
    parser.add_argument("--width", type=int, default=960)
    parser.add_argument("--height", type=int, default=540)
    parser.add_argument("--floor", action="store_true", help="also measure the vl-convert floor (see above)")
    args = parser.parse_args()
    size = ["--width", str(args.width), "--height", str(args.height)]
    peer_tween = peer_tween_for(7 + 6 * args.tween)
    ours_mb, peer_mb, floor_mb = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        ours = [sys.executable, "-m", "relunet.export", "--out", os.path.join(folder, "ours.gif"),
                "--tween", str(args.tween), *size]
        peer = [sys.executable, str(DEFAULT_PEER), os.path.join(folder, "peer.gif"), "--tween", str(peer_tween), *size]
        floor = [sys.executable, str(FLOOR), os.path.join(folder, "floor.gif"), "--tween", str(peer_tween), *size]
        for run in range(args.runs):
            order = [(ours, ours_mb), (peer, peer_mb)] + ([(floor, floor_mb)] if args.floor else [])
            for command, peaks in order if run % 2 == 0 else order[::-1]:
                peaks.append(peak_tree_mb(command))
    print(f"{args.width}×{args.height}, tween {args.tween} (peer {peer_tween}), {args.runs} alternating runs")
    print(f"ours: peak tree RSS {' '.join(f'{mb:.0f}' for mb in ours_mb)} MB, median {statistics.median(ours_mb):.0f}")
    print(f"peer: peak tree RSS {' '.join(f'{mb:.0f}' for mb in peer_mb)} MB, median {statistics.median(peer_mb):.0f}")
    print(f"ratio ours / peer: {statistics.median(ours_mb) / statistics.median(peer_mb):.2f} (target <= 0.8)")
    if floor_mb:
        floor_ratio = statistics.median(floor_mb) / statistics.median(peer_mb)
        print(f"floor: peak tree RSS {' '.join(f'{mb:.0f}' for mb in floor_mb)} MB, median "
              f"{statistics.median(floor_mb):.0f}; ratio floor / peer {floor_ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
