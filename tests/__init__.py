# Odoo's test modules load only inside Odoo (as odoo.addons.rakuten_connector.tests): tests/unit/ holds
# the Odoo-free library tests, which pytest collects through this same package.
if __name__.startswith('odoo.addons.'):
    from . import test_company_client
    from . import test_despatch
    from . import test_multi_company
    from . import test_french
    from . import test_i18n
    from . import test_import_concurrency
    from . import test_lifecycle
    from . import test_mappings
    from . import test_order_import
    from . import test_price_sync
    from . import test_settings
    from . import test_stock_sync
    from . import test_taxes
    from . import test_tours
    from . import test_aftersales
    from . import test_aftersales_concurrency
    from . import test_aftersales_tour
    from . import test_message_migration
    from . import test_message_answer
    from . import test_claims_french
    from . import test_jobs
    from . import test_ledger
    from . import test_ledger_stateful
    from . import test_rights
    from . import test_overview
