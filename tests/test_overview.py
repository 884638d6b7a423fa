from datetime import datetime, timedelta

from lxml import etree

from odoo import Command
from odoo.fields import Domain
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import RakutenHttpCase, RakutenShopCase
from .test_french import french_company

COUNTERS = ('to_accept', 'attention', 'message', 'claim', 'despatch', 'stock_error', 'price_blocked')


@tagged('post_install', '-at_install')
class TestOverview(RakutenShopCase):
    """The Rakuten overview: a card per company the user may see, each counter right and opening exactly what it
    counted. The shop's company on the shipped default (accept when the stock covers the sale), a second company
    with its own shop accepting every sale."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop_b = cls.server.state.add_shop('boutique-lyon', 'token-lyon')
        cls.company_b = cls.env['res.company'].create({
            'name': 'Boutique Lyon', 'currency_id': cls.env.ref('base.EUR').id,
            'rakuten_enabled': True, 'rakuten_login': cls.shop_b.login, 'rakuten_token': cls.shop_b.token,
            'rakuten_base_url': cls.server.url, 'rakuten_accept_policy': 'all',
            'rakuten_default_carrier_id': cls.colissimo.id,
        })
        cls.env.user.company_ids |= cls.company_b
        cls.warehouse_b = cls.env['stock.warehouse'].search([('company_id', '=', cls.company_b.id)], limit=1)
        # A company without Rakuten has no card.
        cls.company_c = cls.env['res.company'].create({'name': 'Sans Rakuten'})
        cls.lamp = cls._product('RK-LAMPE', 'Lampe Zen', 29.00)  # none in stock: its sales wait for a user
        cls.orphan = cls._product('RK-SANS-ANNONCE', 'Produit sans annonce', 5.0)  # no advert: refused by Rakuten
        cls.env['product.product'].search([('id', 'not in', (cls.mug | cls.tee | cls.orphan).ids)]).rakuten_sync = False
        (cls.mug | cls.tee | cls.orphan).standard_price = 4.0
        cls.company.write({'rakuten_stock_sync': True, 'rakuten_price_sync': True, 'rakuten_min_margin': 0,
                           'rakuten_pricelist_id': False})
        cls.salesman = new_test_user(cls.env, login='rk_home_salesman', groups='sales_team.group_sale_salesman',
                                     company_id=cls.company.id, company_ids=cls.company.ids)
        cls.salesman_b = new_test_user(cls.env, login='rk_home_salesman_b', groups='sales_team.group_sale_salesman',
                                       company_id=cls.company_b.id, company_ids=cls.company_b.ids)
        cls.manager = new_test_user(cls.env, login='rk_home_manager', groups='sales_team.group_sale_manager',
                                    company_id=cls.company.id, company_ids=(cls.company | cls.company_b).ids)
        cls.warehouse_user = new_test_user(cls.env, login='rk_home_warehouse', groups='stock.group_stock_user',
                                           company_id=cls.company.id, company_ids=cls.company.ids)

    def setUp(self):
        super().setUp()
        self.server.state.import_polls = 0
        with self.server.state.lock:
            self.shop_b.sales.clear()
        for shop in (self.shop, self.shop_b):
            shop.adverts.clear()
            shop.todo.clear()
        self.shop.add_advert('RK-MUG', stock=0, price='12.90')
        self.shop.add_advert('RK-TEE', stock=0, price='24.90')

    # --- what the shops did ------------------------------------------------------------------------

    def _day(self):
        """Both shops' day: sales to accept, an import error, an order with a message and a claim, a despatch
        that failed, a stock line refused today and one refused last week, prices waiting for their review, and a
        failed run."""
        now = datetime.now().replace(microsecond=0)
        lamps = [self.shop.add_sale([('RK-LAMPE', '34.90'), ('RK-LAMPE', '34.90'), ('RK-MUG', '9.50')],
                                    shipping_price=['3.90', '1.00', '1.50'], shipping_type='Suivi',
                                    purchase_date=now - timedelta(days=days)) for days in (0, 1)]
        basket = self._basket()
        shipped = self._basket()
        unknown = self.shop_b.add_sale([('RK-INCONNU', '15.00'), ('RK-MUG', '9.50')], shipping_price=['2.50', '1.00'],
                                       shipping_type='Suivi')
        for product in (self.mug, self.tee):
            self.env['stock.quant']._update_available_quantity(product, self.warehouse_b.lot_stock_id, 10)
        ordered_b = self.shop_b.add_sale([('RK-MUG', '9.90'), ('RK-TEE', '21.00')], shipping_price=['4.00', '2.00'],
                                         shipping_type='Suivi')
        self.env['rakuten.sale']._cron_import()
        waiting = self._sale(lamps[0]) | self._sale(lamps[1])
        self.assertEqual(set(waiting.mapped('state')), {'to_accept'})
        error_b = self.env['rakuten.sale'].search([('purchase_ref', '=', unknown.purchaseid)])
        self.assertEqual(error_b.state, 'error')
        order = self._sale(basket).order_id
        self.assertEqual(order.amount_total, 9.50 * 2 + 19.90 + 4.90 + 1.50 + 2.00)
        order_b = self.env['rakuten.sale'].search([('purchase_ref', '=', ordered_b.purchaseid)]).order_id
        self.assertEqual(order_b.amount_total, 9.90 + 21.00 + 4.00 + 2.00)
        # A message and a claim on the first order; a message on the other company's order, answered there.
        self.shop.add_message(basket.items[0].itemid, "Quand partira mon colis ?")
        self.shop.open_claim(basket.items[2].itemid, 'DAMAGED', amicable=True, comment="T-shirt troué")
        self.shop_b.add_message(ordered_b.items[0].itemid, "Bonjour, est-il bleu ?")
        self.env['rakuten.aftersale']._rakuten_aftersales_run(self.company)
        self.env['rakuten.aftersale']._rakuten_aftersales_run(self.company_b)
        # Colissimo has no Rakuten transporter: the despatch fails.
        picking = self._sale(shipped).order_id.picking_ids
        picking.carrier_tracking_ref = '6A000111'
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.button_validate()
        self.env['stock.picking']._cron_rakuten_despatch()
        self.assertEqual(picking.rakuten_despatch_state, 'failed')
        # Stock: the SKU without advert is refused; last week's refusal is history.
        self._stock(self.orphan, 3)
        sync = self.env['rakuten.stock.import']._rakuten_sync_company
        sync(self.company)
        sync(self.company)
        old = self.env['rakuten.stock.import.line'].search([('sku', '=', 'RK-SANS-ANNONCE')])
        self.assertEqual(old.state, 'error')
        self.env.cr.execute("UPDATE rakuten_stock_import_line SET create_date = %s WHERE id = %s",
                            (now - timedelta(days=8), old.id))
        self.env.invalidate_all()
        self._stock(self.orphan, 2)
        sync(self.company)
        sync(self.company)
        refused = self.env['rakuten.stock.import.line'].search([('sku', '=', 'RK-SANS-ANNONCE')]) - old
        self.assertEqual(refused.state, 'error')
        # The other company's token is lost: its import fails.
        self.company_b.rakuten_token = 'jeton-perdu'
        self.env['rakuten.sale']._rakuten_import(self.company_b)
        return {
            'waiting': waiting, 'error_b': error_b, 'order': order, 'order_b': order_b, 'picking': picking,
            'refused': refused,
            'claim': self.env['rakuten.aftersale'].search([('itemid', '=', basket.items[2].itemid)]),
            'asked': self.env['rakuten.aftersale'].search([('itemid', '=', basket.items[0].itemid)]),
        }

    # --- reading the cards -------------------------------------------------------------------------

    def _cards(self, user):
        overview = self.env['rakuten.overview'].with_user(user).with_context(
            allowed_company_ids=user.company_ids.ids)
        return overview.search([])

    def _opened(self, card, key):
        """The records the list opened by a counter shows: its domain and the filters it switches on."""
        action = card.with_context(rakuten_list=key).action_rakuten_open_list()
        model = card.env[action['res_model']]
        filters = [name.removeprefix('search_default_') for name, on in action['context'].items()
                   if name.startswith('search_default_') and on]
        search_view = action.get('search_view_id') and action['search_view_id'][0]
        arch = etree.fromstring(model.get_views([(search_view, 'search')])['views']['search']['arch'])
        domains = [safe_eval(node.get('domain')) for node in arch.iter('filter') if node.get('name') in filters]
        self.assertEqual(len(domains), len(filters), f"the filters {filters} of {key} exist")
        domain = Domain(action['domain'] or [])
        if domains:
            domain &= Domain.OR(domains)
        return model.search(domain)

    def test_counters_and_their_lists(self):
        day = self._day()
        card = self._cards(self.salesman)
        self.assertEqual(card.company_id, self.company, "a salesman of the shop sees its card only")
        messages = day['asked'].rakuten_message_ids.filtered(lambda message: message.direction == 'in')
        self.assertEqual(messages.mapped('body'), ["Quand partira mon colis ?"])
        expected = {
            'to_accept': day['waiting'],
            'attention': self.env['rakuten.sale'],
            'message': messages,
            'claim': day['claim'],
            'despatch': day['picking'],
            'stock_error': day['refused'],
            # Price sync on: every synced product's first price waits for a review.
            'price_blocked': self.mug | self.tee | self.orphan,
        }
        for key, records in expected.items():
            with self.subTest(counter=key):
                self.assertEqual(card[f'{key}_count'], len(records))
                self.assertEqual(sorted(self._opened(card, key).ids), sorted(records.ids), "the list shows them")
        self.assertEqual(card.to_accept_count, 2)
        self.assertEqual(card.to_accept_deadline, min(day['waiting'].mapped('accept_by')),
                         "the last day to accept, as a French seller reads a deadline (midnight ends the day before)")
        self.assertLess(card.to_accept_deadline, max(day['waiting'].mapped('accept_by')), "the nearest")
        self.assertEqual(card.claim_deadline, day['claim'].claim_deadline)
        self.assertTrue(card.claim_deadline)
        self.assertEqual(card.message_deadline, day['asked'].answer_deadline)
        self.assertTrue(card.message_deadline)
        jobs = {run['job']: run for run in card.job_runs}
        self.assertEqual((jobs['import']['state'], jobs['stock']['state'], jobs['aftersales']['state']),
                         ('ok', 'ok', 'ok'))
        self.assertTrue(jobs['import']['date'])

    def test_each_user_sees_the_cards_of_their_companies(self):
        day = self._day()
        card_b = self._cards(self.salesman_b)
        self.assertEqual(card_b.company_id, self.company_b)
        self.assertEqual([card_b[f'{key}_count'] for key in COUNTERS], [0, 1, 1, 0, 0, 0, 0])
        self.assertEqual(self._opened(card_b, 'attention'), day['error_b'].with_env(card_b.env))
        self.assertEqual(self._opened(card_b, 'message').mapped('body'), ["Bonjour, est-il bleu ?"])
        import_b = next(run for run in card_b.job_runs if run['job'] == 'import')
        self.assertEqual(import_b['state'], 'failed')
        self.assertEqual(import_b['message'], self.company_b.rakuten_import_message)
        self.assertIn('refused the login or the token', import_b['message'])
        # A manager of both companies sees both cards, each counting its own company's.
        cards = self._cards(self.manager)
        self.assertEqual(cards.company_id, self.company | self.company_b)
        card_a = cards.filtered(lambda card: card.company_id == self.company)
        self.assertEqual([card_a[f'{key}_count'] for key in COUNTERS], [2, 0, 1, 1, 1, 1, 3])
        self.assertEqual(self._opened(card_a, 'to_accept'), day['waiting'].with_env(card_a.env))
        card_b = cards - card_a
        self.assertEqual(self._opened(card_b, 'attention'), day['error_b'].with_env(card_b.env))
        self.assertFalse(self._opened(card_b, 'price_blocked'), "prices are blocked in the shop's company only")
        # Working in one company only, the manager sees its card only.
        self.assertEqual(cards.with_context(allowed_company_ids=self.company_b.ids).search([]).company_id,
                         self.company_b)

    def test_despatch_list_keeps_its_help(self):
        """Stock gives every transfer list its own help ("create one"): the Rakuten despatches say theirs."""
        action = self.env['ir.actions.act_window'].with_user(self.salesman)._for_xml_id(
            'rakuten_connector.action_rakuten_despatch')
        self.assertIn("No despatch waits for you", action['help'])
        transfers = self.env['ir.actions.act_window']._for_xml_id('stock.action_picking_tree_all')
        self.assertNotIn("No despatch waits for you", transfers['help'])

    def test_a_counters_list_without_its_filters_keeps_its_own_scope(self):
        """A user who removes the counter's filters sees the list's records (claims, Rakuten deliveries) of the
        card's company, never every after-sales thread or every transfer; the despatch list keeps its help."""
        self._day()
        card = self._cards(self.salesman)
        for key, model, inside in (('claim', 'rakuten.aftersale', [('claim_type', '!=', False)]),
                                   ('despatch', 'stock.picking', [('rakuten_despatch_state', '!=', False)])):
            with self.subTest(counter=key):
                action = card.with_context(rakuten_list=key).action_rakuten_open_list()
                unfiltered = card.env[model].search(action['domain'])
                scope = card.env[model].search(inside + [('company_id', '=', card.company_id.id)])
                self.assertEqual(unfiltered, scope)
                self.assertLess(len(unfiltered), card.env[model].search_count(
                    [('company_id', '=', card.company_id.id)]), "narrower than every record of the company")
        action = card.with_context(rakuten_list='despatch').action_rakuten_open_list()
        self.assertTrue(action['context'].get('rakuten_despatch_list'), "its help, not stock's 'create one'")

    def test_no_card_for_other_users_or_companies(self):
        self.assertFalse(self.env['rakuten.overview'].search([('company_id', '=', self.company_c.id)]))
        self.assertFalse(self.env['rakuten.overview'].with_user(self.warehouse_user).has_access('read'))
        self.company_b.rakuten_enabled = False
        self.env.flush_all()
        self.assertFalse(self._cards(self.manager).filtered(lambda card: card.company_id == self.company_b))


