"""Helpers the tests share: fakes of the Bot API and fixtures' building blocks, imported as
ordinary modules (``from tests.support.bot import Harness``). The ``conftest.py`` files only
register the fixtures defined here for their folders."""
