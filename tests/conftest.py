import os
import sys

# Tests import the package and the page from the repository root.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

# Once the tests have run, the process must exit. A leftover thread or child that blocks exit would otherwise hang
# the run silently until CI's limit: instead, after this long every thread's stack is printed and the run fails.
EXIT_LIMIT_S = 300


def pytest_unconfigure(config):
    import faulthandler

    faulthandler.dump_traceback_later(EXIT_LIMIT_S, exit=True)
