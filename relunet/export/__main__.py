"""`python -m relunet.export`: see relunet.export.cli."""

if __name__ == "__main__":  # helper processes import this module too, and must not run the export
    # Ctrl-C and SIGTERM are handled before the slow imports, so even an early one prints one line.
    from relunet.export.interrupts import Interrupted, held_back, install_interrupt_handlers, report

    install_interrupt_handlers()
    try:
        with held_back():
            from relunet.export.cli import main

        code = main(program=True)
    except Interrupted as interrupted:
        code = report(interrupted)
    raise SystemExit(code)
