"""`python -m relunet.export`: exit codes, one-line messages, atomic output."""

import io
import os
import stat
import subprocess
import sys

import pytest
from PIL import Image

from relunet.export import animation
from relunet.export.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAST = ["--width", "160", "--height", "90", "--tween", "0"]


def run_module(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "relunet.export", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_success_writes_a_gif_and_says_where_how_big_and_how_many_frames(tmp_path, capsys):
    out = tmp_path / "stages.gif"
    assert main(["--out", str(out), *FAST, "--hold", "1.5", "--final-hold", "4", "--w3", "-20"]) == 0
    message = capsys.readouterr().out
    gif = Image.open(out)
    assert gif.n_frames == 7 and gif.size == (160, 90)
    durations = []
    for index in range(gif.n_frames):
        gif.seek(index)
        durations.append(gif.info["duration"])
    assert durations == [1500] * 6 + [4000]
    assert str(out) in message and "7 frames" in message and f"{out.stat().st_size:,} bytes" in message
    assert [p.name for p in tmp_path.iterdir()] == ["stages.gif"]


def test_weights_change_the_picture(tmp_path):
    first, second = tmp_path / "a.gif", tmp_path / "b.gif"
    assert main(["--out", str(first), *FAST]) == 0
    assert main(["--out", str(second), *FAST, "--w4", "5", "--activation", "softplus"]) == 0
    assert first.read_bytes() != second.read_bytes()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--width", "-5"], "width must be from 160 to 1920"),
        (["--width", "abc"], "width must be a whole number"),
        (["--height", "100000"], "height must be from 90 to 1080"),
        (["--tween", "-1"], "tween must be from 0 to 30"),
        (["--tween", "2.5"], "tween must be a whole number"),
        (["--hold", "-1"], "hold must be from"),
        (["--hold", "soon"], "hold must be a number"),
        (["--final-hold", "inf"], "final hold must be a finite number"),
        (["--w1", "nan"], "w1 must be a finite number"),
        (["--b3", "1e9"], "b3 must be from -100 to 100"),
        (["--activation", "tanh"], "invalid choice"),
        (["--frames", "3"], "unrecognized arguments"),
        (["--width", "1920", "--height", "1080", "--tween", "30"], "too many frames"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, args, words):
    out = tmp_path / "x.gif"
    with pytest.raises(SystemExit) as exited:
        main(["--out", str(out), *args])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()


def test_missing_out_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exited:
        main([])
    assert exited.value.code == 2
    assert "--out" in capsys.readouterr().err


def test_missing_folder_is_reported_without_rendering(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(animation, "render_gif", lambda *a, **k: pytest.fail("rendered before checking the output"))
    assert main(["--out", str(tmp_path / "no" / "such" / "x.gif"), *FAST]) == 1
    err = capsys.readouterr().err
    assert "does not exist" in err and err.count("\n") == 1
    assert os.listdir(tmp_path) == []


def test_a_folder_as_out_is_reported(tmp_path, capsys):
    assert main(["--out", str(tmp_path), "--format", "gif", *FAST]) == 1
    err = capsys.readouterr().err
    assert "is a folder" in err and err.count("\n") == 1
    assert os.listdir(tmp_path) == []


def test_unwritable_folder_is_reported(tmp_path, capsys, monkeypatch):
    """A folder the user may not write to (simulated: tests often run as root, who may write anywhere)."""
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: str(path) != str(tmp_path) and real_access(path, mode))
    assert main(["--out", str(tmp_path / "x.gif"), *FAST]) == 1
    err = capsys.readouterr().err
    assert "no permission to write in" in err and err.count("\n") == 1
    assert os.listdir(tmp_path) == []


def test_encoder_failure_keeps_the_existing_file(tmp_path, capsys, monkeypatch):
    out = tmp_path / "talk.gif"
    out.write_bytes(b"last week's animation")

    def broken_encoder(*args, **kwargs):
        raise RuntimeError("encoder exploded")

    monkeypatch.setattr(animation, "encode_gif", broken_encoder)
    assert main(["--out", str(out), *FAST]) == 1
    err = capsys.readouterr().err
    assert "export failed" in err and "encoder exploded" in err and err.count("\n") == 1
    assert out.read_bytes() == b"last week's animation"
    assert [p.name for p in tmp_path.iterdir()] == ["talk.gif"]


def test_write_failure_keeps_the_existing_file(tmp_path, capsys, monkeypatch):
    out = tmp_path / "talk.gif"
    out.write_bytes(b"old")

    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    assert main(["--out", str(out), *FAST]) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["talk.gif"]


def test_help_reads_well():
    result = run_module("--help")
    assert result.returncode == 0
    for words in ("animated GIF", "example:", "--tween", "(default: 8)", "--hold SECONDS", "--w1", "relu"):
        assert words in result.stdout


def test_module_rejects_bad_input_without_traceback():
    result = run_module("--out", "x.gif", "--width", "wide")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "width must be a whole number" in result.stderr


def test_module_writes_the_gif(tmp_path):
    out = tmp_path / "run.gif"
    result = run_module("--out", str(out), *FAST)
    assert result.returncode == 0, result.stderr
    gif = Image.open(io.BytesIO(out.read_bytes()))
    assert gif.n_frames == 7 and gif.info["loop"] == 0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--out", ""], "--out: needs a file name"),
        (["--out", "x.gif", "--width", "-inf"], "width must be a finite number"),
        (["--out", "x.gif", "--hold", "-nan"], "hold must be a finite number"),
        (["--out", "x.gif", "--w1", "-1e9"], "w1 must be from -100 to 100"),
    ],
)
def test_messages_name_the_real_problem(tmp_path, monkeypatch, capsys, args, words):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and "expected one argument" not in err
    assert os.listdir(tmp_path) == []


