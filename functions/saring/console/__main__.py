"""`python -m saring.console --graphql URL`: the config.json the deploy uploads."""

import sys

from saring.console import main

sys.exit(main())
