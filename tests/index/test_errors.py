"""index/errors.py: keyed errors keep their English message, key and parameters."""

from __future__ import annotations

import pickle

import pytest

from index.errors import ErrorDetail, KeyedError
from index.results import IngestResult
from index.sources import SourceError
from index.store.errors import StoreError, StoreUnavailableError


@pytest.mark.parametrize("kind", [KeyedError, SourceError, StoreError, StoreUnavailableError])
def test_keyed_errors_pickle_with_key_and_params(kind: type[KeyedError]) -> None:
    error = kind("a.txt is empty", key="empty", params={"name": "a.txt"})
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), str(copy), copy.key, copy.params) == (
        kind,
        "a.txt is empty",
        "empty",
        {"name": "a.txt"},
    )
    assert copy.detail() == ErrorDetail("a.txt is empty", "empty", {"name": "a.txt"})
    assert copy.detail("first line").message == "first line"


def test_an_error_without_a_key_is_plain_english() -> None:
    error = StoreError("something went wrong")
    assert (error.key, error.params, error.detail()) == (
        None,
        {},
        ErrorDetail("something went wrong"),
    )


def test_ingest_result_failure_takes_key_and_params_from_the_error() -> None:
    keyed = IngestResult.failure("a", SourceError("a is empty", key="empty", params={"name": "a"}))
    assert (keyed.status, keyed.error, keyed.error_key, keyed.error_params) == (
        "failed",
        "a is empty",
        "empty",
        {"name": "a"},
    )
    assert keyed.error_detail == ErrorDetail("a is empty", "empty", {"name": "a"})
    plain = IngestResult.failure("a", "no standard input to read")
    assert (plain.error_key, plain.error_params) == (None, {})
    assert isinstance(hash(keyed), int)  # still hashable: the parameters are not hashed
