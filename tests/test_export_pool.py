"""relunet.export.pool: one bounded, shared, self-healing pool of export workers."""

import os
import pickle
import signal
import threading
import time

import pool_jobs
import pytest

from relunet.export.pool import ExportFailed, ExportPool

WAIT_S = 120  # far beyond any job here: reaching it means a hang


@pytest.fixture
def pool():
    made = []

    def make(**options):
        made.append(ExportPool(**options))
        return made[-1]

    yield make
    for each in made:
        each.shutdown()


def test_the_same_request_renders_once_for_every_session(pool, tmp_path):
    shared = pool(workers=2)
    log = tmp_path / "runs.log"
    tickets = []
    threads = [threading.Thread(target=lambda: tickets.append(shared.submit(pool_jobs.pid_after, (0.5, str(log)))))
               for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(ticket) for ticket in tickets}) == 1
    results = {ticket.result(timeout=WAIT_S) for ticket in tickets}
    assert len(results) == 1 and len(log.read_text().splitlines()) == 1
    # Asked again after it was made: the same bytes, no new run.
    assert shared.submit(pool_jobs.pid_after, (0.5, str(log))).result(timeout=WAIT_S) in results
    assert len(log.read_text().splitlines()) == 1


def test_waiting_requests_know_their_place_and_at_most_workers_run_at_once(pool, tmp_path):
    shared = pool(workers=2)
    log = tmp_path / "runs.log"
    tickets = [shared.submit(pool_jobs.pid_after, (0.6 + n / 1000, str(log)))
               for n in range(5)]
    assert [ticket.position() for ticket in tickets] == [0, 0, 1, 2, 3]
    for ticket in tickets:
        ticket.result(timeout=WAIT_S)
    assert [ticket.position() for ticket in tickets] == [0] * 5
    spans = [tuple(map(float, line.split()[1:])) for line in log.read_text().splitlines()]
    assert len(spans) == 5
    for start, _ in spans:  # at any start, at most two jobs are running
        assert sum(1 for s, e in spans if s <= start < e) <= 2


def test_progress_comes_back_from_the_worker(pool):
    ticket = pool(workers=1).submit(pool_jobs.pid_after, 1.0)
    seen = set()
    while not ticket.wait(0.05):
        seen.add(ticket.progress())
    assert seen & {(1, 4), (2, 4), (3, 4), (4, 4)}


def test_each_worker_process_is_recycled_after_its_exports(pool):
    shared = pool(workers=1, max_tasks_per_child=1)
    pids = {shared.submit(pool_jobs.pid_after, 0.1 + n / 1000).result(timeout=WAIT_S) for n in range(3)}
    assert len(pids) == 3


def test_a_worker_that_dies_is_retried_once(pool, tmp_path):
    assert pool(workers=1).submit(pool_jobs.dies_once, str(tmp_path / "m")).result(WAIT_S) == b"second time lucky"


def test_a_worker_killed_while_reporting_progress_leaves_the_pool_working(pool, tmp_path):
    """Killed while its progress reports were still on their way to the server, a worker must not take
    the channel down with it: later workers report progress and exit, and later jobs run."""
    shared = pool(workers=1, max_tasks_per_child=1)
    retried = shared.submit(pool_jobs.floods_progress_then_dies_once, str(tmp_path / "m"))
    assert retried.result(WAIT_S) == b"made"
    after = shared.submit(pool_jobs.pid_after, 0.2)
    assert after.result(WAIT_S)
    deadline = time.monotonic() + WAIT_S
    while after.progress() != (4, 4) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert after.progress() == (4, 4)


def test_a_worker_that_always_dies_fails_in_one_line(pool):
    with pytest.raises(ExportFailed) as failed:
        pool(workers=1).submit(pool_jobs.always_dies, None).result(WAIT_S)
    assert "stopped unexpectedly" in str(failed.value) and "\n" not in str(failed.value)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_pool_whose_own_thread_dies_is_replaced_and_its_job_retried(pool, monkeypatch):
    """The standard library's pool starts each recycled worker's successor from its own thread; if that
    start fails (in a live server, after this module is reloaded the old worker class no longer pickles),
    the thread dies, and nothing else would hand the next job to a worker until the job's timeout."""
    from relunet.export import pool as pool_module

    shared = pool(workers=1, max_tasks_per_child=1, job_timeout_s=WAIT_S * 10)
    first = shared.submit(pool_jobs.pid_after, 0.5)
    start, failures = pool_module._WorkerProcess._Popen, []

    def fails_once(process):
        if not failures:
            failures.append(process)
            raise pickle.PicklingError("Can't pickle the worker: it's not the same object")
        return start(process)

    monkeypatch.setattr(pool_module._WorkerProcess, "_Popen", staticmethod(fails_once))
    second = shared.submit(pool_jobs.pid_after, 0.1)  # waits for the only worker, which then leaves
    began = time.monotonic()
    assert first.result(WAIT_S) and second.result(WAIT_S)
    assert failures, "the successor's start never failed: this test tested nothing"
    assert time.monotonic() - began < 30  # replaced within seconds, not at the job's timeout


