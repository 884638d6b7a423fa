import ast
from decimal import Decimal

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import RakutenStockCase


@tagged('post_install', '-at_install')
class TestPriceSync(RakutenStockCase):
    """Prices published with the stock: VAT included, in euros, behind a floor and a maximum drop."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({'rakuten_price_sync': True, 'rakuten_min_margin': 0, 'rakuten_max_price_drop': 20,
                           'rakuten_pricelist_id': False})
        (cls.mug | cls.tee).standard_price = 4.0  # floor: 4.80 VAT included
        cls.manager = new_test_user(cls.env, login='rk_price_manager', groups='sales_team.group_sale_manager',
                                    company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)])
        cls.salesman = new_test_user(cls.env, login='rk_price_salesman', groups='sales_team.group_sale_salesman',
                                     company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)])

    def _sent(self, file):
        """{sku: {key: value}} of the advert lines of a file as Rakuten received it."""
        from lxml import etree  # noqa: PLC0415
        root = etree.fromstring(self.shop.imports[file.file_ref].content)
        return {values['sellerReference']: values for values in (
            {node.findtext('key'): node.findtext('value') for node in advert.iterfind('attribute')}
            for advert in root.iterfind('item/attributes/advert'))}

    def _review(self, products):
        """A sales manager confirms the prices waiting (first prices, large drops or rises) in the list of
        blocked prices."""
        products.with_user(self.manager).action_rakuten_confirm_price()

    def _preview(self, product):
        product.invalidate_recordset(['rakuten_preview_price', 'rakuten_price_rule', 'rakuten_price_floor'])
        return product.rakuten_preview_price, product.rakuten_price_rule

    # --- Settings and the price to publish ---

    def test_price_sync_is_off_by_default(self):
        company = self.env['res.company'].create({'name': 'Nouvelle boutique'})
        self.assertFalse(company.rakuten_price_sync)
        self.company.rakuten_price_sync = False
        self._stock(self.mug, 3)
        self._sync()
        self.assertNotIn('sellingPrice', self._sent(self._files())['RK-MUG'])
        self.assertEqual(self._preview(self.mug), (0.0, 'off'))
        self._sync()
        self.assertEqual(self.mug_advert.price, Decimal('9.50'), "Rakuten keeps its price")

    def test_price_vat_included_from_the_sales_price_pricelist_or_fixed(self):
        # Published by Odoo before (the first price waits for a review): the rule shows the price's source.
        self.mug.rakuten_published_price, self.tee.rakuten_published_price = 11.40, 23.88
        self.assertEqual(self._preview(self.mug), (11.40, 'sales_price'), "9.50 + 20 % VAT, no Rakuten pricelist")
        included = self.env['account.tax'].create({
            'name': 'TVA 20 % TTC (test)', 'amount': 20, 'amount_type': 'percent', 'type_tax_use': 'sale',
            'price_include_override': 'tax_included', 'company_id': self.company.id})
        self.tee.taxes_id = [Command.set(included.ids)]
        self.assertEqual(self._preview(self.tee), (19.90, 'sales_price'), "a VAT already included is not added twice")
        pricelist = self.env['product.pricelist'].create({
            'name': 'Rakuten', 'currency_id': self.env.ref('base.EUR').id,
            'item_ids': [Command.create({'applied_on': '0_product_variant', 'product_id': self.mug.id,
                                         'compute_price': 'fixed', 'fixed_price': 8.0})]})
        self.company.rakuten_pricelist_id = pricelist
        self.assertEqual(self._preview(self.mug), (9.60, 'pricelist'))
        self.assertEqual(self._preview(self.tee), (19.90, 'pricelist'), "no rule: the sales price")
        self.mug.rakuten_fixed_price = 12.5
        self.assertEqual(self._preview(self.mug), (12.50, 'fixed'), "a fixed Rakuten price is VAT included")
        self.mug.rakuten_price_sync = False
        self.assertEqual(self._preview(self.mug), (0.0, 'off'))

    def test_variant_extra_and_only_the_active_sale_taxes(self):
        """A variant's sales price includes its attribute values' extras; archived taxes are not added."""
        size = self.env['product.attribute'].create({'name': 'Taille', 'value_ids': [
            Command.create({'name': 'S'}), Command.create({'name': 'XL'})]})
        reduced = self.env['account.tax'].create({
            'name': 'TVA 5,5 % (archivée)', 'amount': 5.5, 'amount_type': 'percent', 'type_tax_use': 'sale',
            'company_id': self.company.id})
        template = self.env['product.template'].create({
            'name': 'Sweat', 'list_price': 10.0, 'is_storable': True,
            'taxes_id': [Command.set((self.vat | reduced).ids)],
            'attribute_line_ids': [Command.create({'attribute_id': size.id,
                                                   'value_ids': [Command.set(size.value_ids.ids)]})],
        })
        reduced.active = False
        template.attribute_line_ids.product_template_value_ids.filtered(
            lambda value: value.name == 'XL').price_extra = 2.5
        small, large = (template.product_variant_ids.filtered(
            lambda variant, name=name: variant.product_template_attribute_value_ids.name == name)
            for name in ('S', 'XL'))
        self.assertEqual((small.lst_price, large.lst_price), (10.0, 12.5))
        self.assertEqual(self._preview(small), (12.0, 'review'), "10 + 20 % VAT, the archived 5.5 % left out")
        self.assertEqual(self._preview(large), (15.0, 'review'), "(10 + 2.50 extra) + 20 % VAT")

    def test_fixed_amount_tax_is_in_the_price_and_the_floor(self):
        """An eco-participation (fixed amount, VAT applies on it) is part of what the buyer pays."""
        eco = self.env['account.tax'].create({
            'name': 'Éco-participation DEEE (test)', 'amount': 0.5, 'amount_type': 'fixed', 'type_tax_use': 'sale',
            'include_base_amount': True, 'sequence': 1, 'company_id': self.company.id})
        self.vat.sequence = 2
        (self.mug | self.tee).taxes_id = [Command.set((eco | self.vat).ids)]
        self.mug.standard_price = 8.0  # floor: (8 + 0.50) + 20 % = 10.20
        self.assertEqual(self._preview(self.mug), (12.0, 'review'), "(9.50 + 0.50) + 20 % VAT, a first price")
        self.assertEqual(self.mug.rakuten_price_floor, 10.2)
        prices = (self.mug | self.tee)._rakuten_prices(self.company)  # one run: the engine's results are reused
        self.assertEqual((prices[self.mug.id].price, prices[self.tee.id].price), (Decimal('12.00'), Decimal('24.48')))
        self.assertEqual(prices[self.tee.id].floor, Decimal('5.40'), "(4 + 0.50) + 20 %, not the mug's floor")
        self._stock(self.mug, 3)
        self._review(self.mug)
        self._sync()
        self.assertEqual(self._sent(self._files())['RK-MUG']['sellingPrice'], '12.00')

    # --- The file: prices with quantities, changes only ---

    def test_file_carries_prices_of_changes_only(self):
        self._stock(self.mug, 3)
        self._stock(self.tee, 2)
        self._review(self.mug | self.tee)
        self._sync()
        file = self._files()
        self.assertEqual(self._sent(file), {
            'RK-MUG': {'sellerReference': 'RK-MUG', 'qty': '3', 'sellingPrice': '11.40'},
            'RK-TEE': {'sellerReference': 'RK-TEE', 'qty': '2', 'sellingPrice': '23.88'},
        })
        self._sync()
        self.assertEqual((self.mug_advert.price, self.tee_advert.price), (Decimal('11.40'), Decimal('23.88')))
        self.assertEqual(self.mug.rakuten_published_price, 11.40)
        self.assertEqual(self.mug.rakuten_push_result, 'Accepted by Rakuten')
        self.assertEqual(len(self._files()), 1, "nothing changed: no new file")
        self.mug.list_price = 10.0
        self._sync()
        price_change = self._files() - file
        self.assertEqual(self._sent(price_change), {
            'RK-MUG': {'sellerReference': 'RK-MUG', 'qty': '3', 'sellingPrice': '12.00'}}, "only the new price")
        self._stock(self.tee, 1)
        self._sync()
        quantity_change = self._files() - file - price_change
        self.assertEqual(self._sent(quantity_change), {
            'RK-TEE': {'sellerReference': 'RK-TEE', 'qty': '3', 'sellingPrice': '23.88'}})
        self._sync()
        self.assertEqual((self.mug.rakuten_published_price, self.tee_advert.stock), (12.0, 3))

    def test_price_changes_count_in_the_hourly_file_limit(self):
        self._stock(self.mug, 3)
        for index in range(10):
            self.mug.list_price = 10.0 + index  # 12.00, then 13.20 (10 % more), 14.40…
            if not index:
                self._review(self.mug)
            self._sync()
        self.assertEqual(len(self._files()), 10)
        self.mug.list_price = 30.0
        message = self._sync()
        self.assertEqual(len(self._files()), 10, "never more than 10 files an hour")
        self.assertIn('last hour', message)

    # --- Guards ---

    def test_floor_blocks_the_price_not_the_quantity(self):
        self.mug.standard_price = 10.0  # floor 12.00 > 11.40
        self._stock(self.mug, 3)
        self._stock(self.tee, 2)
        self._review(self.mug | self.tee)
        message = self._sync()
        sent = self._sent(self._files())
        self.assertEqual(sent['RK-MUG'], {'sellerReference': 'RK-MUG', 'qty': '3'}, "the quantity still goes")
        self.assertEqual(sent['RK-TEE']['sellingPrice'], '23.88', "the rest goes out")
        self.assertEqual(self.mug.rakuten_price_blocked, 'floor')
        self.assertIn('12.00\N{NO-BREAK SPACE}€', self.mug.rakuten_price_blocked_reason)
        self.assertIn('1 price blocked by the guards', message)
        action = self.env['ir.actions.act_window']._for_xml_id('rakuten_connector.action_rakuten_price_blocked')
        blocked = self.env['product.product'].search(ast.literal_eval(action['domain']))
        self.assertEqual(blocked, self.mug, "listed with the blocked prices")
        self._review(self.mug)
        self.assertEqual(self.mug.rakuten_price_blocked, 'floor', "a price under its floor cannot be confirmed")
        self.company.rakuten_min_margin = 10
        self.mug.standard_price = 8.0
        self.assertEqual(self.mug.rakuten_price_floor, 10.56, "8 × 1.10 + 20 % VAT")
        self.mug.rakuten_min_price = 11.0  # the product's own floor
        self._review(self.mug)  # its first price
        self._sync()
        self.assertEqual(self._sent(self._files()[0])['RK-MUG']['sellingPrice'], '11.40')
        self.assertFalse(self.mug.rakuten_price_blocked)
        self.assertFalse(self.mug.rakuten_price_blocked_reason)

    def test_large_drop_waits_for_a_confirmation(self):
        self._stock(self.mug, 3)
        self._review(self.mug)
        self._sync()
        self._sync()
        self.assertEqual(self.mug.rakuten_published_price, 11.40)
        self.mug.list_price = 8.0  # 9.60: 15.8 % lower, allowed
        self._sync()
        self._sync()
        self.assertEqual(self.mug.rakuten_published_price, 9.60)
        self.mug.list_price = 5.0  # 6.00: 37.5 % lower
        files = self._files()
        self._sync()
        self.assertEqual(self._files(), files, "nothing to send")
        self.assertEqual(self.mug.rakuten_price_blocked, 'drop')
        self.assertEqual(self._preview(self.mug), (6.0, 'drop'))
        self.assertIn('9.60\N{NO-BREAK SPACE}€', self.mug.rakuten_price_blocked_reason)
        self._review(self.mug)
        self.assertEqual(self.mug.rakuten_price_confirmed, 6.0)
        self.assertFalse(self.mug.rakuten_price_blocked)
        self._sync()
        self.assertEqual(self._sent(self._files()[0])['RK-MUG']['sellingPrice'], '6.00')
        self._sync()
        self.assertEqual((self.mug.rakuten_published_price, self.mug_advert.price), (6.0, Decimal('6.00')))
        self.mug.list_price = 4.5  # 5.40: the confirmation was for 6.00 only, but this drop is 10 %
        self._sync()
        self.assertEqual(self._sent(self._files()[0])['RK-MUG']['sellingPrice'], '5.40')

    # --- Rakuten's report ---

    def test_refused_line_shows_on_the_product(self):
        self.shop.adverts.pop(self.tee_advert.advertid)  # Rakuten has no advert for the tee
        self._stock(self.mug, 3)
        self._stock(self.tee, 2)
        self._review(self.mug | self.tee)
        self._sync()
        self._sync()
        self.assertEqual(self.mug.rakuten_published_price, 11.40)
        self.assertFalse(self.tee.rakuten_published_price, "a refused price is not published")
        self.assertIn('1015', self.tee.rakuten_push_result)
        line = self._files().line_ids.filtered(lambda line: line.sku == 'RK-TEE')
        self.assertEqual((line.state, line.price), ('error', 23.88))

    def test_zero_price_never_goes_out(self):
        self.company.rakuten_max_price_drop = 100
        (self.mug | self.tee).standard_price = 0.0
        self.mug.list_price = 0.0
        self._stock(self.mug, 3)
        self._sync()
        self.assertEqual(self._sent(self._files())['RK-MUG'], {'sellerReference': 'RK-MUG', 'qty': '3'})
        self.assertEqual(self.mug.rakuten_price_blocked, 'no_price')
        self.company.rakuten_price_sync = False
        self._sync()
        self.assertFalse(self.mug.rakuten_price_blocked, "without the price sync, no price is blocked")

    def test_reason_in_the_company_language(self):
        self.env['res.lang']._activate_lang('fr_FR')
        self.env['ir.module.module']._load_module_terms(['rakuten_connector'], ['fr_FR'], overwrite=True)
        self.company.partner_id.lang = 'fr_FR'
        self.mug.standard_price = 10.0
        self._stock(self.mug, 3)
        self.env['rakuten.stock.import'].with_context(lang='en_US')._cron_rakuten_stock()
        self.assertEqual(self.mug.with_context(lang='en_US').rakuten_price_blocked_reason,
                         "11,40\N{NO-BREAK SPACE}€ est sous le prix plancher de 12,00\N{NO-BREAK SPACE}€ (TTC).",
                         "French words, French amounts")

    def test_amounts_and_percentages_in_the_company_language_format(self):
        self.env['res.lang']._activate_lang('fr_FR')
        self.env['ir.module.module']._load_module_terms(['rakuten_connector'], ['fr_FR'], overwrite=True)
        self.company.rakuten_max_price_drop = 12.5
        self._stock(self.mug, 3)
        self._review(self.mug)
        self._sync()
        self._sync()
        self.assertEqual(self.mug.rakuten_published_price, 11.40)
        self.mug.list_price = 8.0  # 9.60: 15.8 % under 11.40
        for lang, reason in (
            ('en_US', "9.60\N{NO-BREAK SPACE}€ is more than 12.5 % under the last published price "
                      "(11.40\N{NO-BREAK SPACE}€): confirm it to publish it."),
            ('fr_FR', "9,60\N{NO-BREAK SPACE}€ est plus de 12,5 % sous le dernier prix publié "
                      "(11,40\N{NO-BREAK SPACE}€) : confirmez-le pour le publier."),
        ):
            with self.subTest(lang=lang):
                self.company.partner_id.lang = lang
                self.mug.rakuten_price_blocked_reason = False
                self.env['rakuten.stock.import'].with_context(lang='en_US')._cron_rakuten_stock()
                self.assertEqual(self.mug.rakuten_price_blocked, 'drop')
                self.assertEqual(self.mug.with_context(lang='en_US').rakuten_price_blocked_reason, reason)

    # --- Who confirms ---

    def test_a_sales_manager_confirms_a_blocked_price_a_salesman_cannot(self):
        self._stock(self.mug, 3)
        self._review(self.mug)
        self._sync()
        self._sync()
        self.mug.list_price = 5.0  # 6.00: 47 % under 11.40
        self._sync()
        self.assertEqual(self.mug.rakuten_price_blocked, 'drop')
        with self.assertRaises(AccessError):
            self.mug.with_user(self.salesman).action_rakuten_confirm_price()
        self.assertEqual(self.mug.rakuten_price_blocked, 'drop', "a salesman's click changes nothing")
        stock_cron = self.env.ref('rakuten_connector.ir_cron_rakuten_stock')
        self.env['ir.cron.trigger'].search([('cron_id', '=', stock_cron.id)]).unlink()
        self.mug.with_user(self.manager).action_rakuten_confirm_price()  # the button of Blocked Rakuten Prices
        self.assertEqual((self.mug.rakuten_price_confirmed, self.mug.rakuten_price_blocked), (6.0, False))
        self.assertTrue(self.env['ir.cron.trigger'].search([('cron_id', '=', stock_cron.id)]),
                        "a stock push is asked for")
        self._sync()
        self.assertEqual(self._sent(self._files()[0])['RK-MUG'], {
            'sellerReference': 'RK-MUG', 'qty': '3', 'sellingPrice': '6.00'})

    # --- The first price, rises ---

    def test_first_price_waits_for_a_review_against_rakutens_price_then_rises_are_guarded(self):
        """Rakuten shows 9.50 and 19.90 (prices typed in its back office); Odoo would publish 11.40 and
        23.88 (the sales prices plus VAT): nothing goes out before a sales manager has seen both."""
        self._stock(self.mug, 3)
        self._stock(self.tee, 2)
        message = self._sync()
        self.assertEqual(self._sent(self._files()), {
            'RK-MUG': {'sellerReference': 'RK-MUG', 'qty': '3'}, 'RK-TEE': {'sellerReference': 'RK-TEE', 'qty': '2'},
        }, "the quantities go, the prices wait")
        self.assertIn('2 prices blocked by the guards', message)
        self.assertEqual((self.mug.rakuten_price_blocked, self.tee.rakuten_price_blocked), ('review', 'review'))
        self.assertIn('9.50\N{NO-BREAK SPACE}€ on Rakuten today, 11.40\N{NO-BREAK SPACE}€ to publish',
                      self.mug.rakuten_price_blocked_reason)
        self.assertIn('19.90\N{NO-BREAK SPACE}€ on Rakuten today, 23.88\N{NO-BREAK SPACE}€ to publish',
                      self.tee.rakuten_price_blocked_reason)
        self.assertEqual(self.server.state.count('export'), 1, "Rakuten's prices read once")
        action = self.env['ir.actions.act_window']._for_xml_id('rakuten_connector.action_rakuten_price_blocked')
        review = self.env['product.product'].with_user(self.manager).search(ast.literal_eval(action['domain']))
        self.assertEqual(review, self.mug | self.tee, "the review is the list of blocked prices")
        self._sync()
        self.assertEqual(self.server.state.count('export'), 1, "read again only a day later")
        self.assertEqual((self.mug_advert.price, self.tee_advert.price), (Decimal('9.50'), Decimal('19.90')))
        with self.assertRaises(AccessError):
            review.with_user(self.salesman).action_rakuten_confirm_price()
        review.with_user(self.manager).action_rakuten_confirm_price()  # "Confirm prices" on the selection
        self._sync()
        self.assertEqual(self._sent(self._files()[0]), {
            'RK-MUG': {'sellerReference': 'RK-MUG', 'qty': '3', 'sellingPrice': '11.40'},
            'RK-TEE': {'sellerReference': 'RK-TEE', 'qty': '2', 'sellingPrice': '23.88'}})
        self._sync()
        self.assertEqual((self.mug_advert.price, self.tee_advert.price), (Decimal('11.40'), Decimal('23.88')))
        self.assertEqual((self.mug.rakuten_published_price, self.mug.rakuten_price_confirmed), (11.40, 0.0),
                         "published: the confirmation is used up")
        # A rise of more than 20 % (the default, beside the maximum drop) waits like a drop.
        self.assertEqual(self.env['res.company'].create({'name': 'Autre boutique'}).rakuten_max_price_rise, 20)
        files = self._files()
        self.mug.list_price = 12.0  # 14.40: 26 % over 11.40
        self.tee.list_price = 21.0  # 25.20: 5.5 % over 23.88, goes out
        self._sync()
        self.assertEqual(self._sent(self._files() - files), {
            'RK-TEE': {'sellerReference': 'RK-TEE', 'qty': '2', 'sellingPrice': '25.20'}})
        self.assertEqual(self.mug.rakuten_price_blocked, 'rise')
        self.assertIn('14.40\N{NO-BREAK SPACE}€ is more than 20 % above the last published price '
                      '(11.40\N{NO-BREAK SPACE}€)',
                      self.mug.rakuten_price_blocked_reason)
        # A confirmation is for that price: once the price moves, it is gone, even if the price comes back.
        self._review(self.mug)
        self.assertEqual(self.mug.rakuten_price_confirmed, 14.40)
        self.mug.list_price = 12.5  # 15.00
        self._sync()
        self.assertEqual((self.mug.rakuten_price_blocked, self.mug.rakuten_price_confirmed), ('rise', 0.0))
        self.mug.list_price = 12.0  # 14.40 again
        files = self._files()
        self._sync()
        self.assertEqual(self.mug.rakuten_price_blocked, 'rise', "the confirmation of 14.40 expired")
        self.assertFalse(self._files() - files, "nothing to send")
        self._review(self.mug)
        self._sync()
        self.assertEqual(self._sent(self._files()[0])['RK-MUG']['sellingPrice'], '14.40')

    # --- Rakuten refuses a price ---

    def test_refused_price_lets_the_quantity_go_alone_until_the_price_changes(self):
        self._stock(self.mug, 3)
        self._stock(self.tee, 2)
        self._review(self.mug | self.tee)
        self._sync()
        self._sync()
        self.assertEqual(self.mug.rakuten_published_price, 11.40)
        self.mug.list_price = 10.0  # 12.00, which Rakuten refuses (the whole line: the advert keeps 11.40 and 3)
        self.server.state.inject('refuse_price', 'genericimportfile', times=5)
        self._sync()
        self._sync()
        self.assertIn('1030', self.mug.rakuten_push_result)
        # Two buyers took the 3 mugs elsewhere: 0 must reach Rakuten, whatever its answer to the price.
        self._stock(self.mug, -3)
        files = self._files()
        self._sync()
        self.assertEqual(self._sent(self._files() - files), {'RK-MUG': {'sellerReference': 'RK-MUG', 'qty': '0'}},
                         "the quantity goes without the refused price")
        self.assertEqual(self.mug.rakuten_price_blocked, 'refused', "listed with the blocked prices")
        self.assertIn('Rakuten refused 12.00\N{NO-BREAK SPACE}€', self.mug.rakuten_price_blocked_reason)
        self._review(self.mug)
        self.assertEqual((self.mug.rakuten_price_blocked, self.mug.rakuten_price_confirmed), ('refused', 0.0),
                         "not confirmed: Rakuten would skip the same file again")
        self._sync()
        self.assertEqual((self.mug_advert.stock, self.mug_advert.price), (0, Decimal('11.40')))
        self.assertEqual((self.mug.rakuten_published_qty, self.mug.rakuten_listing_state), (0, 'ended'))
        # A new price goes out again.
        self.server.state.faults.clear()
        self.mug.list_price = 10.5  # 12.60
        self._sync()
        self.assertEqual(self._sent(self._files()[0])['RK-MUG'], {
            'sellerReference': 'RK-MUG', 'qty': '0', 'sellingPrice': '12.60'})
        self._sync()
        self.assertEqual((self.mug_advert.price, self.mug.rakuten_price_blocked), (Decimal('12.60'), False))

    # --- Currencies, taxes ---

    def test_pricelist_in_another_currency_is_converted_to_euros(self):
        """A USD pricelist: its fixed prices and surcharges are dollars, published in euros at today's rate."""
        usd = self.env.ref('base.USD')
        usd.active = True
        self.env['res.currency.rate'].create({'currency_id': usd.id, 'rate': 1.25, 'company_id': self.company.id,
                                              'name': fields.Date.context_today(self.env.user)})  # 1 € = 1.25 $
        pricelist = self.env['product.pricelist'].create({'name': 'Rakuten USD', 'currency_id': usd.id, 'item_ids': [
            Command.create({'applied_on': '0_product_variant', 'product_id': self.mug.id, 'compute_price': 'fixed',
                            'fixed_price': 15.0}),
            Command.create({'applied_on': '0_product_variant', 'product_id': self.tee.id, 'compute_price': 'formula',
                            'base': 'list_price', 'price_surcharge': 2.5}),
        ]})
        self.company.rakuten_pricelist_id = pricelist
        self.assertEqual(self._preview(self.mug)[0], 14.40, "15 $ = 12 €, + 20 % VAT")
        self.assertEqual(self._preview(self.tee)[0], 26.28, "19.90 € = 24.875 $, + 2.50 $ = 21.90 €, + 20 % VAT")
        self._stock(self.mug, 3)
        self._stock(self.tee, 2)
        self._review(self.mug | self.tee)
        self._sync()
        sent = self._sent(self._files())
        self.assertEqual((sent['RK-MUG']['sellingPrice'], sent['RK-TEE']['sellingPrice']), ('14.40', '26.28'))

    def test_product_without_sale_tax_is_blocked_with_that_reason(self):
        self.env['res.lang']._activate_lang('fr_FR')
        self.env['ir.module.module']._load_module_terms(['rakuten_connector'], ['fr_FR'], overwrite=True)
        self.company.partner_id.lang = 'fr_FR'
        other = self.env['res.company'].create({'name': 'Autre société'})
        other_vat = self.env['account.tax'].create({
            'name': 'TVA 20 % (autre société)', 'amount': 20, 'amount_type': 'percent', 'type_tax_use': 'sale',
            'company_id': other.id, 'country_id': self.env.ref('base.fr').id,
            'tax_group_id': self.env['account.tax.group'].create({
                'name': 'TVA', 'company_id': other.id, 'country_id': self.env.ref('base.fr').id}).id})
        self.tee.taxes_id = [Command.set(other_vat.ids)]  # a sale tax, but of another company only
        self._stock(self.mug, 3)
        self._stock(self.tee, 2)
        self._review(self.mug | self.tee)
        self.env['rakuten.stock.import'].with_context(lang='en_US')._cron_rakuten_stock()
        sent = self._sent(self._files())
        self.assertEqual(sent['RK-TEE'], {'sellerReference': 'RK-TEE', 'qty': '2'}, "never 19.90 VAT excluded")
        self.assertEqual(sent['RK-MUG']['sellingPrice'], '11.40')
        self.assertEqual(self.tee.rakuten_price_blocked, 'no_tax')
        self.assertIn('publié hors taxes', self.tee.with_context(lang='en_US').rakuten_price_blocked_reason,
                      "the reason, in the company's language")
        self._review(self.tee)
        self.assertEqual(self.tee.rakuten_price_blocked, 'no_tax', "it cannot be confirmed: a tax is needed")
        self.tee.taxes_id = [Command.set(self.vat.ids)]
        self._review(self.tee)
        self.env['rakuten.stock.import']._cron_rakuten_stock()
        self.assertEqual(self._sent(self._files()[0])['RK-TEE']['sellingPrice'], '23.88')
