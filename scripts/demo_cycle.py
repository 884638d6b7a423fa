"""Configure a fresh demo database for the fake Rakuten shop and run one full cycle, printing progress.

Called by scripts/demo; everything it does is what a seller would do in the UI, then the scheduled jobs.
"""
import argparse
import datetime
import json
import urllib.request

from odoo_session import environment

CARRIERS = [  # Odoo carrier, Rakuten transporter xml id, Rakuten shipping types it serves
    ('Colissimo', 'transporter_colissimo', ['Suivi', 'Recommandé']),
    ('So Colissimo', 'transporter_so_colissimo', ['So Colissimo']),
    ('Mondial Relay', 'transporter_mondial_relay', ['Point relais Mondial Relay']),
    ('Lettre verte La Poste', 'transporter_courrier_suivi', ['Normal']),
]
SCARCE = {'RK-CASQUE-BT': 2}  # little stock: some sales wait for a user under the "stock" policy
# The terminal story is in English; what the connector itself says is French (the company is French) and is
# quoted as such: « ... ».
SALE_STATES = {  # Odoo-side Rakuten sale states, in words
    'new': 'new', 'to_accept': 'waiting for a user to accept them', 'accepted': 'accepted, not yet imported',
    'imported': 'imported as confirmed orders', 'error': 'needing attention', 'refused': 'refused',
    'cancelled': 'cancelled', 'handled': 'handled on Rakuten',
}
ITEM_STATUSES = {  # Rakuten item statuses (doc/rakuten-api.md §6.1), in words
    'TO_CONFIRM': 'waiting for the seller to accept them', 'REQUESTED': 'waiting for the seller',
    'REMINDED': 'waiting for the seller', 'ACCEPTED': 'accepted', 'COMMITTED': 'accepted',
    'ON_HOLD': 'under a claim', 'PENDING_CLAIM': 'under a claim', 'CLAIM': 'under a claim', 'PENDING': 'pending',
    'CANCELLED': 'cancelled', 'REFUSED': 'refused', 'CLOSED': 'closed',
}


def step(text):
    print(f'  • {text}', flush=True)


def said(message):
    """The connector's own message (French: the company's language), quoted."""
    step(f'the connector says: « {message} »')


def in_words(counts, words):
    """{'imported': 47, 'to_accept': 3} -> '47 imported as confirmed orders, 3 waiting for a user to accept them'"""
    return ', '.join(f'{count} {words.get(key, str(key).lower())}'
                     for key, count in sorted(counts.items(), key=lambda pair: -pair[1])) or 'none'


