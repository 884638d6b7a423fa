"""scripts/install-odoo: how it reads its SOURCE argument, and that it does nothing where Odoo 19 is there."""
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / 'scripts' / 'install-odoo'
ODOO_REPO = 'https://github.com/odoo/odoo.git'


def _parse(source):
    result = subprocess.run(['bash', str(SCRIPT), '--parse-source', source], capture_output=True, text=True,
                            check=True)
    return tuple(result.stdout.rstrip('\n').split('\t'))


@pytest.mark.parametrize('source, expected', [
    ('', ('git', ODOO_REPO, '19.0')),
    (ODOO_REPO, ('git', ODOO_REPO, '19.0')),
    (f'{ODOO_REPO}@saas-19.1', ('git', ODOO_REPO, 'saas-19.1')),
    ('git@github.com:odoo/odoo.git', ('git', 'git@github.com:odoo/odoo.git', '19.0')),
    ('git@github.com:odoo/odoo.git@19.0', ('git', 'git@github.com:odoo/odoo.git', '19.0')),
    ('https://me@git.example.org/odoo.git', ('git', 'https://me@git.example.org/odoo.git', '19.0')),
    ('ssh://git@git.example.org/odoo.git@my-branch', ('git', 'ssh://git@git.example.org/odoo.git', 'my-branch')),
    ('file:///srv/odoo.git', ('git', 'file:///srv/odoo.git', '19.0')),
])
def test_git_sources(source, expected):
    assert _parse(source) == expected


def test_a_folder_is_installed_in_place(tmp_path):
    assert _parse(str(tmp_path)) == ('folder', str(tmp_path), '')
    assert _parse(f'{tmp_path}/../{tmp_path.name}') == ('folder', str(tmp_path), ''), "an absolute, clean path"


def test_anything_else_is_refused_with_its_reason(tmp_path):
    kind, location, reason = _parse(str(tmp_path / 'missing'))
    assert (kind, location) == ('error', str(tmp_path / 'missing'))
    assert 'neither a folder nor a git URL' in reason


def test_a_second_run_where_odoo_19_is_importable_does_nothing():
    try:
        import odoo.release  # noqa: PLC0415
    except ImportError:
        pytest.skip('Odoo is not installed on this machine')
    if odoo.release.version_info[0] != 19:
        pytest.skip('another Odoo')
    result = subprocess.run(['bash', str(SCRIPT), '/nonexistent'], capture_output=True, text=True,
                            env={'PATH': '/usr/bin:/bin', 'PYTHON': sys.executable})
    assert result.returncode == 0, result.stderr
    assert 'already importable' in result.stdout
