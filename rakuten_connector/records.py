"""What the Rakuten web services answer, as plain dataclasses (no XML, no Odoo)."""
import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal

from . import const


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str = 'EUR'


@dataclass(frozen=True)
class Address:
    civility: str = ''
    firstname: str = ''
    lastname: str = ''
    address1: str = ''
    address2: str = ''
    zipcode: str = ''
    city: str = ''
    country: str = ''
    country_code: str = ''  # ISO alpha-2 (Rakuten's FX already turned into FR)
    phone: str = ''
    mobile: str = ''

    @property
    def name(self):
        return ' '.join(part for part in (self.firstname, self.lastname) if part)


@dataclass(frozen=True)
class RelayPoint:
    """A collection point (relay) the buyer chose instead of home delivery."""
    id: str
    name: str = ''
    address: str = ''
    zipcode: str = ''
    city: str = ''
    country: str = ''
    civility: str = ''
    firstname: str = ''
    lastname: str = ''


@dataclass(frozen=True)
class SaleItem:
    """One unit sold: accept, refuse, tracking and cancel all work per ``itemid``."""
    itemid: str
    sku: str = ''
    advertid: str = ''
    headline: str = ''
    status: str = ''
    price: Money | None = None  # what the buyer paid for this unit
    listed_price: Money | None = None  # the advert's price (may differ after a promotion/negotiation)
    is_preorder: bool = False
    ean: str = ''
    payment_status: str = ''


@dataclass(frozen=True)
class Sale:
    """A basket (``purchaseid``) of items."""
    purchaseid: str
    purchase_date: datetime | None  # aware, UTC
    shipping_type: str = ''
    buyer_login: str = ''
    buyer_email: str = ''
    delivery_address: Address | None = None
    billing_address: Address | None = None
    relay_point: RelayPoint | None = None
    items: tuple[SaleItem, ...] = ()


@dataclass(frozen=True)
class SalesPage:
    sales: tuple[Sale, ...]
    seller_id: str = ''
    next_token: str = ''
    last_version: str = ''


@dataclass(frozen=True)
class SaleDecision:
    """Outcome of acceptsale / refusesale for one item (see ``const.OUTCOME_*``)."""
    itemid: str
    outcome: str

    @property
    def accepted(self):
        return self.outcome in (const.OUTCOME_ACCEPTED, const.OUTCOME_ALREADY_ACCEPTED)


@dataclass(frozen=True)
class ShippingInformation:
    purchaseid: str
    shipping_type: str = ''
    shipping_cost: Money | None = None
    buyer_login: str = ''
    buyer_email: str = ''
    billing_address: Address | None = None
    delivery_address: Address | None = None
    prepaid_label_url: str = ''
    tracking_number: str = ''
    tracking_url: str = ''


@dataclass(frozen=True)
class BillingItem:
    itemid: str
    sku: str = ''
    status: str = ''
    item_price: Decimal = Decimal(0)
    shipping_price: Decimal = Decimal(0)
    commission: Decimal = Decimal(0)  # excluding tax
    payment_amount: Decimal = Decimal(0)  # net due to the seller


@dataclass(frozen=True)
class BillingInformation:
    purchaseid: str
    items: tuple[BillingItem, ...] = ()

    @property
    def shipping_total(self):
        return sum((item.shipping_price for item in self.items), Decimal(0))


@dataclass(frozen=True)
class TrackingLine:
    """One item's despatch confirmation, for importitemshippingstatus."""
    purchaseid: str
    itemid: str
    transporter: str = ''
    tracking_number: str = ''
    tracking_url: str = ''


@dataclass(frozen=True)
class TodoItem:
    itemid: str
    causes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Advert:
    advertid: str
    sku: str = ''
    stock: int = 0
    price: Money | None = None
    quality: str = ''
    product_id: str = ''
    headline: str = ''
    barcode: str = ''


@dataclass(frozen=True)
class InventoryPage:
    adverts: tuple[Advert, ...]
    next_token: str = ''
    total: int = 0


@dataclass(frozen=True)
class StockLine:
    """One advert update for genericimportfile: by ``sku`` (sellerReference) or ``advertid``."""
    sku: str = ''
    quantity: int | None = None
    price: Decimal | None = None
    advertid: str = ''


@dataclass(frozen=True)
class ImportResult:
    """Answer to a file upload: the file id to poll, and Rakuten's status."""
    import_id: str
    status: str = ''

    @property
    def pending(self):
        """Rakuten queued the file: its report (under ``import_id``) tells the outcome later."""
        return self.status in const.IMPORT_WAITING


