{
    'name': 'Rakuten France Connector',
    'version': '19.0.1.0.0',
    'category': 'Sales/Sales',
    'summary': 'Sell on Rakuten France (ex-PriceMinister): orders, acceptance, despatch and stock sync',
    'description': ' ',  # Non-empty string to avoid loading the README file.
    'depends': ['sale_stock', 'stock_delivery'],
    'external_dependencies': {'python': ['requests', 'lxml']},
    'data': [],
    'author': 'rakuten_connector developers',
    'license': 'LGPL-3',
    'installable': True,
    'application': False,
}
