"""What the fake Rakuten service remembers: shops, their sales, adverts, import files, faults, calls."""
import itertools
import random
import threading
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from .. import const

PARIS = ZoneInfo(const.RAKUTEN_TIMEZONE)
CENT = Decimal('0.01')
# The fake's tariff (Rakuten's depends on the category): commissions in percent of the item's price and of the
# shipping paid, VAT on commissions and on the subscription, the monthly subscription excluding tax.
COMMISSION_RATE = Decimal('12')
SHIPPING_COMMISSION_RATE = Decimal('10')
VAT_RATE = Decimal('20')
LICENSE_FEE = Decimal('39.99')
PAYOUT_TIME = time(8, 0)  # the hour of a transfer when a payout is asked for a day
# Ids never repeat across runs of the fake server, so a database that met one run can meet the next.
_ids = itertools.count(random.SystemRandom().randrange(10 ** 6) * 1000 + 1)


def next_id(base):
    return str(base + next(_ids))


@dataclass
class FakeItem:
    itemid: str
    sku: str
    advertid: str
    headline: str
    price: Decimal
    listed_price: Decimal
    status: str = const.STATUS_TO_CONFIRM
    shipping_price: Decimal = Decimal('0')
    shipping_from_country: str = ''
    tracking: dict | None = None  # transporter, number, url of the last despatch confirmation
    tracking_calls: int = 0  # how many despatch notifications the buyer got for this item
    cancel_calls: int = 0  # how many seller cancellations (``cancelitem``) reached this item
    # After-sales (naive Paris dates, as Rakuten shows them)
    messages: list = field(default_factory=list)  # dicts: sender, recipient, date, content, status
    mails: list = field(default_factory=list)  # dicts: mailid, sender, recipient, date, object, content, status
    claim: dict | None = None  # creationdate, type, state, amicable, comment
    logs: list = field(default_factory=list)  # dicts: date, code, description, complement
    received_date: datetime | None = None  # when the buyer declared receipt
    paid_in: str = ''  # the compensation that paid the item
    charged_back_in: str = ''  # the compensation that took it back after a cancellation

    def charges(self):
        """Commissions, their VAT and the net paid to the seller, as billing and payouts show them."""
        commission = _percent(self.price, COMMISSION_RATE)
        shipping_commission = _percent(self.shipping_price, SHIPPING_COMMISSION_RATE)
        charges = {'item_commission': commission, 'item_commission_vat': _percent(commission, VAT_RATE),
                   'shipping_commission': shipping_commission,
                   'shipping_commission_vat': _percent(shipping_commission, VAT_RATE)}
        charges['payment'] = self.price + self.shipping_price - sum(charges.values())
        return charges


