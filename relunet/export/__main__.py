"""`python -m relunet.export`: see relunet.export.cli."""

from relunet.export.cli import main

if __name__ == "__main__":  # helper processes import this module too, and must not run the export
    raise SystemExit(main())
