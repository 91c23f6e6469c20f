"""`python -m server …` is the `yichuang` command."""

import sys

from server.cli import main

sys.exit(main())
