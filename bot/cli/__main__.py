"""``python -m bot.cli``: the same as the ``tanyaberita`` command."""

import sys

from bot.cli.parser import main

sys.exit(main())
