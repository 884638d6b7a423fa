"""After the upgrade of a database filled by populate.py: every migrated value is where the current release
expects it. Prints one line per check and "checks: N passed, N failed"; exits non-zero on a failure.

    python3 tests/upgrade/check.py --db DB --addons-path CURRENT_ADDONS
"""
# pylint: disable=print-used  # a command-line script: its output is the report
import argparse
import ast
import os
import sys
from datetime import datetime

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'scripts'))
from odoo.exceptions import AccessError, UserError
from odoo.tools.sql import column_exists
from odoo_session import environment
from values import ADMIN_CRONS, COMPANY_STATUS, CRONS, NAMES, PRODUCT_STATE

HERE = os.path.dirname(os.path.abspath(__file__))
# {job: {status field: old company column}}, as migrations/19.0.1.2.0 moves them.
JOB_COLUMNS = {
    'import': {'state': 'rakuten_import_state', 'message': 'rakuten_import_message', 'date': 'rakuten_import_date',
               'last_sync': 'rakuten_last_order_sync'},
    'stock': {'message': 'rakuten_stock_message', 'date': 'rakuten_stock_date'},
    'aftersales': {'state': 'rakuten_aftersales_state', 'message': 'rakuten_aftersales_message',
                   'date': 'rakuten_aftersales_date'},
}


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def __call__(self, name, got, expected):
        if got == expected:
            self.passed += 1
            print(f"ok    {name}")
        else:
            self.failed += 1
            print(f"FAIL  {name}: got {got!r}, expected {expected!r}")


def _date(value):
    return value and datetime.fromisoformat(value)


