"""Upgrade to 19.0.1.4.0: the author of Rakuten's customer-service mails is named as Rakuten France names it,
"Service client Rakuten" (a partner's name is not translated: the French marketplace's own name for it). A name
an administrator changed is kept."""


def migrate(cr, version):
    cr.execute("""
        UPDATE res_partner SET name = 'Service client Rakuten', complete_name = 'Service client Rakuten'
         WHERE name = 'Rakuten customer service'
           AND id IN (SELECT res_id FROM ir_model_data
                       WHERE module = 'rakuten_connector' AND name = 'partner_rakuten_customer_service')
    """)
