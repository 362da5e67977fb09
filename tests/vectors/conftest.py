"""Locate the test vectors (tests/fixtures/vectors, vendored) and parametrise over them.

A test marked ``@pytest.mark.vector_cases(file, key, ...)`` receives each element of that JSON
list as ``case``. A missing vectors folder fails collection: skipping would hide lost coverage.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

VECTORS = Path(__file__).resolve().parents[1] / "fixtures" / "vectors"


@cache
def load_vector_file(name: str) -> Any:
    """Parsed JSON of one vector file, read once per session."""
    path = VECTORS / name
    if not path.is_file():
        raise pytest.UsageError(f"test vectors missing: {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "vector_cases(file, *keys): parametrise `case` over a list in a vector file"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("vector_cases")
    if marker is None:
        return
    file, *keys = marker.args
    cases = load_vector_file(file)
    for key in keys:
        cases = cases[key]
    ids = [str(case.get("name") or case.get("id") or index) for index, case in enumerate(cases)]
    metafunc.parametrize("case", cases, ids=ids)


@pytest.fixture(scope="session")
def vectors_dir() -> Path:
    """The shared vectors folder (``tests/fixtures/vectors``)."""
    if not VECTORS.is_dir():
        pytest.fail(f"test vectors missing: {VECTORS}")
    return VECTORS


@pytest.fixture(scope="session")
def vector(vectors_dir: Path) -> Callable[[str], Any]:
    """Loader: ``vector("cavage-appendix-c.json")`` returns the parsed file."""
    return load_vector_file
