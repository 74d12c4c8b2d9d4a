"""The test server: `streamlit run` (arguments as given), with every thread's Python stack written to the server's
log when the process gets SIGUSR1. A browser test that fails asks for it (conftest.py), so the report shows what
each session's script thread was doing at that moment: a run stuck on a lock, in torch, or not running at all."""

import faulthandler
import signal
import sys

if __name__ == "__main__":        # never on import (pytest's doctest collection imports every module)
    faulthandler.register(signal.SIGUSR1, file=sys.stderr, all_threads=True)
    from streamlit.web.cli import main
    main(prog_name="streamlit")
