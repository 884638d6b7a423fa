"""The linters of the pre-commit configuration, clean: pylint-odoo's Odoo checks (.pylintrc) and ruff (ruff.toml)."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run(*command):
    return subprocess.run([sys.executable, '-m', *command], cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_is_clean():
    pytest.importorskip('ruff')
    result = _run('ruff', 'check', '--no-cache', '--output-format', 'concise', '.')
    assert result.returncode == 0, result.stdout + result.stderr


def test_pylint_odoo_is_clean():
    pytest.importorskip('pylint_odoo')
    # From outside the addon, as pre-commit runs it on the repository (the addon is the repository).
    result = subprocess.run([sys.executable, '-m', 'pylint', f'--rcfile={ROOT}/.pylintrc', '--score=n', ROOT],
                            cwd=os.path.dirname(ROOT), capture_output=True, text=True, check=False)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr
