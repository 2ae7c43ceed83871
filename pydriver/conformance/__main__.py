"""``python -m pydriver.conformance``: the conformance suite (``make conformance``)."""

import sys

from .suite import main

sys.exit(main())
