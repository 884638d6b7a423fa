"""Upgrade to 19.0.1.3.0: replies written in Odoo are sent by a job and carry a sending state. Those of the
previous version went to Rakuten from the button: they are sent (and were posted on their order). Messages
received before the upgrade are not asked again to be answered (only new ones raise an activity)."""


def migrate(cr, version):
    cr.execute("""
        UPDATE rakuten_message SET send_state = 'sent'
         WHERE sent_from_odoo AND send_state IS NULL
    """)
    cr.execute("UPDATE rakuten_message SET answer_asked = TRUE WHERE direction = 'in' AND answer_asked IS NOT TRUE")