@dataclass(frozen=True)
class ImportLineError:
    key: str = ''
    code: str = ''
    text: str = ''
    fatal: bool = False


@dataclass(frozen=True)
class ImportReportLine:
    sku: str
    status: str = ''
    product_id: str = ''
    advertid: str = ''
    errors: tuple[ImportLineError, ...] = ()
    itemid: str = ''  # lines of a despatch file's report


@dataclass(frozen=True)
class ImportReport:
    file_id: str
    status: str = ''
    filename: str = ''
    total_lines: int = 0
    processed_lines: int = 0
    error_lines: int = 0
    success_rate: str = ''
    lines: tuple[ImportReportLine, ...] = ()
    next_token: str = ''

    @property
    def pending(self):
        return self.status in const.IMPORT_WAITING

    @property
    def done(self):
        return self.status in const.IMPORT_DONE


@dataclass(frozen=True)
class Connection:
    """What the credential check learned."""
    seller_id: str
    last_version: str = ''


# ----------------------------------------------------------------------------------------------------
# Storage: a sale as JSON, so that a sale read once can be imported later without asking Rakuten again
# ----------------------------------------------------------------------------------------------------

def sale_to_json(sale):
    return json.dumps(asdict(sale), default=str, ensure_ascii=False, sort_keys=True)


def _money_from(data):
    return Money(Decimal(data['amount']), data['currency']) if data else None


def sale_from_json(text):
    data = json.loads(text)
    items = tuple(
        SaleItem(**{**item, 'price': _money_from(item['price']), 'listed_price': _money_from(item['listed_price'])})
        for item in data['items']
    )
    return Sale(
        **{**data, 'items': items,
           'purchase_date': datetime.fromisoformat(data['purchase_date']) if data['purchase_date'] else None,
           'delivery_address': Address(**data['delivery_address']) if data['delivery_address'] else None,
           'billing_address': Address(**data['billing_address']) if data['billing_address'] else None,
           'relay_point': RelayPoint(**data['relay_point']) if data['relay_point'] else None},
    )


# ----------------------------------------------------------------------------------------------------
# After-sales: getiteminfos (§4.7)
# ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ItemMessage:
    """A ``message`` (with the buyer) or a ``mail`` (with Rakuten's customer service) of one item."""
    channel: str  # const.CHANNEL_BUYER or const.CHANNEL_SERVICE
    sender: str = ''
    recipient: str = ''
    send_date: datetime | None = None  # aware UTC
    content: str = ''
    status: str = ''
    mail_id: str = ''  # mails only
    subject: str = ''  # mails only

    def key(self, itemid):
        """Identity of the message for "never stored twice": Rakuten gives ids to mails only."""
        if self.mail_id:
            return f'{itemid}:mail:{self.mail_id}'
        digest = hashlib.sha1(self.content.encode('utf-8')).hexdigest()[:12]
        date = self.send_date.isoformat() if self.send_date else ''
        return f'{itemid}:{self.channel}:{self.sender.lower()}:{date}:{digest}'


@dataclass(frozen=True)
class Claim:
    creation_date: datetime | None = None
    type: str = ''
    state: str = ''
    amicable: bool = False
    comment: str = ''

    @property
    def open(self):
        return self.state.upper() not in const.CLAIM_CLOSED_STATES


@dataclass(frozen=True)
class ItemAction:
    """An action Rakuten offers on the item (``availableactions/action``)."""
    code: str
    title: str = ''
    description: str = ''


@dataclass(frozen=True)
class ItemLog:
    date: datetime | None = None
    code: str = ''
    description: str = ''
    complement: str = ''


@dataclass(frozen=True)
class ItemInfo:
    itemid: str
    date: datetime | None = None
    status: str = ''
    state: str = ''
    state_label: str = ''
    payment_status: str = ''
    claim: Claim | None = None
    actions: tuple[ItemAction, ...] = ()
    messages: tuple[ItemMessage, ...] = ()  # mails and messages together, oldest first
    logs: tuple[ItemLog, ...] = ()

    @property
    def shipped(self):
        """Whether Rakuten shows this unit as despatched (a guess at how it shows it: doc/rakuten-api.md §4.8)."""
        return self.status in const.SHIPPED_STATUSES or any(log.code in const.SHIPPED_LOG_CODES for log in self.logs)
