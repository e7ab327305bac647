import os
import sys

# Tests import the package and the page from the repository root.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

# Once the tests have run, the process must exit. A leftover thread or child that blocks exit would otherwise hang
# the run silently until CI's limit: instead, after this long every thread's stack is printed and the run fails.
# Only when pytest is the program (`python -m pytest` or `pytest`), so a session that called pytest.main() lives on.
EXIT_LIMIT_S = 300


def launched_by_the_pytest_command() -> bool:
    main = sys.modules.get("__main__")
    module = getattr(getattr(main, "__spec__", None), "name", "") or ""
    script = os.path.basename(getattr(main, "__file__", "") or "")
    return module.split(".")[0] == "pytest" or script in ("pytest", "py.test")


def pytest_unconfigure(config):
    import faulthandler

    if launched_by_the_pytest_command():
        faulthandler.dump_traceback_later(EXIT_LIMIT_S, exit=True)