@tagged('post_install', '-at_install')
class TestOverviewTour(RakutenHttpCase):
    """A French salesman reads the overview and the lists behind it."""

    def test_salesman_reads_the_overview_in_french(self):
        french_company(self.env, self.company)
        self.env.ref('base.EUR').active = True
        self.company.write({'name': 'Boutique Tour', 'currency_id': self.env.ref('base.EUR').id})
        vat = self.env['account.tax'].create({
            'name': 'TVA 20 % (tour)', 'amount': 20, 'amount_type': 'percent', 'type_tax_use': 'sale',
            'price_include_override': 'tax_excluded', 'company_id': self.company.id})
        warehouse = self.env['stock.warehouse'].search([('company_id', '=', self.company.id)], limit=1)
        warehouse.rakuten_stock_source = True
        products = {}
        for sku, name, price in (('RK-LAMPE', 'Lampe Zen', 29.0), ('RK-MUG', 'Mug tour', 8.10)):
            products[sku] = self.env['product.product'].create({
                'name': name, 'default_code': sku, 'list_price': price, 'is_storable': True,
                'taxes_id': [Command.set(vat.ids)]})
        self.env['stock.quant']._update_available_quantity(products['RK-MUG'], warehouse.lot_stock_id, 20)
        port = self.env['product.product'].create({'name': 'Port', 'type': 'service'})
        carrier = self.env['delivery.carrier'].create({'name': 'Lettre tour', 'product_id': port.id})
        self.company.write({'rakuten_default_carrier_id': carrier.id, 'rakuten_last_order_sync': False})
        for _sale in range(2):  # the shipped default policy: no lamp in stock, the sales wait for a user
            self.shop.add_sale([('RK-LAMPE', '34.90'), ('RK-LAMPE', '34.90'), ('RK-MUG', '9.50')],
                               shipping_price=['3.90', '1.00', '1.50'])
        basket = self.shop.add_sale([('RK-MUG', '9.50'), ('RK-MUG', '9.50')], shipping_price=['4.90', '1.50'])
        self.env['rakuten.sale']._rakuten_import(self.company)
        order = self.env['sale.order'].search([('rakuten_purchase_ref', '=', basket.purchaseid)])
        self.assertEqual(order.amount_total, 9.50 * 2 + 4.90 + 1.50)
        self.shop.add_message(basket.items[0].itemid, "Quand partira mon colis ?")
        self.env['rakuten.aftersale']._rakuten_aftersales_run(self.company)
        new_test_user(self.env, login='rk_overview_salesman', groups='sales_team.group_sale_salesman',
                      name='Sam Vendeur', company_id=self.company.id, lang='fr_FR')
        self.start_tour('/odoo/action-sale.action_quotations_with_onboarding', 'rakuten_overview_tour',
                        login='rk_overview_salesman', timeout=120)
