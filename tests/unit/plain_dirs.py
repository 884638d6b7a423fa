"""pytest plugin: collect the addon's folders as plain directories, not packages.

The repository root is an Odoo addon (its ``__init__.py`` imports Odoo models) and ``tests/`` is Odoo's
test package. pytest would import both ``__init__.py`` files before the library tests; these tests must
run without Odoo, so the folders above ``tests/unit/`` are collected as plain directories.
"""
from pathlib import Path

import pytest

UNIT_DIR = Path(__file__).resolve().parent


def pytest_collect_directory(path, parent):
    if (path / '__init__.py').is_file() and UNIT_DIR.is_relative_to(path.resolve()):
        return pytest.Dir.from_parent(parent, path=path)
    return None
