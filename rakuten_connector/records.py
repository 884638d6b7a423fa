"""What the Rakuten web services answer, as plain dataclasses (no XML, no Odoo)."""
import hashlib
import json
from collections import Counter
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
    """One unit's money. An amount Rakuten leaves out is 0 (older versions have no commission VAT); one it gives
    but that cannot be read is 0 too and named in ``unreadable``: book nothing from an item that has one."""
    itemid: str
    sku: str = ''
    status: str = ''
    item_price: Decimal = Decimal(0)
    shipping_price: Decimal = Decimal(0)
    commission: Decimal = Decimal(0)  # on the item, excluding tax
    payment_amount: Decimal = Decimal(0)  # net due to the seller
    shipping_commission: Decimal = Decimal(0)  # on the shipping, excluding tax
    commission_vat: Decimal = Decimal(0)  # VAT on ``commission``
    shipping_commission_vat: Decimal = Decimal(0)  # VAT on ``shipping_commission``
    unreadable: tuple[str, ...] = ()  # element names of the amounts given but unreadable

    @property
    def commission_total(self):
        """Everything Rakuten keeps on this unit, VAT included."""
        return self.commission + self.commission_vat + self.shipping_commission + self.shipping_commission_vat


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


def message_keys(itemid, messages):
    """The identity of each of ``messages`` (one item's, as Rakuten sends its whole history at each read):
    ``ItemMessage.key``, and for the n-th message of the answer with the same key (the same text from the same
    sender within the same minute, or with an unreadable date) that key with ``#n``. Rakuten gives no id to
    buyer messages: their position among the identical ones is what tells them apart, and a re-read gives the
    same keys again (the history only grows), so two messages stay two and none is stored twice."""
    seen = Counter()
    keys = []
    for message in messages:
        key = message.key(itemid)
        keys.append(f'{key}#{seen[key]}' if seen[key] else key)
        seen[key] += 1
    return keys


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


# ----------------------------------------------------------------------------------------------------
# Payouts: getoperations and getcompensationdetails (§11)
#
# An amount is a Decimal when Rakuten gave a readable one, else None (absent or unreadable): never 0 by
# default, since a 0 would book a wrong entry. ``unreadable`` names what is missing, and the totals are None
# as long as anything is: the caller books a compensation only when its ``total`` equals its operation's
# ``signed_amount``.
# ----------------------------------------------------------------------------------------------------

def _signed_sum(amounts):
    amounts = list(amounts)
    return None if any(amount is None for amount in amounts) else sum(amounts, Decimal(0))


@dataclass(frozen=True)
class Operation:
    """A movement of the seller's Rakuten wallet (``getoperations``): a transfer of sales is detailed by the
    compensation ``compensation_id``."""
    id: str
    date: datetime | None = None  # aware UTC (Rakuten gives Paris time with seconds)
    cause: str = ''  # const.OPERATION_CAUSE_TRANSFER for a payout
    type: str = ''  # const.OPERATION_CREDIT (to the seller) or const.OPERATION_DEBIT (from the seller)
    state: str = ''  # FINALIZED seen; others unknown
    amount: Decimal | None = None  # as given: positive, the direction being ``type``
    currency: str = 'EUR'
    compensation_id: str = ''

    @property
    def signed_amount(self):
        """What the seller received (> 0) or owes (< 0); None when the amount or the direction is unknown."""
        if self.amount is None or self.type not in (const.OPERATION_CREDIT, const.OPERATION_DEBIT):
            return None
        return self.amount if self.type == const.OPERATION_CREDIT else -self.amount

    @property
    def is_transfer(self):
        return self.cause == const.OPERATION_CAUSE_TRANSFER and bool(self.compensation_id)


@dataclass(frozen=True)
class OperationsPage:
    operations: tuple[Operation, ...]
    has_more: bool = False
    seller_id: str = ''


# Amounts each kind of line needs to be booked.
_ITEM_AMOUNTS = ('item_price', 'shipping_price', 'item_commission', 'item_commission_vat', 'shipping_commission',
                 'shipping_commission_vat', 'amount')
_REQUIRED = {const.BLOCK_ITEM_PAYMENT: _ITEM_AMOUNTS, const.BLOCK_CANCELLED_ITEM: _ITEM_AMOUNTS,
             const.BLOCK_ADJUSTMENT: ('amount',)}


