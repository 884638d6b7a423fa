import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools import file_path
from odoo.tools.translate import TranslationModuleReader

from ..rakuten_connector import AuthError


@tagged('post_install', '-at_install')
class TestFrench(TransactionCase):
    """Our users are French sellers: every term of the module has a French translation."""

    def test_every_term_is_translated(self):
        terms = {source for _module, _type, _name, _res_id, source, _value, _comments
                 in TranslationModuleReader(self.env.cr, modules=['rakuten_connector'])}
        french = {entry.msgid: entry.msgstr for entry in polib.pofile(file_path('rakuten_connector/i18n/fr.po'))}
        self.assertGreater(len(terms), 100, "the reader found the module's terms")
        missing = sorted(term for term in terms if not french.get(term))
        self.assertFalse(missing, f"Terms without French translation in i18n/fr.po: {missing}")

    def test_every_screen_term_is_tied_to_its_record(self):
        """Odoo loads a view's, field's or menu's translation only for the records fr.po names next to the
        term: a term present for one view but not for another stays in English on that other screen."""
        french = {entry.msgid: {occurrence for occurrence, _line in entry.occurrences}
                  for entry in polib.pofile(file_path('rakuten_connector/i18n/fr.po'))}
        untied = sorted(f'{kind}:{name}:{res_id} "{source}"' for _module, kind, name, res_id, source, _value, _comments
                        in TranslationModuleReader(self.env.cr, modules=['rakuten_connector'])
                        if kind in ('model', 'model_terms') and f'{kind}:{name}:{res_id}' not in french.get(source, ()))
        self.assertFalse(untied, f"Terms of these records are missing from i18n/fr.po: {untied}")

    def test_messages_read_in_french(self):
        self.env['res.lang']._activate_lang('fr_FR')
        self.env['ir.module.module']._load_module_terms(['rakuten_connector'], ['fr_FR'], overwrite=True)
        company = self.env.company.with_context(lang='fr_FR')
        self.assertIn('nom de votre boutique', company._rakuten_error_message(AuthError('Unknown user')))
        field = self.env['ir.model.fields']._get('res.company', 'rakuten_login').with_context(lang='fr_FR')
        self.assertEqual(field.field_description, 'Identifiant Rakuten')
