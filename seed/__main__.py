"""``python -m seed``: a shortcut for ``tableforge seed``."""

import sys

from seed.cli import main

sys.exit(main())
