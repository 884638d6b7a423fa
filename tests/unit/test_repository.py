"""The repository stands on its own: nothing in it points outside it, and the manifest is complete."""
import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TEXT_SUFFIXES = {'.py', '.xml', '.rst', '.md', '.cfg', '.txt', '.csv', '.js', '.po', '.sql', ''}
# Paths of the machine the project was written on, and its notes kept outside the repository.
OUTSIDE = re.compile(r'\bshared[/]|/work[/]|rakuten-fr[-]api')


def _text_files():
    for path in REPO.rglob('*'):
        parts = path.relative_to(REPO).parts
        if path.is_file() and path.suffix in TEXT_SUFFIXES and '.git' not in parts and '__pycache__' not in parts:
            yield path


def test_nothing_points_outside_the_repository():
    offenders = [
        f'{path.relative_to(REPO)}:{number}'
        for path in _text_files()
        for number, line in enumerate(path.read_text(errors='replace').splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert not offenders
    notes = (REPO / 'doc' / 'rakuten-api.md').read_text()
    for section in ('## 2.5 Errors', '## 3. Actions and versions', '## 6.1 Item statuses', '## 9. Open questions'):
        assert section in notes


def test_sections_cited_in_the_code_exist_in_the_api_notes():
    notes = (REPO / 'doc' / 'rakuten-api.md').read_text()
    headings = set(re.findall(r'^#+ (\d+(?:\.\d+)?)\.? ', notes, re.M))
    cited = {number for path in _text_files() if path.name != 'rakuten-api.md'
             for number in re.findall(r'§(\d+(?:\.\d+)?)', path.read_text(errors='replace'))}
    assert cited and cited <= headings, cited - headings


def test_manifest_has_an_icon_and_a_website():
    manifest = ast.literal_eval((REPO / '__manifest__.py').read_text())
    assert re.match(r'https://\S+$', manifest['website'])
    icon = (REPO / 'static' / 'description' / 'icon.png').read_bytes()
    assert icon[:8] == b'\x89PNG\r\n\x1a\n'
    width, height = int.from_bytes(icon[16:20], 'big'), int.from_bytes(icon[20:24], 'big')
    assert width == height >= 128


def test_translation_files_are_well_formed():
    """Parallel branches add their terms to the same files (git merges them by union): every entry must
    still be whole, once, with a French text in fr.po."""
    from babel.messages.pofile import read_po  # noqa: PLC0415 - Babel comes with Odoo's requirements
    for name in ('fr.po', 'rakuten_connector.pot'):
        text = (REPO / 'i18n' / name).read_text(encoding='utf-8')
        ids = re.findall(r'^msgid ((?:".*"\n)+)', text, re.M)
        assert len(ids) == len(set(ids)), f'{name}: a term appears twice'
        assert len(ids) == text.count('\nmsgstr ') + text.startswith('msgstr '), f'{name}: an entry lost its msgstr'
        entries = [entry for entry in text.split('\n\n')[1:] if 'msgid' in entry]
        assert all('#. module: rakuten_connector' in entry for entry in entries), f'{name}: an entry lost its module'
        with (REPO / 'i18n' / name).open('rb') as po:
            catalog = read_po(po, abort_invalid=True)
        if name == 'fr.po':
            assert all(message.string for message in catalog if message.id), 'a term has no French'