def test_an_error_in_the_job_is_reported_and_not_retried(pool):
    shared = pool(workers=1)
    with pytest.raises(ExportFailed, match="ValueError: no such stage"):
        shared.submit(pool_jobs.raises, None).result(WAIT_S)
    assert shared.submit(pool_jobs.pid_after, 0.1).result(WAIT_S)  # the pool still works


def test_a_job_that_hangs_is_killed_and_fails(pool):
    shared = pool(workers=1, job_timeout_s=2.0)
    with pytest.raises(ExportFailed, match="stopped unexpectedly"):
        shared.submit(pool_jobs.hangs, None).result(WAIT_S)
    assert shared.submit(pool_jobs.pid_after, 0.1).result(WAIT_S)


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.2, 0.5, 0.9, 1.3])
def test_a_worker_killed_at_any_moment_means_a_retry_or_one_line(pool, delay):
    shared = pool(workers=1)
    ticket = shared.submit(pool_jobs.pid_after, 1.0)
    time.sleep(delay)
    for pid in shared.worker_pids():
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        assert ticket.result(WAIT_S).isdigit()
    except ExportFailed as failed:
        assert "\n" not in str(failed)
    assert shared.submit(pool_jobs.pid_after, 0.1).result(WAIT_S)  # and the pool goes on


def test_jobs_that_need_more_memory_than_is_left_wait_their_turn(pool, tmp_path):
    shared = pool(workers=2, memory_budget_mb=700)
    log = tmp_path / "runs.log"
    big = [shared.submit(pool_jobs.pid_after, (0.5 + n / 1000, str(log)), memory_mb=600) for n in range(2)]
    small = [shared.submit(pool_jobs.pid_after, (0.5 + n / 1000, str(log)), memory_mb=100) for n in range(2, 4)]
    assert [ticket.position() for ticket in big + small] == [0, 1, 2, 3]  # the second big job waits for memory
    for ticket in big + small:
        ticket.result(WAIT_S)
    spans = sorted(tuple(map(float, line.split()[1:])) for line in log.read_text().splitlines())
    first_end = spans[0][1]
    assert all(start >= first_end for start, _ in spans[1:])  # nothing ran beside the first big job


def start_server_with_a_long_export(then: str):
    """A stand-in server: a process whose pool runs a 10-minute export; prints the worker's pid, then runs `then`."""
    import subprocess
    import sys

    tests, root = os.path.dirname(__file__), os.path.dirname(os.path.dirname(__file__))
    script = (
        f"import sys, time; sys.path[:0] = [{tests!r}, {root!r}]\n"
        "import pool_jobs\n"
        "from relunet.export.pool import ExportPool\n"
        "pool = ExportPool(workers=1)\n"
        "ticket = pool.submit(pool_jobs.pid_after, 600.0)\n"
        "while not pool.worker_pids(): time.sleep(0.05)\n"
        "print(pool.worker_pids()[0], flush=True)\n"
        f"{then}\n"
    )
    server = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    return server, int(server.stdout.readline())


def assert_ends(worker: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{worker}/status") as status:
                if "\tZ" in next(line for line in status if line.startswith("State:")):
                    return  # ended; only its new parent has not collected it yet
        except FileNotFoundError:
            return
        time.sleep(0.1)
    os.kill(worker, signal.SIGKILL)
    pytest.fail("the worker outlived its server")


def test_a_worker_ends_when_its_server_is_killed():
    """The server killed outright (no clean-up runs): its export worker must not render on, orphaned."""
    server, worker = start_server_with_a_long_export(then="time.sleep(600)")
    server.kill()
    server.wait()
    assert_ends(worker)


def test_a_server_that_exits_does_not_wait_for_a_running_export():
    """A normal exit (the script ends, as a server's does once stopped): the export is killed, not waited for."""
    import subprocess

    server, worker = start_server_with_a_long_export(then="print('done', flush=True)")
    assert server.stdout.readline() == "done\n"
    try:
        server.wait(timeout=WAIT_S)
    except subprocess.TimeoutExpired:
        server.kill()
        os.kill(worker, signal.SIGKILL)
        pytest.fail("the exiting process waited for its export")
    assert server.returncode == 0
    assert_ends(worker)
