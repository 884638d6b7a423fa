"""Model-based test of the unit ledger: random sequences of what Rakuten, buyers and the warehouse do.

Hypothesis drives the fake Rakuten server of two companies (new baskets, failed and back-office acceptances,
partial and full cancellations before and after shipping, quota stops, repeated pages, the three acceptance
policies), Odoo's warehouse (deliveries validated, whole or short without a backorder) and the seller's
salesman (an order cancelled, a line lowered: on Rakuten too or only in Odoo, the call maybe lost), runs the jobs
after each step (a faulty run is followed by a clean one: import, cancellations, despatch, invoices; the first
company invoices at delivery) and checks the unit ledger (tests/ledger.py, money included) after every step.
Each example starts from a clean state: its database changes are rolled back to a savepoint, the fake shops
emptied.

Normal run: a few examples with a fixed seed. Longer run (any seed-independent count)::

    RAKUTEN_LEDGER_EXAMPLES=200 scripts/run-tests -k test_ledger_stateful

``RAKUTEN_LEDGER_STEPS`` (default 10) sets the steps per example, ``RAKUTEN_LEDGER_POLICIES`` (e.g. ``all,manual``)
the acceptance policies drawn (the first one is each company's policy at the start; default: the shipped
default 'stock'), ``RAKUTEN_LEDGER_SHRINK=1`` shrinks a failure to its shortest sequence (minutes; on by default
when ``RAKUTEN_LEDGER_EXAMPLES`` is given).
"""
import contextlib
import os
from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, Phase, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from odoo import fields
from odoo.tests import Form, new_test_user, tagged

from ..models.rakuten_sale_item import CANCEL_SETTLED
from .common import RakutenShopCase
from .ledger import violations_by_kind

EXAMPLES = int(os.environ.get('RAKUTEN_LEDGER_EXAMPLES', '40'))
# Shrinking a failure to its shortest sequence takes minutes: on in a longer run, off in the normal run
# (which prints the failing sequence as found).
SHRINK = os.environ.get('RAKUTEN_LEDGER_SHRINK', '1' if 'RAKUTEN_LEDGER_EXAMPLES' in os.environ else '0') == '1'
STEPS = int(os.environ.get('RAKUTEN_LEDGER_STEPS', '10'))
POLICIES = tuple(os.environ.get('RAKUTEN_LEDGER_POLICIES', 'stock,all,manual').split(','))
# Rakuten prices, unlike the products' list prices (mug 9.50, tee 19.90, cap 12.00).
PRICES = {'RK-MUG': ('8.90', '11.20'), 'RK-TEE': ('17.50', '21.00'), 'RK-CAP': ('13.40', '10.90')}
SKUS = tuple(PRICES)
SHIPPING = ('1.90', '2.50', '3.20')
# Rakuten's item statuses the rules move between.
OPEN = ('TO_CONFIRM', 'ACCEPTED')

units = st.lists(st.tuples(st.sampled_from(SKUS), st.integers(0, 1)), min_size=1, max_size=4) \
    .filter(lambda drawn: len({sku for sku, _price in drawn}) <= 3)
companies = st.integers(0, 1)


