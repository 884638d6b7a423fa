"""The values populate.py writes in the previous release and check.py looks for after the upgrade."""

NAMES = {
    'company_a': 'Upgrade Shop A',
    'company_b': 'Upgrade Shop B',
    'seller_a': 'SELLER-A-1001',
    'seller_b': 'SELLER-B-2002',
    'user_b': 'upgrade-user-b',
    'carrier': 'Upgrade Colissimo',
    'tracking_url': 'https://www.laposte.fr/outils/suivre-vos-envois?code=',
    'shared_buyer': 'Acheteur Partagé',
    'buyer_b': 'Acheteur B',
    'purchase_shared_a': '710000001',
    'purchase_shared_b': '710000002',
    'purchase_b': '710000003',
    'purchase_waiting': '710000004',
    'advert': '5500001',
    'stock_file': 'FILE-8800001',
    'mail': '2900000777',
}

# The job statuses kept on the company before 19.0.1.2.0 (old column: value), per company.
COMPANY_STATUS = {
    'a': {
        'rakuten_import_state': 'failed', 'rakuten_import_message': 'Quota atteint (A)',
        'rakuten_import_date': '2026-11-20 08:10:00', 'rakuten_last_order_sync': '2026-11-20 08:00:00',
        'rakuten_stock_message': '3 SKU publiés (A)', 'rakuten_stock_date': '2026-11-20 08:20:00',
        'rakuten_aftersales_state': 'ok', 'rakuten_aftersales_message': None,
        'rakuten_aftersales_date': '2026-11-20 08:30:00',
    },
    'b': {
        'rakuten_import_state': 'ok', 'rakuten_import_message': None,
        'rakuten_import_date': '2026-11-21 09:10:00', 'rakuten_last_order_sync': '2026-11-21 09:00:00',
        'rakuten_stock_message': None, 'rakuten_stock_date': None,
        'rakuten_aftersales_state': 'failed', 'rakuten_aftersales_message': 'Jeton refusé (B)',
        'rakuten_aftersales_date': '2026-11-21 09:30:00',
    },
}

# The Rakuten state of a product published by company A (the first company with the integration on).
PRODUCT_STATE = {
    'rakuten_advert_ref': '5500001',
    'rakuten_listing_state': 'active',
    'rakuten_published_qty': 7,
    'rakuten_published_date': '2026-11-20 08:20:00',
    'rakuten_push_result': 'OK',
}

# Scheduled actions as an administrator changed them: kept by the upgrade.
ADMIN_CRONS = {
    'ir_cron_rakuten_import': {'interval_number': 25},
    'ir_cron_rakuten_despatch': {'active': False},
    'ir_cron_rakuten_stock': {'interval_number': 2, 'interval_type': 'hours', 'name': 'Stock Rakuten (admin)'},
    'ir_cron_rakuten_aftersales': {'interval_number': 45},
}
# The scheduled actions of data/ir_cron_data.xml and data/ir_cron_aftersales.xml (all noupdate files).
CRONS = ['ir_cron_rakuten_import', 'ir_cron_rakuten_despatch', 'ir_cron_rakuten_cancel', 'ir_cron_rakuten_invoice',
         'ir_cron_rakuten_stock', 'ir_cron_rakuten_aftersales', 'ir_cron_rakuten_reply']