def configure(env, fake_url, login, token):
    from odoo import Command  # noqa: PLC0415
    from odoo.addons.rakuten_connector.rakuten_connector.fake_server.seed import PRODUCTS  # noqa: PLC0415
    company = env.company
    euro = env.ref('base.EUR')
    euro.active = True
    company.write({'name': 'Boutique Démo', 'currency_id': euro.id, 'country_id': env.ref('base.fr').id})
    step('a French company in euros: euro pricelists only, a French sales team')
    Pricelist = env['product.pricelist'].with_context(active_test=False)
    foreign = Pricelist.search([('currency_id', '!=', euro.id), ('company_id', 'in', (False, company.id))])
    foreign.filtered(lambda pricelist: not pricelist.item_ids).write({'currency_id': euro.id})  # Odoo's default
    foreign.filtered('item_ids').action_archive()  # fixed prices in another currency: not the demo's
    team = env.ref('sales_team.team_sales_department', raise_if_not_found=False)
    if team:
        team.with_context(lang='en_US').name = 'Ventes'
        team.with_context(lang='fr_FR').name = 'Ventes'
    company.partner_id.lang = 'fr_FR'  # the connector writes in the company's language
    env.ref('base.user_admin').write({'password': 'admin', 'lang': 'fr_FR', 'tz': 'Europe/Paris'})
    step("French chart of accounts (l10n_fr_account): TVA 20 % and Odoo's French fiscal positions")
    env['account.chart.template'].try_loading('fr', company=company, install_demo=False)
    vat = company.account_sale_tax_id
    step('products with stock in the main warehouse (a Rakuten stock source)')
    warehouse = env['stock.warehouse'].search([('company_id', '=', company.id)], limit=1)
    warehouse.write({'name': 'Entrepôt principal', 'rakuten_stock_source': True})
    for sku, name, price in PRODUCTS:
        product = env['product.product'].create({'name': name, 'default_code': sku, 'list_price': float(price),
                                                 'is_storable': True, 'taxes_id': [Command.set(vat.ids)]})
        env['stock.quant']._update_available_quantity(product, warehouse.lot_stock_id, SCARCE.get(sku, 30))
    step('carriers, their Rakuten transporter and the shipping mapping')
    shipping = env['product.product'].create({'name': 'Frais de port', 'type': 'service',
                                              'taxes_id': [Command.set(vat.ids)]})
    for name, transporter, types in CARRIERS:
        carrier = env['delivery.carrier'].create({
            'name': name, 'product_id': shipping.id,
            'rakuten_transporter_id': env.ref(f'rakuten_connector.{transporter}').id,
        })
        env['rakuten.shipping.mapping'].create([{'name': kind, 'carrier_id': carrier.id} for kind in types])
        company.rakuten_default_carrier_id = company.rakuten_default_carrier_id or carrier
    step('settings: credentials, acceptance when stock covers the sale, despatch, stock sync, invoices')
    company.write({
        'rakuten_enabled': True, 'rakuten_login': login, 'rakuten_token': token, 'rakuten_base_url': fake_url,
        'rakuten_accept_policy': 'stock', 'rakuten_stock_sync': True, 'rakuten_max_qty': 25,
        'rakuten_warehouse_id': warehouse.id, 'rakuten_invoice_policy': 'delivery',
    })
    ok, message = company._rakuten_test_connection()
    step('test connection')
    said(message)
    return company


def cycle(env, company, deliveries):
    step('importing orders: accept new sales, create confirmed orders…')
    env['rakuten.sale']._rakuten_import(company)
    states = dict(env['rakuten.sale']._read_group([('company_id', '=', company.id)], ['state'], ['__count']))
    step(f'Rakuten sales: {in_words(states, SALE_STATES)}')
    step('after-sales job: buyer messages and customer-service mails onto the orders…')
    env['rakuten.aftersale']._rakuten_aftersales_run(company)
    step(f"Rakuten messages stored: {env['rakuten.message'].search_count([('company_id', '=', company.id)])}")
    step(f'validating {deliveries} deliveries with tracking numbers…')
    orders = env['sale.order'].search([('rakuten_purchase_ref', '!=', False)], order='id', limit=deliveries)
    for index, picking in enumerate(orders.picking_ids.filtered(lambda p: p.state == 'assigned')):
        picking.carrier_tracking_ref = f'6A{index:011d}'
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.with_context(skip_backorder=True, skip_sms=True).button_validate()
    step('despatch job: carrier + tracking sent to Rakuten…')
    env['stock.picking']._cron_rakuten_despatch()
    sent = env['stock.picking'].search_count([('rakuten_despatch_state', '=', 'sent')])
    step(f'deliveries confirmed to Rakuten: {sent}')
    step('invoice job: the units that left invoiced, paid through the Rakuten journal…')
    env['sale.order']._cron_rakuten_invoice()
    invoices = env['account.move'].search([('move_type', '=', 'out_invoice'), ('company_id', '=', company.id)])
    step(f"invoices posted and paid through Rakuten: {len(invoices)}, {sum(invoices.mapped('amount_total')):.2f} EUR")
    step('stock push: one file with every SKU, then Rakuten\'s report…')
    Stock = env['rakuten.stock.import']
    for _poll in range(3):
        said(Stock._rakuten_sync_company(company))
    step('advert read: which Rakuten adverts match which products…')
    said(env['rakuten.advert']._rakuten_refresh(company))