@tagged('post_install', '-at_install')
class TestLedgerStateful(RakutenShopCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cap = cls._product('RK-CAP', 'Casquette', 12.00)
        cls.colissimo.rakuten_transporter_id = cls.env.ref('rakuten_connector.transporter_colissimo')
        cls.shop_b = cls.server.state.add_shop('boutique-ledger-b', 'token-ledger-b')
        cls.company_b = cls.env['res.company'].create({
            'name': 'Boutique Registre B', 'currency_id': cls.env.ref('base.EUR').id,
            'rakuten_enabled': True, 'rakuten_login': cls.shop_b.login, 'rakuten_token': cls.shop_b.token,
            'rakuten_base_url': cls.server.url, 'rakuten_default_carrier_id': cls.colissimo.id,
        })
        cls.env.user.company_ids |= cls.company_b
        cls.warehouse_b = cls.env['stock.warehouse'].search([('company_id', '=', cls.company_b.id)], limit=1)
        cls.warehouse_b.rakuten_stock_source = True
        cls.storekeeper = new_test_user(cls.env, login='ledger_storekeeper', groups='stock.group_stock_user',
                                        company_id=cls.company.id, company_ids=(cls.company | cls.company_b).ids)
        # The seller's salesman (who also sees the stock: Odoo needs it to cancel an order's deliveries).
        cls.salesman = new_test_user(cls.env, login='ledger_salesman',
                                     groups='sales_team.group_sale_salesman_all_leads,stock.group_stock_user',
                                     company_id=cls.company.id, company_ids=(cls.company | cls.company_b).ids)
        # The first company invoices at delivery and books Rakuten's transfers; the second does neither.
        cls.company.write({'rakuten_invoice_policy': 'delivery', 'rakuten_fee_tax_id': cls.env['account.tax'].create({
            'name': 'TVA déductible 20 % (registre)', 'amount': 20, 'type_tax_use': 'purchase',
            'company_id': cls.company.id}).id})

    def test_ledger_stateful(self):
        """Every Rakuten unit ends in exactly one right place, whatever happens in whatever order."""
        case = self

        class Ledger(LedgerMachine):
            test = case

        run_state_machine_as_test(Ledger, settings=settings(
            max_examples=EXAMPLES, stateful_step_count=STEPS, derandomize=True, database=None, deadline=None,
            suppress_health_check=list(HealthCheck), print_blob=False,
            phases=[phase for phase in Phase if SHRINK or phase not in (Phase.shrink, Phase.explain)]))


class LedgerMachine(RuleBasedStateMachine):
    """The state is the fake shops and the Odoo database; the model is the ledger's invariants."""
    test = None

    def __init__(self):
        super().__init__()
        test = self.test
        self.env = test.env
        self.state = test.server.state
        self.shops = (test.shop, test.shop_b)
        self.companies = (test.company, test.company_b)
        self.warehouses = (test.warehouse, test.warehouse_b)
        self.products = {'RK-MUG': test.mug, 'RK-TEE': test.tee, 'RK-CAP': test.cap}
        self._clear_fake()
        self.savepoint = self.env.cr.savepoint()
        test._set_workers(1)  # the calls of a run in one order: a fault hits the same unit at each replay
        (self.companies[0] | self.companies[1]).write({'rakuten_accept_policy': POLICIES[0],
                                                       'rakuten_last_order_sync': False})
        self.failed_runs = []
        self.tracking = 0
        self.payday = fields.Date.today()
        self.kept_on_rakuten = set()  # units a user chose to leave on Rakuten (only in Odoo, decide later)

    def teardown(self):
        self.savepoint.close(rollback=True)
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        self._clear_fake()

    def _clear_fake(self):
        with self.state.lock:
            self.state.faults.clear()
            self.state.calls.clear()
            for shop in self.shops:
                shop.sales.clear()
                shop.imports.clear()
                shop.operations.clear()
                shop.compensations.clear()
                shop.license_fee_periods.clear()
                shop.pending_adjustments.clear()

    # --- jobs ---

    def _faulty_run(self, company, kind, action, times=1, after=0):
        self.state.inject(kind, action, times=times, after=after)
        # The clean run that follows says whether runs crash.
        with contextlib.suppress(Exception):
            self.env['rakuten.sale']._rakuten_import(company)
        self.env['rakuten.sale.item']._cron_rakuten_cancel()
        self.env['stock.picking']._cron_rakuten_despatch()
        self.state.faults.clear()

    def _clean_run(self):
        """What the scheduled jobs do, no fault: import of each company, then the cancellation, despatch and
        invoice jobs."""
        self.failed_runs = []
        for company in self.companies:
            try:
                self.env['rakuten.sale']._rakuten_import(company)
            except Exception as error:  # noqa: BLE001 - a run that crashes is reported by the invariant
                self.failed_runs.append(f'{company.name}: {type(error).__name__}: {error}')
                continue
            if company.rakuten_import_state != 'ok':
                self.failed_runs.append(f'{company.name}: {company.rakuten_import_message}')
        self._job('cancellations', self.env['rakuten.sale.item']._cron_rakuten_cancel)
        self.env['stock.picking']._cron_rakuten_despatch()
        self._job('invoices', self.env['sale.order']._cron_rakuten_invoice)
        self._job('payouts', self.env['rakuten.payout']._cron_rakuten_payouts)

    def _job(self, name, job):
        try:
            job()
        except Exception as error:  # noqa: BLE001 - a job that crashes is reported by the invariant
            self.failed_runs.append(f'{name} job: {type(error).__name__}: {error}')

    def _items(self, index, statuses):
        return [item for _sale, item in self.shops[index].items() if item.status in statuses]

    # --- rules ---

    @initialize(first=units, second=units)
    def opening_baskets(self, first, second):
        """Each shop starts with a basket its stock covers: every example has orders to ship, cancel, invoice."""
        for index, drawn in enumerate((first, second)):
            self._add_basket(index, drawn, SHIPPING[index], stocked=True)
        self._clean_run()

    def _add_basket(self, index, drawn, shipping, stocked):
        purchase = self.shops[index].add_sale([(sku, PRICES[sku][price]) for sku, price in drawn],
                                              shipping_type='Suivi')
        for item in purchase.items:
            item.shipping_price = Decimal(shipping)
        if stocked:
            for sku, _price in drawn:
                self.env['stock.quant']._update_available_quantity(
                    self.products[sku], self.warehouses[index].lot_stock_id, 1)

    @rule(index=companies, drawn=units, shipping=st.sampled_from(SHIPPING), stocked=st.booleans(),
          fault=st.sampled_from((None, None, 'unavailable', 'http503')), after=st.integers(0, 3))
    def new_basket(self, index, drawn, shipping, stocked, fault, after):
        """A buyer orders 1–4 units of 1–3 SKUs; the stock may cover them; an acceptance call may fail."""
        self._add_basket(index, drawn, shipping, stocked)
        if fault:
            self._faulty_run(self.companies[index], fault, 'acceptsale', after=min(after, len(drawn) - 1))
        self._clean_run()

    @rule(index=companies, policy=st.sampled_from(POLICIES))
    def set_policy(self, index, policy):
        self.companies[index].rakuten_accept_policy = policy
        self._clean_run()

    @rule(index=companies, pick=st.integers(0, 50))
    def back_office_acceptance(self, index, pick):
        """The seller accepts a unit in Rakuten's back office."""
        items = self._items(index, ('TO_CONFIRM',))
        if items:
            items[pick % len(items)].status = 'ACCEPTED'
        self._clean_run()

    @rule(index=companies, pick=st.integers(0, 50), whole=st.booleans())
    def cancellation(self, index, pick, whole):
        """Rakuten cancels a unit, or every open unit of its basket (before or after it was shipped)."""
        choices = [(sale, item) for sale, item in self.shops[index].items() if item.status in OPEN]
        if choices:
            sale, item = choices[pick % len(choices)]
            for unit in (sale.items if whole else [item]):
                if unit.status in OPEN:
                    unit.status = 'CANCELLED'
        self._clean_run()

    @rule(index=companies, pick=st.integers(0, 50), quota=st.booleans(), short=st.booleans())
    def ship(self, index, pick, quota, short):
        """The warehouse validates a delivery (a storekeeper's click), whole or a unit short without a backorder;
        the despatch job tells Rakuten, maybe after a quota stop."""
        pickings = self.env['stock.picking'].search([
            ('company_id', '=', self.companies[index].id), ('picking_type_code', '=', 'outgoing'),
            ('state', 'not in', ('done', 'cancel', 'draft')), ('sale_id.rakuten_purchase_ref', '!=', False)],
            order='id')
        if pickings:
            picking = pickings[pick % len(pickings)]
            self.tracking += 1
            picking = picking.with_user(self.test.storekeeper).with_company(picking.company_id)
            picking.carrier_tracking_ref = f'6A{self.tracking:011d}'
            moves = picking.move_ids.filtered(lambda move: move.state != 'cancel')
            for move in moves:
                move.quantity = move.product_uom_qty
            if short and sum(moves.mapped('product_uom_qty')) > 1:
                moves[0].quantity -= 1
            picking.with_context(skip_backorder=True, skip_sms=True,
                                 picking_ids_not_to_backorder=picking.ids if short else []).button_validate()
            if quota:
                self._faulty_run(self.companies[index], 'quota', 'importitemshippingstatus')
        self._clean_run()

    @rule(index=companies, pick=st.integers(0, 50), whole=st.booleans(), on_rakuten=st.booleans(),
          fault=st.sampled_from((None, None, 'http503', 'quota')))
    def seller_cancels(self, index, pick, whole, on_rakuten, fault):
        """The salesman cancels an order (nothing left yet) or lowers a line by a unit, and answers the dialog:
        cancel on Rakuten too, or only in Odoo (or, for a unit left on Rakuten by a delivery, decide now)."""
        orders = self.env['sale.order'].search([
            ('company_id', '=', self.companies[index].id), ('state', '=', 'sale'),
            ('rakuten_sale_id', '!=', False)], order='id')
        orders = orders.filtered(lambda order: order.rakuten_units_cancellable)
        if orders:
            order = orders[pick % len(orders)].with_user(self.test.salesman).with_company(self.companies[index])
            if order.rakuten_units_to_decide:
                action = order.action_rakuten_cancel_units()
            elif whole and not any(order.order_line.mapped('qty_delivered')):
                action = order.action_cancel()
            else:
                lines = order.order_line.filtered(
                    lambda line: line.rakuten_item_ids._rakuten_cancellable()
                    and line.product_uom_qty > line.qty_delivered)
                lines[pick % len(lines)].product_uom_qty -= 1
                action = order.action_rakuten_cancel_units()
            dialog = self.env['rakuten.cancel'].with_user(self.test.salesman).with_context(**action['context'])
            dialog = Form(dialog).save()
            itemids = set(dialog.item_ids.mapped('itemid'))
            if on_rakuten:
                dialog.action_cancel_on_rakuten()
                self.kept_on_rakuten -= itemids
            else:
                if dialog.cancel_orders:
                    dialog.action_odoo_only()
                self.kept_on_rakuten |= itemids  # the user left them on Rakuten: never cancelled there
            if fault:
                self._faulty_run(self.companies[index], fault, 'cancelitem')
                # Time passes: a read of the sale now settles a cancellation whose answer was lost.
                self.env['rakuten.sale.item'].search([('cancel_state', '=', 'to_check')]).write({
                    'cancel_date': fields.Datetime.now() - CANCEL_SETTLED - timedelta(minutes=1)})
        self._clean_run()

    @rule(received=st.booleans(), fault=st.sampled_from((None, None, 'quota', 'repeat_page')))
    def payout(self, received, fault):
        """Rakuten's next transfer to the first company: the units whose buyers confirmed receipt (or all the
        units that left), the month's subscription, the units cancelled after they were paid taken back."""
        shop = self.shops[0]
        for _sale, item in shop.items():
            if received and item.tracking and not item.received_date:
                shop.receive(item.itemid)
        self.payday += timedelta(days=1)
        while self.payday.weekday() not in (0, 3):
            self.payday += timedelta(days=1)
        shop.pay_out(self.payday)
        if fault:
            self.state.inject(fault, 'getoperations' if fault == 'repeat_page' else 'getcompensationdetails')
            self.env['rakuten.payout']._cron_rakuten_payouts()
            self.state.faults.clear()
        self._clean_run()

    @rule(index=companies, action=st.sampled_from(('getnewsales', 'acceptsale', 'getcurrentsales',
                                                   'getbillinginformation')))
    def quota_stop(self, index, action):
        self._faulty_run(self.companies[index], 'quota', action)
        self._clean_run()

    @rule(index=companies, action=st.sampled_from(('getnewsales', 'getcurrentsales')))
    def repeated_page(self, index, action):
        self._faulty_run(self.companies[index], 'repeat_page', action)
        self._clean_run()

    # --- the model ---

    @invariant()
    def ledger_holds(self):
        """After a clean run: every unit in its place. Each kind fails on its own line, so that Hypothesis
        reports (and shrinks) each kind of breakage as a distinct bug."""
        if self.failed_runs:
            raise AssertionError('a clean import run failed: ' + '; '.join(self.failed_runs))
        cancelled_anyway = sorted(item.itemid for shop in self.shops for _sale, item in shop.items()
                                  if item.itemid in self.kept_on_rakuten and item.cancel_calls)
        if cancelled_anyway:
            raise AssertionError(f'units the user left on Rakuten cancelled there: {cancelled_anyway}')
        found = {}
        for company, shop in zip(self.companies, self.shops):
            for kind, texts in violations_by_kind(self.env, company, shop).items():
                found.setdefault(kind, []).extend(f'[{company.name}] {text}' for text in texts)
        message = '\n- '.join(text for texts in found.values() for text in texts)
        if 'to_confirm' in found:
            raise AssertionError('units left undecided or not waiting for a user:\n- ' + message)
        if 'accepted' in found:
            raise AssertionError('accepted units off their place:\n- ' + message)
        if 'gone' in found:
            raise AssertionError('cancelled or refused units still ordered or shipped:\n- ' + message)
        if 'price' in found:
            raise AssertionError('units at a price the buyer did not pay:\n- ' + message)
        if 'lines' in found:
            raise AssertionError('order lines carrying other quantities than their units:\n- ' + message)
        if 'totals' in found:
            raise AssertionError('order totals unlike what the buyer paid:\n- ' + message)
        if 'despatch' in found:
            raise AssertionError('units despatched twice or never:\n- ' + message)
        if 'seller' in found:
            raise AssertionError("seller's cancellations sent twice, never or wrongly:\n- " + message)
        if 'money' in found:
            raise AssertionError('units invoiced unlike what left and was kept:\n- ' + message)
        if 'payout' in found:
            raise AssertionError("Rakuten's transfers booked unlike what Rakuten paid:\n- " + message)