@dataclass(frozen=True)
class CompensationItem:
    """One item's line of a compensation: paid (``itempayment``), taken back (``cancelleditempayment``) or
    adjusted (``itemadjustmentpayment``); ``kind`` is the block's name (``const.BLOCK_*``)."""
    kind: str
    itemid: str
    purchaseid: str = ''
    purchase_date: datetime | None = None  # aware UTC
    buyer_login: str = ''
    sku: str = ''
    headline: str = ''
    status: str = ''
    item_price: Decimal | None = None  # VAT included, what the buyer paid
    shipping_price: Decimal | None = None
    item_commission: Decimal | None = None  # excluding tax
    item_commission_vat: Decimal | None = None
    item_commission_vat_rate: Decimal | None = None  # percent
    shipping_commission: Decimal | None = None  # excluding tax
    shipping_commission_vat: Decimal | None = None
    shipping_commission_vat_rate: Decimal | None = None
    # ``paymentamount`` (paid), ``totalcancellationamount`` (taken back) or ``itemadjustmentamount`` (adjusted)
    amount: Decimal | None = None
    adjustment_vat_rate: Decimal | None = None  # adjustments only

    @property
    def unreadable(self):
        return tuple(name for name in _REQUIRED.get(self.kind, ('amount',)) if getattr(self, name) is None)

    @property
    def commission_total(self):
        """Commissions and their VAT, what Rakuten kept on this item (None when one is unknown)."""
        return _signed_sum((self.item_commission, self.item_commission_vat, self.shipping_commission,
                            self.shipping_commission_vat))

    @property
    def computed_amount(self):
        """Price + shipping - commissions and their VAT: what ``amount`` should be for a paid or cancelled item."""
        commissions = self.commission_total
        if commissions is None or self.item_price is None or self.shipping_price is None:
            return None
        return self.item_price + self.shipping_price - commissions

    @property
    def signed_amount(self):
        """Effect on the transfer: + paid, - taken back, an adjustment as given; None when unknown."""
        if self.amount is None:
            return None
        return -self.amount if self.kind == const.BLOCK_CANCELLED_ITEM else self.amount


@dataclass(frozen=True)
class LicenseFee:
    """The monthly subscription charged (``licensefee``) or refunded (``licensefeeasset``, ``asset`` True)."""
    id: str
    period: str = ''  # ``MM/YYYY``
    asset: bool = False
    vat_rate: Decimal | None = None  # percent
    amount_excl_tax: Decimal | None = None
    vat: Decimal | None = None
    amount_incl_tax: Decimal | None = None

    @property
    def unreadable(self):
        return tuple(name for name in ('amount_excl_tax', 'vat', 'amount_incl_tax') if getattr(self, name) is None)

    @property
    def signed_amount(self):
        """Effect on the transfer: - a fee, + a refund; None when unknown."""
        if self.amount_incl_tax is None:
            return None
        return self.amount_incl_tax if self.asset else -self.amount_incl_tax


@dataclass(frozen=True)
class Compensation:
    """The detail of one transfer (``getcompensationdetails``)."""
    id: str
    date: datetime | None = None  # aware UTC
    invoice_number: str = ''  # Rakuten's invoice of its commissions and fees
    item_payments: tuple[CompensationItem, ...] = ()
    cancelled_item_payments: tuple[CompensationItem, ...] = ()
    adjustments: tuple[CompensationItem, ...] = ()
    license_fees: tuple[LicenseFee, ...] = ()
    license_fee_assets: tuple[LicenseFee, ...] = ()
    seller_id: str = ''

    @property
    def items(self):
        return self.item_payments + self.cancelled_item_payments + self.adjustments

    @property
    def fees(self):
        return self.license_fees + self.license_fee_assets

    @property
    def unreadable(self):
        """``kind itemid: field`` of every amount needed and unknown; empty when the whole detail can be booked."""
        problems = [f'{line.kind} {line.itemid}: {name}' for line in self.items for name in line.unreadable]
        problems += [f'{"licensefeeasset" if fee.asset else "licensefee"} {fee.id}: {name}'
                     for fee in self.fees for name in fee.unreadable]
        return tuple(problems)

    @property
    def total(self):
        """The transfer these lines add up to (None while an amount is unknown)."""
        if self.unreadable:
            return None
        return _signed_sum(line.signed_amount for line in self.items + self.fees)
