import sys

from seed.cli import main

sys.exit(main())