def test_negative_values_in_scientific_notation_are_values(tmp_path):
    out = tmp_path / "x.gif"
    assert main(["--out", str(out), *FAST, "--w1", "-1e-3", "--b1", "-.5"]) == 0 and out.exists()


def test_a_fifo_is_refused_and_left_a_fifo(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(animation, "render_gif", lambda *a, **k: pytest.fail("rendered before checking the output"))
    fifo = tmp_path / "pipe.gif"
    os.mkfifo(fifo)
    assert main(["--out", str(fifo), *FAST]) == 1
    err = capsys.readouterr().err
    assert "is a FIFO" in err and "nothing written" in err and err.count("\n") == 1
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and os.listdir(tmp_path) == ["pipe.gif"]


def test_a_read_only_file_needs_force_and_keeps_its_mode(tmp_path, capsys):
    out = tmp_path / "final.gif"
    out.write_bytes(b"keep me")
    out.chmod(0o444)
    assert main(["--out", str(out), *FAST]) == 1
    assert "read-only; use --force" in capsys.readouterr().err and out.read_bytes() == b"keep me"
    assert main(["--out", str(out), "--force", *FAST]) == 0
    assert Image.open(out).n_frames == 7 and stat.S_IMODE(out.stat().st_mode) == 0o444


def test_dash_writes_the_gif_to_standard_output(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "relunet.export", "--out", "-", "--format", "gif", *FAST], cwd=tmp_path,
        capture_output=True, timeout=120, env={**os.environ, "PYTHONPATH": ROOT},
    )
    assert result.returncode == 0, result.stderr
    assert Image.open(io.BytesIO(result.stdout)).n_frames == 7
    assert b"Wrote standard output" in result.stderr and os.listdir(tmp_path) == []


def test_as_the_program_a_finished_export_ignores_a_late_sigterm(tmp_path):
    """Once `python -m relunet.export` has written its file, a SIGTERM before the process exits must not turn
    its exit status 0 into 143 (it did once in a full run: the defaults came back before the exit); called
    from other code, main hands the default handlers back."""
    import signal

    try:
        assert main(["--out", str(tmp_path / "a.gif"), *FAST], program=True) == 0
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_IGN
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
        assert main(["--out", str(tmp_path / "b.gif"), *FAST]) == 0
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
