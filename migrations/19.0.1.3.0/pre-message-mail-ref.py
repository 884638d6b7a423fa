"""Upgrade to 19.0.1.3.0: ``rakuten.message.mail_id`` (a Char, Rakuten's id of a customer-service mail, named
like a Many2one) becomes ``mail_ref``: its column and its field's metadata are renamed before the update, so
that the stored mail ids are kept (the update would otherwise drop the old column and create an empty one)."""
from odoo.tools.sql import column_exists, rename_column


def migrate(cr, version):
    if not column_exists(cr, 'rakuten_message', 'mail_id') or column_exists(cr, 'rakuten_message', 'mail_ref'):
        return
    rename_column(cr, 'rakuten_message', 'mail_id', 'mail_ref')
    cr.execute("""
        UPDATE ir_model_fields SET name = 'mail_ref'
         WHERE model = 'rakuten.message' AND name = 'mail_id'
    """)
    cr.execute("""
        UPDATE ir_model_data SET name = 'field_rakuten_message__mail_ref'
         WHERE module = 'rakuten_connector' AND model = 'ir.model.fields'
           AND name = 'field_rakuten_message__mail_id'
    """)
