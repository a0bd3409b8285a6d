"""`python -m bench.reliability`: the fault suite."""

import sys

from bench.reliability.suite import main

sys.exit(main())
