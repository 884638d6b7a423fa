{
    'name': 'Rakuten France Connector',
    'version': '19.0.1.0.0',
    'category': 'Sales/Sales',
    'summary': 'Sell on Rakuten France (ex-PriceMinister): orders, acceptance, despatch and stock sync',
    'description': ' ',  # Non-empty string to avoid loading the README file.
    'depends': ['sale_stock', 'stock_delivery'],
    'external_dependencies': {'python': ['requests', 'lxml']},
    'data': [
        'security/ir.model.access.csv',
        'security/rakuten_security.xml',
        'data/rakuten_transporter_data.xml',
        'data/ir_cron_data.xml',
        'views/rakuten_sale_views.xml',
        'views/rakuten_transporter_views.xml',
        'views/rakuten_shipping_mapping_views.xml',
        'views/res_config_settings_views.xml',
        'views/stock_warehouse_views.xml',
        'views/product_views.xml',
        'views/delivery_carrier_views.xml',
        'views/sale_order_views.xml',
    ],
    'assets': {
        'web.assets_tests': [
            'rakuten_connector/static/tests/tours/**/*',
        ],
    },
    'author': 'rakuten_connector developers',
    'license': 'LGPL-3',
    'installable': True,
    'application': False,
}
