import importlib.util

from odoo.tests import TransactionCase, tagged
from odoo.tools import file_path
from odoo.tools.sql import column_exists, rename_column


def _migration(name, version='19.0.1.3.0'):
    path = file_path(f'rakuten_connector/migrations/{version}/{name}.py')
    spec = importlib.util.spec_from_file_location(f'rakuten_connector_migration_{name.replace("-", "_")}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.migrate


@tagged('post_install', '-at_install')
class TestMessageMigration(TransactionCase):
    """Upgrade to 19.0.1.3.0 on a database of 19.0.1.2.0 (its schema put back in this transaction)."""

    def test_mail_id_becomes_mail_ref_and_keeps_the_mail_ids(self):
        cr = self.env.cr
        company = self.env.company
        aftersale = self.env['rakuten.aftersale'].create({'company_id': company.id, 'itemid': '9000000001'})
        received = self.env['rakuten.message'].create({'aftersale_id': aftersale.id, 'channel': 'mail',
                                                       'key': 'mail:2900000001', 'body': 'Preuve de dépôt ?'})
        replied = self.env['rakuten.message'].create({'aftersale_id': aftersale.id, 'channel': 'message',
                                                      'direction': 'out', 'sent_from_odoo': True, 'posted': True,
                                                      'body': 'Bonjour'})
        self.env.flush_all()
        # The schema and data of 19.0.1.2.0: the column mail_id, no sending state.
        rename_column(cr, 'rakuten_message', 'mail_ref', 'mail_id')
        cr.execute("UPDATE rakuten_message SET mail_id = '2900000001', send_state = NULL, answer_asked = NULL")
        cr.execute("UPDATE ir_model_fields SET name = 'mail_id' WHERE model = 'rakuten.message' AND name = 'mail_ref'")
        cr.execute("""UPDATE ir_model_data SET name = 'field_rakuten_message__mail_id'
                       WHERE module = 'rakuten_connector' AND name = 'field_rakuten_message__mail_ref'""")
        _migration('pre-message-mail-ref')(cr, '19.0.1.2.0')
        self.assertFalse(column_exists(cr, 'rakuten_message', 'mail_id'))
        cr.execute('SELECT id, mail_ref FROM rakuten_message WHERE id IN %s ORDER BY id', [(received.id, replied.id)])
        self.assertEqual(cr.fetchall(), [(received.id, '2900000001'), (replied.id, '2900000001')])
        self.assertTrue(self.env.ref('rakuten_connector.field_rakuten_message__mail_ref').name == 'mail_ref')
        _migration('post-message-replies')(cr, '19.0.1.2.0')
        self.env.invalidate_all()
        self.assertEqual(replied.send_state, 'sent', "a reply of the previous version went out from its button")
        self.assertFalse(received.send_state)
        self.assertTrue(received.answer_asked, "messages received before the upgrade raise no activity")
        self.assertFalse(replied.answer_asked)
        self.assertEqual(received.mail_ref, '2900000001')