def check(env, check):
    with open(os.path.join(HERE, '..', '..', '__manifest__.py')) as file:
        manifest = ast.literal_eval(file.read())
    module = env['ir.module.module'].search([('name', '=', 'rakuten_connector')])
    check("module upgraded to the manifest's version", (module.state, module.latest_version),
          ('installed', manifest['version']))
    Company = env['res.company']
    company_a = Company.search([('name', '=', NAMES['company_a'])])
    company_b = Company.search([('name', '=', NAMES['company_b'])])
    companies = {'a': company_a, 'b': company_b}

    # 19.0.1.1.0: Char ids renamed *_ref, values kept.
    check("seller ids (rakuten_seller_ref)", (company_a.rakuten_seller_ref, company_b.rakuten_seller_ref),
          (NAMES['seller_a'], NAMES['seller_b']))
    sales = env['rakuten.sale'].search([('company_id', 'in', (company_a | company_b).ids)])
    check("Rakuten sales' purchase ids (purchase_ref)", sorted(sales.mapped('purchase_ref')),
          sorted(NAMES[key] for key in ('purchase_shared_a', 'purchase_shared_b', 'purchase_b', 'purchase_waiting')))
    orders = env['sale.order'].search([('rakuten_sale_id', 'in', sales.ids)])
    check("orders' purchase ids (rakuten_purchase_ref)", sorted(orders.mapped('rakuten_purchase_ref')),
          sorted(orders.mapped('rakuten_sale_id.purchase_ref')))
    check("orders' purchase ids, count", len(orders), 3)
    advert = env['rakuten.advert'].search([('company_id', '=', company_a.id)])
    check("advert id (advert_ref)", advert.mapped('advert_ref'), [NAMES['advert']])
    stock_file = env['rakuten.stock.import'].search([('company_id', '=', company_a.id)])
    check("stock file id (file_ref)", stock_file.mapped('file_ref'), [NAMES['stock_file']])
    check("stock file line's advert id (advert_ref)", stock_file.line_ids.mapped('advert_ref'), [NAMES['advert']])
    for table, old in (('rakuten_sale', 'purchase_id'), ('sale_order', 'rakuten_purchase_id'),
                       ('res_company', 'rakuten_seller_id'), ('rakuten_message', 'mail_id')):
        check(f"old column {table}.{old} gone", column_exists(env.cr, table, old), False)

    # 19.0.1.1.0: the product's Rakuten state belongs to company A (the first with the integration on).
    product = env['product.product'].search([('default_code', '=', 'UPG-MUG')])
    state_a = product.with_company(company_a).read(list(PRODUCT_STATE))[0]
    expected = dict(PRODUCT_STATE, rakuten_published_date=_date(PRODUCT_STATE['rakuten_published_date']))
    check("product's Rakuten state, company A", {key: state_a[key] for key in PRODUCT_STATE}, expected)
    check("product's Rakuten state, company B (none)",
          product.with_company(company_b).rakuten_advert_ref or False, False)
    carrier = env['delivery.carrier'].search([('name', '=', NAMES['carrier'])])
    check("carrier's Rakuten tracking URL is its Tracking Link", carrier.tracking_url, NAMES['tracking_url'])

    # 19.0.1.1.0 (and its repair in 19.0.1.3.0): a buyer of both companies stays shared; a buyer of one is its.
    Partner = env['res.partner'].with_context(active_test=False)
    shared = Partner.search([('rakuten_buyer_login', '=', 'shared-buyer')])
    only_b = Partner.search([('rakuten_buyer_login', '=', 'buyer-b')])
    check("buyer of both companies' orders stays shared (no company)", shared.company_id.name or False, False)
    check("its delivery contact too", [(c.name, c.company_id.name or False) for c in shared.child_ids],
          [('Relais Upgrade', False)])
    check("buyer of company B's orders only is company B's", only_b.company_id.name, NAMES['company_b'])
    check("its delivery contact too", [(c.name, c.company_id.name or False) for c in only_b.child_ids],
          [('Maison B', NAMES['company_b'])])
    user_b = env['res.users'].search([('login', '=', NAMES['user_b'])])
    env.invalidate_all()  # what the superuser read must not spare the user the record rules
    as_b = env(user=user_b, context={'allowed_company_ids': company_b.ids})
    seen = []
    for order in as_b['sale.order'].search([('company_id', '=', company_b.id), ('rakuten_sale_id', '!=', False)],
                                           order='rakuten_purchase_ref'):
        try:
            seen.append((order.rakuten_purchase_ref, order.partner_id.name, order.partner_shipping_id.name,
                         round(order.amount_untaxed, 2)))
            order.check_access('write')
            order.sudo()._check_company()
        except (AccessError, UserError) as error:
            seen.append((order.rakuten_purchase_ref, type(error).__name__))
    check("company B's user opens company B's orders, their customer and address", seen, [
        (NAMES['purchase_shared_b'], NAMES['shared_buyer'], 'Relais Upgrade', 69.9),
        (NAMES['purchase_b'], NAMES['buyer_b'], 'Maison B', 42.4),
    ])

    # 19.0.1.2.0: job statuses from the company columns to rakuten.job.status; the old columns dropped.
    for key, company in companies.items():
        statuses = env['rakuten.job.status'].search([('company_id', '=', company.id)])
        got = {status.job: {name: status[name] or None for name in ('state', *columns)}
               for status in statuses for job, columns in JOB_COLUMNS.items() if status.job == job}
        expected = {}
        for job, columns in JOB_COLUMNS.items():
            old = {name: COMPANY_STATUS[key][column] for name, column in columns.items()}
            if any(value is not None for name, value in old.items() if name != 'state'):
                old = {name: _date(value) if name in ('date', 'last_sync') else value for name, value in old.items()}
                old.setdefault('state', 'ok')
                expected[job] = old
        check(f"job statuses of company {key.upper()}", got, expected)
    for column in ('rakuten_import_state', 'old_rakuten_import_state', 'rakuten_stock_date',
                   'old_rakuten_aftersales_message'):
        check(f"company column {column} dropped", column_exists(env.cr, 'res_company', column), False)

    # 19.0.1.2.0: shipping per unit: a sale not yet an order is read again; orders keep their shipping.
    shipping = {sale.purchase_ref: (sale.shipping_known, sale.shipping_amount,
                                    round(sum(sale.item_ids.mapped('price')), 2)) for sale in sales}
    check("sales' shipping and units kept, the waiting sale's shipping read again", shipping, {
        NAMES['purchase_shared_a']: (True, 6.8, 57.3), NAMES['purchase_shared_b']: (True, 7.2, 69.9),
        NAMES['purchase_b']: (True, 4.9, 42.4), NAMES['purchase_waiting']: (False, 5.5, 29.8),
    })

    # 19.0.1.3.0: mail ids kept as mail_ref; replies of the previous release sent; old messages need no answer.
    messages = env['rakuten.message'].search([('company_id', '=', company_b.id)], order='id')
    check("messages: mail id (mail_ref), reply state, answer asked",
          [(m.direction, m.mail_ref, m.send_state or False, m.answer_asked) for m in messages],
          [('in', NAMES['mail'], False, True), ('out', NAMES['mail'], 'sent', False)])

    # The daily lists moved to the Rakuten menu of Sales (same external ids, nothing left in their old places),
    # set-up kept in Sales > Configuration; the overview has a card per company with the integration on.
    root = env.ref('rakuten_connector.menu_rakuten_root')
    check("daily lists in the Rakuten menu", sorted(env['ir.ui.menu'].search([('parent_id', '=', root.id)]).mapped(
        lambda menu: menu.get_external_id()[menu.id])), sorted(f'rakuten_connector.{name}' for name in (
            'menu_rakuten_overview', 'menu_rakuten_sale', 'menu_rakuten_message', 'menu_rakuten_claim',
            'menu_rakuten_despatch', 'menu_rakuten_stock_import', 'menu_rakuten_stock_import_line',
            'menu_rakuten_price_blocked')))
    check("no Rakuten list left under Sales > Orders",
          env['ir.ui.menu'].search([('parent_id', '=', env.ref('sale.sale_order_menu').id),
                                    ('name', 'ilike', 'Rakuten')]).mapped('name'), [])
    check("set-up in Sales > Configuration > Rakuten France",
          env.ref('rakuten_connector.menu_rakuten_config').child_id.mapped(
              lambda menu: menu.get_external_id()[menu.id]),
          [f'rakuten_connector.{name}' for name in ('menu_rakuten_shipping_mapping', 'menu_rakuten_transporter',
                                                     'menu_rakuten_advert', 'menu_rakuten_products_without_advert')])
    check("overview: a card per company with the integration on",
          sorted(env['rakuten.overview'].search([]).company_id.mapped('name')),
          sorted(env['res.company'].search([('rakuten_enabled', '=', True)]).mapped('name')))

    # 19.0.1.4.0: the customer-service contact named as Rakuten France names it (no one renamed it here).
    check("customer-service contact named 'Service client Rakuten'",
          env.ref('rakuten_connector.partner_rakuten_customer_service').name, 'Service client Rakuten')

    # Scheduled actions: an administrator's changes kept, external ids noupdate as on a new installation.
    for xml_id, values in ADMIN_CRONS.items():
        cron = env.ref(f'rakuten_connector.{xml_id}')
        check(f"{xml_id}: administrator's changes kept", {name: cron[name] for name in values}, values)
    env.cr.execute("""SELECT name, noupdate FROM ir_model_data WHERE module = 'rakuten_connector'
                       AND name IN %s ORDER BY name""",
                   [tuple(CRONS + [f'{name}_ir_actions_server' for name in CRONS])])
    check("scheduled actions' external ids are noupdate", dict(env.cr.fetchall()),
          {name: True for cron in CRONS for name in (cron, f'{cron}_ir_actions_server')})
    codes = {xml_id: env.ref(f'rakuten_connector.{xml_id}').code for xml_id in CRONS}
    check("scheduled actions' code", codes, {
        'ir_cron_rakuten_import': 'model._cron_import()',
        'ir_cron_rakuten_despatch': 'model._cron_rakuten_despatch()',
        'ir_cron_rakuten_cancel': 'model._cron_rakuten_cancel()',
        'ir_cron_rakuten_invoice': 'model._cron_rakuten_invoice()',
        'ir_cron_rakuten_stock': 'model._cron_rakuten_stock()',
        'ir_cron_rakuten_aftersales': 'model._cron_rakuten_aftersales()',
        'ir_cron_rakuten_reply': 'model._cron_rakuten_replies()',
    })


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--db', required=True)
    parser.add_argument('--addons-path', required=True)
    args = parser.parse_args()
    checks = Checks()
    with environment(args.db, args.addons_path) as env:
        check(env, checks)
    print(f"checks: {checks.passed} passed, {checks.failed} failed")
    sys.exit(1 if checks.failed else 0)


if __name__ == '__main__':
    main()
