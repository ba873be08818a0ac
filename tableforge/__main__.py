"""``python -m tableforge``: the same command line as the ``tableforge`` console script."""

import sys

from tableforge.cli import main

sys.exit(main(prog="python -m tableforge"))
