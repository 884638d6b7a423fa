"""What the fake Rakuten service remembers: shops, their sales, adverts, import files, faults, calls."""
import itertools
import random
import threading
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from .. import const

PARIS = ZoneInfo(const.RAKUTEN_TIMEZONE)
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
    # After-sales (naive Paris dates, as Rakuten shows them)
    messages: list = field(default_factory=list)  # dicts: sender, recipient, date, content, status
    mails: list = field(default_factory=list)  # dicts: mailid, sender, recipient, date, object, content, status
    claim: dict | None = None  # creationdate, type, state, amicable, comment
    logs: list = field(default_factory=list)  # dicts: date, code, description, complement
    received_date: datetime | None = None  # when the buyer declared receipt


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
        """A message from the buyer (or ``sender``) to the seller, unread."""
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
class Shop(AfterSalesMixin):
    login: str
    token: str
    seller_id: str
    sales: dict = field(default_factory=dict)  # purchaseid -> FakeSale
    adverts: dict = field(default_factory=dict)  # advertid -> FakeAdvert
    imports: dict = field(default_factory=dict)  # importid -> FakeImport
    todo: list = field(default_factory=list)  # (itemid, [causes])
    quota_per_hour: int | None = None
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
        """Add a basket. ``items``: (sku, price) pairs, one per unit; ``buyer``: address dict."""
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
        for index, (sku, price) in enumerate(items):
            advert = self.advert_by_sku(sku) or self.add_advert(sku, stock=10, price=price)
            sale.items.append(FakeItem(
                itemid=next_id(2000000000), sku=sku, advertid=advert.advertid, headline=advert.headline,
                price=Decimal(str(price)), listed_price=advert.price, status=status,
                shipping_price=Decimal(str(shipping_price)) if index == 0 else Decimal('0'),
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
                }
            calls = {}
            for _login, action, _params in self.calls:
                calls[action] = calls.get(action, 0) + 1
            return {'shops': result, 'calls': calls}
