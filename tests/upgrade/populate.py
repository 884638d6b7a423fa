"""Fill a database of a previous release of rakuten_connector (19.0.1.0.0 or 19.0.1.1.0) with a value in every
field that a later migration moves, renames or derives (see tests/upgrade/check.py for where each must land).

Run with the previous release's code on the addons path (scripts/upgrade-test does):
    python3 tests/upgrade/populate.py --db DB --addons-path OLD_ADDONS
What the previous release would not let the ORM write (job statuses, a state a buggy upgrade left) is written
in SQL, as that release's own code or upgrade wrote it.
"""
# pylint: disable=print-used  # a command-line script: its output is the report
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'scripts'))
from odoo_session import environment

# The values each check of check.py expects; shared by both scripts.
from values import ADMIN_CRONS, COMPANY_STATUS, NAMES, PRODUCT_STATE


def field(model, *names):
    """The first of ``names`` that ``model`` has (a field renamed between releases)."""
    return next(name for name in names if name in model._fields)


def populate(env):
    version = env['ir.module.module'].search([('name', '=', 'rakuten_connector')]).latest_version
    print(f"rakuten_connector {version}: filling every migrated field")
    cr = env.cr
    company_a = env.ref('base.main_company')
    company_a.write({'name': NAMES['company_a'], 'rakuten_enabled': True})
    company_b = env['res.company'].create({'name': NAMES['company_b'], 'rakuten_enabled': True})
    for company, key in ((company_a, 'a'), (company_b, 'b')):
        status = COMPANY_STATUS[key]
        columns = [column for column in status if column in env['res.company']._fields
                   and env['res.company']._fields[column].store]
        if columns:
            cr.execute('UPDATE res_company SET ' + ', '.join(f'{column} = %s' for column in columns)
                       + ' WHERE id = %s', [status[column] for column in columns] + [company.id])
    seller = field(env['res.company'], 'rakuten_seller_id', 'rakuten_seller_ref')
    company_a.write({seller: NAMES['seller_a']})
    company_b.write({seller: NAMES['seller_b']})
    user_b = env['res.users'].create({
        'name': NAMES['user_b'], 'login': NAMES['user_b'], 'company_id': company_b.id,
        'company_ids': [(6, 0, [company_b.id])],
        'group_ids': [(4, env.ref('sales_team.group_sale_salesman_all_leads').id)],
    })

    # Products: the Rakuten state published by the first company with the integration on (company A).
    Product = env['product.product']
    product_1, product_2 = Product.create([
        {'name': 'Upgrade Mug', 'default_code': 'UPG-MUG', 'list_price': 12.0, 'is_storable': True},
        {'name': 'Upgrade Teapot', 'default_code': 'UPG-TEA', 'list_price': 30.0, 'is_storable': True},
    ])
    state = dict(PRODUCT_STATE)
    state['rakuten_advert_id'] = state.pop('rakuten_advert_ref')
    advert = field(Product, 'rakuten_advert_id', 'rakuten_advert_ref')
    product_1.with_company(company_a).write({advert if key == 'rakuten_advert_id' else key: value
                                             for key, value in state.items()})

    # A carrier whose Rakuten tracking URL is to become its Tracking Link (one field since 19.0.1.1.0).
    carrier_product = Product.create({'name': 'Upgrade Colissimo', 'type': 'service'})
    env['delivery.carrier'].create({
        'name': NAMES['carrier'], 'product_id': carrier_product.id,
        field(env['delivery.carrier'], 'rakuten_tracking_url', 'tracking_url'): NAMES['tracking_url'],
    })

    # Buyers: one who bought from both companies (shared), one from company B only, with a delivery contact.
    Partner = env['res.partner']
    shared = Partner.create({'name': NAMES['shared_buyer'], 'rakuten_buyer_login': 'shared-buyer'})
    shared_relay = Partner.create({'name': 'Relais Upgrade', 'parent_id': shared.id, 'type': 'delivery',
                                   'street': '1 rue du Relais', 'zip': '75001', 'city': 'Paris'})
    only_b = Partner.create({'name': NAMES['buyer_b'], 'rakuten_buyer_login': 'buyer-b'})
    only_b_home = Partner.create({'name': 'Maison B', 'parent_id': only_b.id, 'type': 'delivery',
                                  'street': '2 rue B', 'zip': '69001', 'city': 'Lyon'})

    Sale = env['rakuten.sale']
    purchase = field(Sale, 'purchase_id', 'purchase_ref')
    order_purchase = field(env['sale.order'], 'rakuten_purchase_id', 'rakuten_purchase_ref')

    def rakuten_order(company, customer, delivery, purchase_ref, lines, shipping):
        sale = Sale.create({
            purchase: purchase_ref, 'company_id': company.id, 'buyer_login': customer.rakuten_buyer_login,
            'buyer_name': customer.name, 'state': 'imported', 'shipping_amount': shipping, 'shipping_known': True,
            'item_ids': [(0, 0, {'itemid': f'{purchase_ref}-{index}', 'sku': product.default_code,
                                 'headline': product.name, 'price': price, 'status': 'ACCEPTED'})
                         for index, (product, price) in enumerate(lines)],
        })
        order = env['sale.order'].with_company(company).create({
            'company_id': company.id, 'partner_id': customer.id, 'partner_shipping_id': delivery.id,
            order_purchase: purchase_ref, 'rakuten_sale_id': sale.id,
            'order_line': [(0, 0, {'product_id': product.id, 'product_uom_qty': 1, 'price_unit': price})
                           for product, price in lines],
        })
        sale.order_id = order
        return order

    # Baskets of several units of several SKUs, at Rakuten prices unlike the list prices, shipping paid.
    rakuten_order(company_a, shared, shared, NAMES['purchase_shared_a'],
                  [(product_1, 14.9), (product_1, 14.9), (product_2, 27.5)], 6.8)
    order_b = rakuten_order(company_b, shared, shared_relay, NAMES['purchase_shared_b'],
                            [(product_2, 27.5), (product_2, 27.5), (product_1, 14.9)], 7.2)
    rakuten_order(company_b, only_b, only_b_home, NAMES['purchase_b'], [(product_1, 14.9), (product_2, 27.5)], 4.9)
    # A sale not yet an order whose shipping was read as one total: read again after the upgrade.
    Sale.create({purchase: NAMES['purchase_waiting'], 'company_id': company_a.id, 'state': 'new',
                 'buyer_login': 'shared-buyer', 'shipping_amount': 5.5, 'shipping_known': True,
                 'item_ids': [(0, 0, {'itemid': f"{NAMES['purchase_waiting']}-{index}", 'sku': 'UPG-MUG',
                                      'price': 14.9, 'status': 'REQUESTED'}) for index in range(2)]})

    # Adverts and a stock file with Rakuten's ids.
    Advert = env['rakuten.advert']
    Advert.create({'company_id': company_a.id, field(Advert, 'advert_id', 'advert_ref'): NAMES['advert'],
                   'sku': 'UPG-MUG', 'product_id': product_1.id, 'stock': 3, 'price': 14.9})
    Import = env['rakuten.stock.import']
    Line = env['rakuten.stock.import.line']
    Import.create({'company_id': company_a.id, field(Import, 'import_id', 'file_ref'): NAMES['stock_file'],
                   'state': 'done', 'line_ids': [(0, 0, {
                       'product_id': product_1.id, 'sku': 'UPG-MUG', 'quantity': 3, 'state': 'done',
                       field(Line, 'advert_id', 'advert_ref'): NAMES['advert']})]})

    # After-sales: a customer-service mail received, a reply sent from Odoo by the previous release's button.
    item = order_b.rakuten_sale_id.item_ids[:1]
    aftersale = env['rakuten.aftersale'].create({'company_id': company_b.id, 'itemid': item.itemid,
                                                 'sale_item_id': item.id})
    mail = field(env['rakuten.message'], 'mail_id', 'mail_ref')
    env['rakuten.message'].create([
        {'aftersale_id': aftersale.id, 'channel': 'mail', 'direction': 'in', mail: NAMES['mail'],
         'key': f"mail:{NAMES['mail']}", 'body': 'Pouvez-vous envoyer la preuve de dépôt ?'},
        {'aftersale_id': aftersale.id, 'channel': 'mail', 'direction': 'out', mail: NAMES['mail'],
         'sent_from_odoo': True, 'posted': True, 'body': 'Voici la preuve de dépôt.'},
    ])

    # An administrator's changes to the scheduled actions.
    for xml_id, values in ADMIN_CRONS.items():
        env.ref(f'rakuten_connector.{xml_id}').write(values)

    if version.startswith('19.0.1.1.'):
        # As the 19.0.1.1.0 upgrade of a 19.0.1.0.0 database left it: each buyer and its contacts given to the
        # company of its first order (the shared buyer too); the cron's external ids not marked noupdate.
        cr.execute('UPDATE res_partner SET company_id = %s WHERE id IN %s',
                   [company_a.id, (shared.id, shared_relay.id)])
        cr.execute('UPDATE res_partner SET company_id = %s WHERE id IN %s',
                   [company_b.id, (only_b.id, only_b_home.id)])
        cr.execute("""UPDATE ir_model_data SET noupdate = FALSE WHERE module = 'rakuten_connector'
                       AND name IN ('ir_cron_rakuten_import', 'ir_cron_rakuten_import_ir_actions_server',
                                    'ir_cron_rakuten_despatch', 'ir_cron_rakuten_despatch_ir_actions_server',
                                    'ir_cron_rakuten_stock', 'ir_cron_rakuten_stock_ir_actions_server')""")
    env.flush_all()
    print(f"filled: companies {company_a.id}, {company_b.id}; user {user_b.login}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--db', required=True)
    parser.add_argument('--addons-path', required=True)
    args = parser.parse_args()
    with environment(args.db, args.addons_path, commit=True) as env:
        populate(env)


if __name__ == '__main__':
    main()
