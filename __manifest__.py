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
        'views/rakuten_stock_views.xml',
        'views/res_config_settings_views.xml',
        'views/stock_warehouse_views.xml',
        'views/product_views.xml',
        'views/delivery_carrier_views.xml',
        'views/sale_order_views.xml',
        'views/stock_picking_views.xml',
        'wizard/rakuten_tracking_warning_views.xml',
    ],
    'assets': {
        'web.assets_tests': [
            'rakuten_connector/static/tests/tours/**/*',
        ],
    },
    'author': 'rakuten_connector developers',
    # No public home of its own yet: Rakuten France's pages for developers, which document the seller web
    # services the module uses. To be replaced by the repository's address once it is published.
    'website': 'https://global.fr.shopping.rakuten.com/developpeur/',
    'license': 'LGPL-3',
    'installable': True,
    'application': False,
}
