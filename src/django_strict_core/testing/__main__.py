"""``python -m django_strict_core.testing NAME=HOST:PORT ...``: fault proxies in a process."""

import sys

from django_strict_core.testing.process import main

sys.exit(main())
