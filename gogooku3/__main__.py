"""``python -m gogooku3``: the same as the ``gogooku3`` command."""

import sys

from gogooku3.cli import main

sys.exit(main())
