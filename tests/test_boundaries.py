"""Architecture rules that must not erode."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_index_never_imports_telegram_or_bot() -> None:
    offenders = {
        str(p.relative_to(ROOT)): sorted(_imported_modules(p) & {"telegram", "bot"})
        for p in (ROOT / "index").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_each_wrapped_library_is_imported_by_one_module() -> None:
    owners: dict[str, set[str]] = {"Sastrawi": set(), "rank_bm25": set(), "feedparser": set()}
    for path in list((ROOT / "index").rglob("*.py")) + list((ROOT / "bot").rglob("*.py")):
        for lib in owners.keys() & _imported_modules(path):
            owners[lib].add(path.name)
    assert owners == {
        "Sastrawi": {"stemmer.py"},
        "rank_bm25": {"bm25.py"},
        "feedparser": {"feedparse.py"},
    }


def _project_imports(path: Path, *, type_checking: bool = True) -> set[str]:
    """The project modules ``path`` imports (full dotted names), wherever the import stands:
    inside a function or under ``TYPE_CHECKING`` counts too — unless ``type_checking`` is
    False, which leaves out the imports under ``if TYPE_CHECKING:`` (type names only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    if not type_checking:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
                node.body = []
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {name for name in names if name.split(".")[0] in {"index", "bot"}}


def test_the_store_never_imports_the_service() -> None:
    offenders = {
        str(p.relative_to(ROOT)): sorted(_project_imports(p) & {"index.service"})
        for p in (ROOT / "index" / "store").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_result_types_import_nothing_of_the_project_but_the_error_vocabulary() -> None:
    # Any module can name the result types (and errors) without an import cycle.
    assert _project_imports(ROOT / "index" / "results.py") == {"index.errors"}
    assert _project_imports(ROOT / "index" / "errors.py") == set()


def test_the_cli_and_the_bot_open_the_service_in_one_place() -> None:
    # Everything else names the service class only for type checking, or the result types
    # (``index.results``) or the protocol (``bot.services``), so that a change to the
    # service's internals, or to how it is opened, stays in one place.
    users = sorted(
        str(p.relative_to(ROOT))
        for p in (ROOT / "bot").rglob("*.py")
        if "index.service" in _project_imports(p, type_checking=False)
    )
    assert users == ["bot/cli/service.py"]


def test_the_type_checking_filter_drops_only_type_checking_imports(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "from index.results import Stats\n"
        "if TYPE_CHECKING:\n"
        "    from index.service import QAService\n",
        encoding="utf-8",
    )
    assert _project_imports(module) == {"index.results", "index.service"}
    assert _project_imports(module, type_checking=False) == {"index.results"}


def test_benchmarks_never_import_tests() -> None:
    """benchmarks/ runs from a checkout without pytest's tree: what it shares with the tests
    (real processes, the Bot API emulator client) lives in benchmarks/ and tests import it."""
    offenders = sorted(
        str(p.relative_to(ROOT))
        for p in (ROOT / "benchmarks").rglob("*.py")
        if "tests" in _imported_modules(p)
    )
    assert offenders == []