def fake(fake_url, command, payload):
    request = urllib.request.Request(f'{fake_url}/_fake/{command}', data=json.dumps(payload).encode(),
                                     headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)


def month_of_payouts(env, company, fake_url, login):
    """A month goes by on Rakuten: some buyers confirm receipt at once, the others are paid 23 days after their
    order; Rakuten transfers on Mondays and Thursdays, keeping its commissions and the subscription. The payout
    job books every transfer and matches it with the invoices."""
    step('a month on Rakuten: some buyers confirm receipt, transfers every Monday and Thursday…')
    items = env['rakuten.sale.item'].search([('company_id', '=', company.id), ('tracking_sent', '=', True)],
                                            order='id')
    for item in items[:len(items) // 2]:
        fake(fake_url, 'receive', {'login': login, 'itemid': item.itemid})
    today = datetime.date.today()
    paid = fake(fake_url, 'payout', {'login': login, 'date': (today + datetime.timedelta(days=1)).isoformat(),
                                     'until': (today + datetime.timedelta(days=31)).isoformat()})
    step(f"Rakuten transferred {len(paid['compensations'])} times: "
         f"{', '.join(compensation['total'] for compensation in paid['compensations'])} EUR")
    step('payout job: each transfer booked, its units matched with their invoices, Rakuten\'s bill…')
    env['rakuten.payout']._rakuten_payout_run(company)
    payouts = env['rakuten.payout'].search([('company_id', '=', company.id)])
    booked = payouts.filtered(lambda payout: payout.state == 'booked')
    step(f"transfers booked: {len(booked)} of {len(payouts)}, {sum(booked.mapped('amount')):.2f} EUR to the bank, "
         f"{sum(booked.mapped('fees_amount')):.2f} EUR kept by Rakuten (commissions and subscription, VAT incl.)")
    owed = env['account.move.line'].search(env['rakuten.payout']._rakuten_owed_action()['domain'])
    step(f"still owed by Rakuten: {sum(owed.mapped('amount_residual')):.2f} EUR "
         f"(Accounting > Customers > Rakuten > Owed by Rakuten)")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--db', required=True)
    parser.add_argument('--addons-path', required=True)
    parser.add_argument('--fake-url', required=True)
    parser.add_argument('--login', default='boutique-demo')
    parser.add_argument('--token', default='test-token')
    parser.add_argument('--deliveries', type=int, default=12)
    args = parser.parse_args()
    with environment(args.db, args.addons_path, commit=True) as env:
        step('French language for the seller (Odoo and the connector)')
        french = env['res.lang']._activate_lang('fr_FR')
        env['base.language.install'].create({'lang_ids': [(6, 0, french.ids)], 'overwrite': True}).lang_install()
        env = env(context=dict(env.context, lang='fr_FR', tz='Europe/Paris'))  # messages stored in French
        company = configure(env, args.fake_url, args.login, args.token)
        env.cr.commit()
        cycle(env, company, args.deliveries)
        env.cr.commit()
        month_of_payouts(env, company, args.fake_url, args.login)
        orders = env['sale.order'].search_count([('rakuten_purchase_ref', '!=', False)])
        attention = env['rakuten.sale'].search_count([('state', 'in', ('to_accept', 'error'))])
    with urllib.request.urlopen(urllib.request.Request(f'{args.fake_url}/_fake/state', data=b'{}')) as answer:
        shop = json.load(answer)['shops'][args.login]
    print('\nSummary', flush=True)
    print(f'  Rakuten shop: {shop["sales"]} sales; their units: {in_words(shop["items_by_status"], ITEM_STATUSES)}; '
          f'{shop["items_shipped"]} units shipped with tracking')
    print(f'  Odoo: {orders} confirmed orders, {attention} sales waiting for a user (Sales > Rakuten > Rakuten Sales)')


if __name__ == '__main__':
    main()
