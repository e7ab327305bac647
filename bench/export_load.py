"""A class exporting together, measured at the server (issue 12, item 3).

usage: python bench/export_load.py [--exporters 10] [--clicks 30] [--think 0.5] [--settle 20]
                                   [--size "1920 × 1080 (Full HD)"] [--tween 8] [--timeout 1800]

Starts `streamlit run streamlit_app.py` and, over Streamlit's own websocket protocol
(bench/streamlit_protocol.py, no browsers):

1. idle: one clicker session presses Next (stage 1's button on the last stage) --clicks
   times, --think seconds apart; its click latency (BackMsg sent -> script_finished) is
   the idle baseline;
2. loaded: --exporters sessions, each with its own weights (so no two share a render),
   open the export panel, pick the largest frame size and the most in-between frames it
   offers, and press "Make the GIF" at once; while their exports run, the clicker clicks
   --clicks times again;
3. after: once every export has finished, waits --settle seconds.

Reports the clicker's p50/p95 idle and loaded (target: loaded p95 <= 1.5 x idle p95), the
server's process tree RSS (server + export workers) at the start, its peak while
exporting (target <= 1 GB) and after (target: within 100 MB of the start), and each
export's time. Exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "tests", "e2e"), os.path.join(ROOT, "bench")]

from protocol_load import RssTimeline, _tree, percentile, tree_rss_mb  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402
from streamlit_protocol import StreamlitSession, user_key  # noqa: E402
from streamlit_server import StreamlitServer  # noqa: E402

TARGET_RATIO, TARGET_PEAK_MB, TARGET_RETURN_MB = 1.5, 1024, 100


class _BlockSpy:
    """Passes the websocket through, noting the ids of keyed expanders (blocks, which the
    protocol client does not track) and of selectboxes."""

    def __init__(self, socket, ids: dict[str, str]):
        self._socket, self._ids = socket, ids

    async def send(self, payload) -> None:
        await self._socket.send(payload)

    async def close(self) -> None:
        await self._socket.close()

    async def recv(self):
        data = await self._socket.recv()
        message = ForwardMsg()
        message.ParseFromString(data)
        if message.WhichOneof("type") == "delta":
            delta = message.delta
            if delta.WhichOneof("type") == "add_block" and delta.add_block.WhichOneof("type") == "expandable":
                block_id = delta.add_block.expandable.id
                if block_id and user_key(block_id):
                    self._ids[user_key(block_id)] = block_id
            elif delta.WhichOneof("type") == "new_element" and delta.new_element.WhichOneof("type") == "selectbox":
                element_id = delta.new_element.selectbox.id
                if user_key(element_id):
                    self._ids[user_key(element_id)] = element_id
        return data


class ExportingStudent(StreamlitSession):
    def __init__(self, base_url: str, query_string: str):
        super().__init__(base_url, query_string)
        self.block_ids: dict[str, str] = {}

    async def connect(self, timeout: float) -> None:
        await super().connect(timeout)
        self._socket = _BlockSpy(self._socket, self.block_ids)

    def _learn_widgets(self, elements) -> None:
        """As the front end does, keep an open expander's state: blocks are not among the
        elements a run sends, so the base class would drop it and close the panel."""
        kept = {i: v for i, v in self.values.items() if i in self.block_ids.values()}
        super()._learn_widgets(elements)
        self.values = {**kept, **self.values}

    async def set_state(self, element_id: str, timeout: float, **value) -> None:
        self.values[element_id] = WidgetState(id=element_id, **value)
        result = await self._run({}, timeout)
        if result.problems:
            raise RuntimeError("; ".join(result.problems))

    async def export(self, size: str, tween: int, timeout: float) -> float:
        """Open the panel, pick the settings, make the GIF: seconds from the click to the finished run."""
        await self.set_state(self.block_ids["export_open"], timeout, bool_value=True)
        await self.set_state(self.block_ids["gif_size"], timeout, string_value=size)
        _, tween_proto = self.widgets["gif_tween"]
        await self.set_state(tween_proto.id, timeout, int_value=min(tween, int(tween_proto.max)))
        result = await self.click("make_gif", timeout)
        if result.problems:
            raise RuntimeError("; ".join(result.problems))
        if not any(e.WhichOneof("type") == "imgs" for e in result.elements):
            raise RuntimeError("no GIF preview after the export")
        return result.seconds


async def click_through(session: StreamlitSession, clicks: int, think: float, timeout: float) -> list[float]:
    seconds = []
    for _ in range(clicks):
        await asyncio.sleep(think)
        _, next_proto = session.widgets["next"]
        result = await session.click("goto_1" if next_proto.disabled else "next", timeout)
        if result.problems:
            raise RuntimeError("; ".join(result.problems))
        seconds.append(result.seconds)
    return seconds


async def run(base_url: str, args, timeline: RssTimeline, pid: int) -> dict:
    clicker = StreamlitSession(base_url, "w4=2.5")
    await clicker.connect(60)
    await clicker.open(120)
    await click_through(clicker, 5, args.think, 60)  # warm: the page's caches and imports
    idle = await click_through(clicker, args.clicks, args.think, 60)

    students = [ExportingStudent(base_url, f"w4={2.61 + i / 100:.2f}") for i in range(args.exporters)]
    for student in students:
        await student.connect(60)
        await student.open(120)
    rss_start = tree_rss_mb(pid)
    export_started = time.monotonic()
    exports = [asyncio.create_task(student.export(args.size, args.tween, args.timeout)) for student in students]
    loaded: list[float] = []
    loaded_at: list[float] = []  # when each loaded click was answered, s after the exports started
    finished_at: dict[int, float] = {}  # export -> when it finished, s after the exports started
    for index, task in enumerate(exports):
        task.add_done_callback(lambda _, i=index: finished_at.setdefault(i, time.monotonic() - export_started))
    while not all(task.done() for task in exports):  # click for as long as exports run
        loaded += await click_through(clicker, 1, args.think, 60)
        loaded_at.append(time.monotonic() - export_started)
    export_seconds = [task.result() if task.exception() is None else f"failed: {task.exception()}"
                      for task in exports]
    exporting_for = time.monotonic() - export_started
    await asyncio.sleep(args.settle)
    for session in (clicker, *students):
        await session.close()
    await asyncio.sleep(2)
    for member in _tree(pid):
        try:
            with open(f"/proc/{member}/status") as status:
                rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024
            with open(f"/proc/{member}/cmdline", "rb") as cmdline:
                command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")[:90]
            print(f"  after: pid {member} {rss:.0f} MB  {command}")
        except (OSError, StopIteration):
            pass
    return {"idle": idle, "loaded": loaded, "loaded_at": loaded_at, "finished_at": sorted(finished_at.values()),
            "exports": export_seconds, "exporting_for": exporting_for,
            "rss_start": rss_start, "rss_after": tree_rss_mb(pid)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exporters", type=int, default=10)
    parser.add_argument("--clicks", type=int, default=30, help="idle clicks (loaded: as many as the exports last)")
    parser.add_argument("--think", type=float, default=0.5)
    parser.add_argument("--settle", type=float, default=20.0, help="seconds after the exports before RSS is read")
    parser.add_argument("--size", default="1920 × 1080 (Full HD)")
    parser.add_argument("--tween", type=int, default=30, help="capped at the most the panel offers")
    parser.add_argument("--timeout", type=float, default=1800.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, StreamlitServer(os.path.join(folder, "streamlit.log")) as server:
        pid = server.process.pid
        timeline = RssTimeline(pid)
        timeline.start()
        rss_boot = tree_rss_mb(pid)
        try:
            found = asyncio.run(run(server.url, args, timeline, pid))
        except KeyboardInterrupt:  # cut short: what was measured so far
            timeline.stop()
            print(f"interrupted after {timeline.samples[-1][0]:.0f} s; RSS of the server's process tree: boot "
                  f"{rss_boot:.0f} MB, peak so far {timeline.peak():.0f} MB, now {tree_rss_mb(pid):.0f} MB; "
                  f"every 10 s: {' '.join(f'{mb:.0f}' for mb in timeline.every(10))}")
            return 1
        finally:
            timeline.stop()
        log = server.log()
    idle_p95, loaded_p95 = percentile(found["idle"], 0.95), percentile(found["loaded"], 0.95)
    ratio = loaded_p95 / idle_p95
    peak = timeline.peak()
    back = found["rss_after"] - found["rss_start"]
    print(f"{args.exporters} exports of {args.size}, tween up to {args.tween}, all at once; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(f"click idle:   n={len(found['idle'])} p50 {statistics.median(found['idle']) * 1000:.0f} ms, "
          f"p95 {idle_p95 * 1000:.0f} ms")
    print(f"click loaded: n={len(found['loaded'])} p50 {statistics.median(found['loaded']) * 1000:.0f} ms, "
          f"p95 {loaded_p95 * 1000:.0f} ms  -> {ratio:.2f}x idle (target <= {TARGET_RATIO}x)")
    slowest = sorted(zip(found["loaded"], found["loaded_at"]), reverse=True)[:max(1, len(found["loaded"]) // 20)]
    finishes = found["finished_at"] or [float("inf")]
    print("  its slowest 5%: " + ", ".join(
        f"{seconds * 1000:.0f} ms at {at:.0f} s ({min(finishes, key=lambda f: abs(f - at)) - at:+.1f} s to the "
        f"nearest export's end)" for seconds, at in slowest))
    made = [seconds for seconds in found["exports"] if not isinstance(seconds, str)]
    failed = [seconds for seconds in found["exports"] if isinstance(seconds, str)]
    print(f"exports: all done after {found['exporting_for']:.0f} s; {len(made)} made, each "
          f"{min(made, default=0):.0f}-{max(made, default=0):.0f} s from its click; {len(failed)} failed")
    for failure in failed:
        print(f"  {failure}")
    print(f"RSS of the server's process tree: boot {rss_boot:.0f} MB, before the exports {found['rss_start']:.0f} MB,"
          f" peak {peak:.0f} MB (target <= {TARGET_PEAK_MB}), {args.settle:g} s after {found['rss_after']:.0f} MB "
          f"({back:+.0f} MB, target within {TARGET_RETURN_MB})")
    if "Traceback" in log:
        print("the server log holds a traceback:\n" + log[-3000:])
    ok = (not failed and ratio <= TARGET_RATIO and peak <= TARGET_PEAK_MB and abs(back) <= TARGET_RETURN_MB
          and "Traceback" not in log)
    print("all targets met" if ok else "a target was missed")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
