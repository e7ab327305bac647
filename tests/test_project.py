"""Project hygiene a newcomer and Community Cloud rely on."""

import os
import re
import subprocess
import sys

import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read(name: str) -> str:
    with open(os.path.join(ROOT, name), encoding="utf-8") as f:
        return f.read()


def fenced_commands(markdown: str, heading: str) -> list[str]:
    section = markdown.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)\n```", section, flags=re.S)


def test_ci_runs_exactly_the_readme_test_command():
    [command] = fenced_commands(read("README.md"), "Run the tests")
    ci_commands = [line for line in read(".ci/run").splitlines() if line and not line.startswith(("#", " "))]
    assert ci_commands[-1] == command


def test_readme_run_command_installs_and_starts_the_app():
    [command] = fenced_commands(read("README.md"), "Run it")
    assert "pip install -r requirements.txt" in command and command.endswith("streamlit run streamlit_app.py")


def test_community_cloud_layout():
    requirements = [line for line in read("requirements.txt").splitlines() if line and not line.startswith("#")]
    assert all(">=" in line for line in requirements), "pin lower bounds"
    assert any(line.startswith("streamlit>=1.67") for line in requirements)
    for stray in ("Pipfile", "uv.lock", "poetry.lock", "environment.yml"):
        assert not os.path.exists(os.path.join(ROOT, stray))
    config = tomllib.loads(read(".streamlit/config.toml"))
    assert set(config) <= {"theme", "browser", "client", "runner", "server"}
    assert set(config.get("server", {})) <= {"fileWatcherType"}  # no port, address or the like: Cloud sets those


def test_lint_is_clean():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", ROOT], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
