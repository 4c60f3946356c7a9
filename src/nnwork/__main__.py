"""`python -m nnwork`: the same as the `nnwork` command."""

import sys

from nnwork.cli import main

sys.exit(main())