def _percent(amount, rate):
    return (amount * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class FakeSale:
    purchaseid: str
    purchase_date: datetime  # naive, Paris local time, as Rakuten shows it
    shipping_type: str
    buyer_login: str
    buyer_email: str
    billing: dict
    delivery: dict | None = None
    relay: dict | None = None
    items: list = field(default_factory=list)

    @property
    def shipping_cost(self):
        return sum((item.shipping_price for item in self.items), Decimal('0'))


@dataclass
class FakeAdvert:
    advertid: str
    sku: str
    stock: int
    price: Decimal
    headline: str = ''
    product_id: str = ''
    barcode: str = ''


@dataclass
class FakeImport:
    importid: str
    content: bytes
    uploaded: datetime
    status: str = 'En attente'
    polls: int = 0
    lines: list = field(default_factory=list)  # dicts: sku (or itemid), status, pid, aid, errors
    kind: str = 'stock'  # 'stock' (genericimportfile) or 'despatch' (a queued importitemshippingstatus file)
    refuse_price: bool = False  # the 'refuse_price' fault: every line carrying a sellingPrice is refused


@dataclass
class Fault:
    """An injected failure: ``kind`` for ``times`` calls of ``action`` ('*' = any), after ``after`` calls."""
    kind: str
    action: str = '*'
    times: int = 1
    delay: float = 2.0
    after: int = 0


def _now():
    return datetime.now(PARIS).replace(tzinfo=None, second=0, microsecond=0)


class AfterSalesMixin:
    """Buyer messages, customer-service mails and claims of a shop's items (getiteminfos, replies)."""

    CUSTOMER_SERVICE = 'Rakuten'

    def add_message(self, itemid, content, sender=None, date=None):
        """A message from the buyer (or ``sender``) to the seller, unread; ``date``: a datetime, or a string sent
        as it is (a date the connector cannot read)."""
        sale, item = self.find_item(itemid)
        message = {'sender': sender or sale.buyer_login, 'recipient': self.login, 'date': date or _now(),
                   'content': content, 'status': 'UNREAD'}
        item.messages.append(message)
        return message

    def add_mail(self, itemid, content, subject='', date=None, sender=None):
        """A mail from Rakuten's customer service to the seller, unread; returns it (``mailid``)."""
        _sale, item = self.find_item(itemid)
        mail = {'mailid': next_id(2900000000), 'sender': sender or self.CUSTOMER_SERVICE, 'recipient': self.login,
                'date': date or _now(), 'object': subject or f'Concernant votre vente ({itemid})',
                'content': content, 'status': 'UNREAD'}
        item.mails.append(mail)
        return mail

    def open_claim(self, itemid, claim_type='DAMAGED', amicable=True, comment='', date=None):
        sale, item = self.find_item(itemid)
        created = date or _now()
        item.claim = {'creationdate': created, 'type': claim_type, 'state': 'NEW', 'amicable': amicable,
                      'comment': comment}
        item.status = 'ON_HOLD'
        item.logs.append({'date': created, 'code': 'AMICABLE_CLAIM_CREATION' if amicable else 'CLAIM_CREATION',
                          'description': f'{sale.buyer_login} a ouvert une réclamation.', 'complement': comment})
        return item.claim

    def todo_causes(self, item):
        causes = []
        if item.claim and item.claim['state'] not in const.CLAIM_CLOSED_STATES:
            causes.append(const.TODO_CLAIM)
        if any(m['status'] == 'UNREAD' and m['recipient'] == self.login for m in item.messages):
            causes.append(const.TODO_UNREAD_FROM_BUYER)
        if any(m['status'] == 'UNREAD' and m['recipient'] == self.login for m in item.mails):
            causes.append(const.TODO_UNREAD_FROM_SERVICE)
        return causes

    def unread(self):
        """How many messages and mails to the seller are still unread on "Rakuten"."""
        return sum(1 for _sale, item in self.items() for m in item.messages + item.mails
                   if m['status'] == 'UNREAD' and m['recipient'] == self.login)


@dataclass
class FakeOperation:
    operationid: str
    date: datetime  # naive, Paris local time
    amount: Decimal  # signed: > 0 to the seller
    compensationid: str = ''
    cause: str = const.OPERATION_CAUSE_TRANSFER
    state: str = 'FINALIZED'

    @property
    def type(self):
        return const.OPERATION_CREDIT if self.amount >= 0 else const.OPERATION_DEBIT


@dataclass
class FakeCompensation:
    """One transfer's lines: (sale, item, item status then) paid and taken back, adjustments and subscription
    fees (dicts)."""
    compensationid: str
    date: datetime  # naive, Paris local time
    invoicenumber: str
    payments: list = field(default_factory=list)
    cancelled: list = field(default_factory=list)
    adjustments: list = field(default_factory=list)  # dicts: sale, item, amount, vat_rate
    fees: list = field(default_factory=list)  # dicts: licensefeeid, period, excl, vat, incl
    assets: list = field(default_factory=list)  # same, refunded

    @property
    def total(self):
        return (sum((item.charges()['payment'] for _sale, item, _status in self.payments), Decimal('0'))
                - sum((item.charges()['payment'] for _sale, item, _status in self.cancelled), Decimal('0'))
                + sum((line['amount'] for line in self.adjustments), Decimal('0'))
                - sum((fee['incl'] for fee in self.fees), Decimal('0'))
                + sum((fee['incl'] for fee in self.assets), Decimal('0')))


def _payout_moment(when):
    if when is None:
        when = _now().date()
    if not isinstance(when, datetime):
        when = datetime.combine(when, PAYOUT_TIME)
    return when.replace(microsecond=0)


class WalletMixin:
    """Payouts (§11): items shipped and received (or ordered 23 days ago without a claim) are paid on Mondays
    and Thursdays; a paid item cancelled since is taken back; adjustments and the monthly subscription ride along.
    Each transfer is one compensation and one ``salestransfer`` operation of the wallet."""

    def receive(self, itemid, when=None):
        """The buyer confirms receipt (and rates the sale): the item is paid at the next payout."""
        _sale, item = self.find_item(itemid)
        item.received_date = when or _now()
        return item

    def add_adjustment(self, itemid, amount, vat_rate='0'):
        """An adjustment about an item (signed: > 0 to the seller), paid with the next transfer."""
        sale, item = self.find_item(itemid)
        self.pending_adjustments.append({'sale': sale, 'item': item, 'status': item.status,
                                         'amount': Decimal(str(amount)), 'vat_rate': Decimal(str(vat_rate))})

    def refund_license_fee(self, period):
        """Give back the subscription of ``period`` (``MM/YYYY``) with the next transfer."""
        self.pending_fee_assets.append(self._license_fee(period))

    def _license_fee(self, period):
        vat = _percent(self.license_fee, VAT_RATE)
        return {'licensefeeid': next_id(30000), 'period': period, 'excl': self.license_fee, 'vat': vat,
                'incl': self.license_fee + vat}

    def payable(self, sale, item, when):
        """Whether ``item`` is paid by a transfer at ``when``: shipped, no open claim, received or ordered long
        enough ago, not paid yet."""
        claim_open = item.claim and item.claim['state'] not in const.CLAIM_CLOSED_STATES
        due = ((item.received_date is not None and item.received_date <= when)
               or sale.purchase_date + timedelta(days=const.PAYOUT_DAYS_AFTER_ORDER) <= when)
        return bool(item.tracking and not item.paid_in and item.status in const.SHIPPABLE_STATUSES
                    and not claim_open and due)

    def pay_out(self, when=None):
        """The transfer of ``when`` (a Monday or Thursday; a day means 08:00 Paris); None when it has nothing."""
        when = _payout_moment(when)
        if when.weekday() not in const.PAYOUT_WEEKDAYS:
            raise ValueError(f'Rakuten pays on Mondays and Thursdays, not on {when:%A %d/%m/%Y}.')
        compensation = FakeCompensation(next_id(600000), when, next_id(120000))
        compensation.payments = [(sale, item, item.status) for sale, item in self.items()
                                 if self.payable(sale, item, when)]
        compensation.cancelled = [(sale, item, item.status) for sale, item in self.items() if item.paid_in
                                  and not item.charged_back_in and item.status == const.STATUS_CANCELLED]
        compensation.adjustments, self.pending_adjustments = self.pending_adjustments, []
        compensation.assets, self.pending_fee_assets = self.pending_fee_assets, []
        period = when.strftime('%m/%Y')
        if self.license_fee is not None and period not in self.license_fee_periods:
            self.license_fee_periods.add(period)
            compensation.fees.append(self._license_fee(period))
        if not (compensation.payments or compensation.cancelled or compensation.adjustments or compensation.fees
                or compensation.assets):
            return None
        for _sale, item, _status in compensation.payments:
            item.paid_in = compensation.compensationid
        for _sale, item, _status in compensation.cancelled:
            item.charged_back_in = compensation.compensationid
        self.compensations[compensation.compensationid] = compensation
        self.operations.append(FakeOperation(next_id(502000000), when, compensation.total,
                                             compensation.compensationid))
        return compensation

    def pay_outs(self, start, end):
        """Every transfer from ``start`` to ``end`` (dates, both included), Mondays and Thursdays."""
        days = (start + timedelta(days=offset) for offset in range((end - start).days + 1))
        return [paid for day in days if day.weekday() in const.PAYOUT_WEEKDAYS
                for paid in [self.pay_out(day)] if paid is not None]


@dataclass
class Shop(AfterSalesMixin, WalletMixin):
    login: str
    token: str
    seller_id: str
    sales: dict = field(default_factory=dict)  # purchaseid -> FakeSale
    adverts: dict = field(default_factory=dict)  # advertid -> FakeAdvert
    imports: dict = field(default_factory=dict)  # importid -> FakeImport
    todo: list = field(default_factory=list)  # (itemid, [causes])
    quota_per_hour: int | None = None
    # Wallet (§11)
    operations: list = field(default_factory=list)  # FakeOperation
    compensations: dict = field(default_factory=dict)  # compensationid -> FakeCompensation
    pending_adjustments: list = field(default_factory=list)
    pending_fee_assets: list = field(default_factory=list)
    license_fee: Decimal | None = LICENSE_FEE  # monthly, excluding tax; None: no subscription
    license_fee_periods: set = field(default_factory=set)  # ``MM/YYYY`` already charged
    # A despatch of a unit already shipped: False, taken again (the buyer gets another "shipped" mail, as
    # ``tracking_calls`` counts); True, refused ("already shipped"): both are guesses (doc/rakuten-api.md §4.8).
    refuse_reship: bool = False

    def items(self):
        for sale in self.sales.values():
            for item in sale.items:
                yield sale, item

    def find_item(self, itemid):
        return next(((sale, item) for sale, item in self.items() if item.itemid == itemid), (None, None))

    def advert_by_sku(self, sku):
        return next((advert for advert in self.adverts.values() if advert.sku == sku), None)

    def add_advert(self, sku, stock=0, price='10.00', headline='', barcode=''):
        advertid = next_id(400000000)
        self.adverts[advertid] = FakeAdvert(advertid, sku, int(stock), Decimal(str(price)),
                                            headline or sku, next_id(9000000), barcode)
        return self.adverts[advertid]

    def add_sale(self, items, *, shipping_type='Normal', buyer=None, relay=None, purchase_date=None,
                 status=const.STATUS_TO_CONFIRM, shipping_price='0', purchaseid=None):
        """Add a basket. ``items``: (sku, price) pairs, one per unit; ``buyer``: address dict;
        ``shipping_price``: what the buyer paid for shipping, on the first unit, or a list: per unit (Rakuten
        bills shipping per item)."""
        buyer = dict(buyer or {})
        buyer.setdefault('civility', 'M.')
        buyer.setdefault('firstname', 'Jean')
        buyer.setdefault('lastname', 'Dupont')
        buyer.setdefault('address1', '1 rue de la Paix')
        buyer.setdefault('zipcode', '75002')
        buyer.setdefault('city', 'Paris')
        buyer.setdefault('country', 'France')
        buyer.setdefault('countryalpha2', 'FX')
        buyer.setdefault('phonenumber1', '0102030405')
        login = buyer.pop('login', None) or f"{buyer['firstname']}{buyer['lastname']}".lower().replace(' ', '')
        email = buyer.pop('email', None) or f'{login}@example.fr'
        sale = FakeSale(
            purchaseid=purchaseid or next_id(1000000000),
            purchase_date=purchase_date or datetime.now(PARIS).replace(tzinfo=None, second=0, microsecond=0),
            shipping_type=shipping_type, buyer_login=login, buyer_email=email, billing=dict(buyer),
            delivery=None if relay else dict(buyer), relay=relay,
        )
        shipping = (list(shipping_price) if isinstance(shipping_price, (list, tuple))
                    else [shipping_price] + ['0'] * (len(items) - 1))
        for (sku, price), unit_shipping in zip(items, shipping, strict=True):
            advert = self.advert_by_sku(sku) or self.add_advert(sku, stock=10, price=price)
            sale.items.append(FakeItem(
                itemid=next_id(2000000000), sku=sku, advertid=advert.advertid, headline=advert.headline,
                price=Decimal(str(price)), listed_price=advert.price, status=status,
                shipping_price=Decimal(str(unit_shipping)),
            ))
        self.sales[sale.purchaseid] = sale
        return sale


class FakeState:
    """All shops plus the transport-level behaviour (faults, paging, async imports, call log)."""

    def __init__(self, login='boutique-demo', token='test-token', seller_id='123456'):
        self.lock = threading.RLock()
        self.shops = {}
        self.faults = []
        self.calls = []  # (login, action, params without pwd)
        self.page_size = 10
        self.import_polls = 1  # report polls answered "En attente" before a file is processed
        self.latency = 0.0  # seconds added to every web service call (a real network's round trip)
        self.in_flight = self.max_in_flight = 0  # calls being answered now, and the most at once
        self.add_shop(login, token, seller_id)
        self.default_login = login

    def add_shop(self, login, token, seller_id=None):
        with self.lock:
            self.shops[login] = Shop(login, token, seller_id or next_id(100000))
            return self.shops[login]

    @property
    def shop(self):
        return self.shops[self.default_login]

    def inject(self, kind, action='*', times=1, delay=2.0, after=0):
        with self.lock:
            self.faults.append(Fault(kind, action, times, delay, after))

    def take_fault(self, action):
        with self.lock:
            for fault in self.faults:
                if fault.action in ('*', action) and fault.times > 0:
                    if fault.after > 0:
                        fault.after -= 1
                        continue
                    fault.times -= 1
                    if fault.times == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def count(self, action, login=None):
        return sum(1 for who, name, _params in self.calls if name == action and (login is None or who == login))

    def summary(self):
        """JSON-able picture of every shop, for the control API and the demo."""
        with self.lock:
            result = {}
            for login, shop in self.shops.items():
                statuses = {}
                for _sale, item in shop.items():
                    statuses[item.status] = statuses.get(item.status, 0) + 1
                result[login] = {
                    'sales': len(shop.sales), 'items_by_status': statuses,
                    'items_shipped': sum(1 for _s, item in shop.items() if item.tracking),
                    'tracking_notifications': sum(item.tracking_calls for _s, item in shop.items()),
                    'adverts': {advert.sku: advert.stock for advert in shop.adverts.values()},
                    'imports': {i.importid: i.status for i in shop.imports.values()},
                    'payouts': {o.operationid: str(o.amount) for o in shop.operations},
                }
            calls = {}
            for _login, action, _params in self.calls:
                calls[action] = calls.get(action, 0) + 1
            return {'shops': result, 'calls': calls}
