"""XML in and out, with lxml: Rakuten answers → dataclasses, and the files we upload.

Answers are parsed namespace-agnostically (the default namespace changes with the era and the action),
in the declared encoding (ISO-8859-1 really meaning windows-1252, or a UTF-8 body behind a Latin-1
declaration), after stray control characters are removed, and with a hardened parser: no DTD, no entity,
no network.
"""
import re
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from lxml import etree

from . import const
from .exceptions import (
    AuthError, ParameterError, QuotaError, RakutenError, ResponseError, RightsError, TransientError,
)
from .records import (
    Address, Advert, BillingInformation, BillingItem, Claim, Compensation, CompensationItem, Connection,
    ImportLineError, ImportReport, ImportReportLine, ImportResult, InventoryPage, ItemAction, ItemInfo, ItemLog,
    ItemMessage, LicenseFee, Money, Operation, OperationsPage, RelayPoint, Sale, SaleDecision, SaleItem, SalesPage,
    ShippingInformation, TodoItem,
)

_CONTROL_CHARS = re.compile(rb'[\x00-\x08\x0b\x0c\x0e-\x1f]')
_DECLARATION = re.compile(rb'^\s*<\?xml[^>]*?encoding\s*=\s*["\']([A-Za-z0-9._-]+)["\'][^>]*\?>')
# A namespace declaration whose URI is padded with spaces (seen in Rakuten's documentation): libxml2 refuses it.
_PADDED_NAMESPACE = re.compile(rb'(\sxmlns(?::[A-Za-z_][\w.-]*)?\s*=\s*)(["\'])\s*([^"\'<>]*?)\s*\2')
_LATIN1_NAMES = {'iso-8859-1', 'iso8859-1', 'latin-1', 'latin1', 'windows-1252', 'cp1252'}
_PARIS = ZoneInfo(const.RAKUTEN_TIMEZONE)
UNEXPECTED_STATUS = 'UnexpectedStatus'  # error code: a file upload answered with a status we cannot trust


def _parser():
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, remove_comments=True, remove_pis=True, recover=False,
    )


# ----------------------------------------------------------------------------------------------------
# Documents
# ----------------------------------------------------------------------------------------------------

def _normalise_encoding(content):
    """Return bytes whose declaration tells the truth about their encoding."""
    match = _DECLARATION.match(content)
    declared = match.group(1).decode('ascii').lower() if match else 'utf-8'
    if declared in _LATIN1_NAMES:
        try:
            content.decode('utf-8')
        except UnicodeDecodeError:
            # Real Latin-1 text: read it as windows-1252, its superset (€, œ and curly quotes).
            return _redeclare(content, match, b'windows-1252')
        # Valid UTF-8 with non-ASCII bytes is never real Latin-1 text: the declaration lies.
        return _redeclare(content, match, b'UTF-8') if re.search(rb'[\x80-\xff]', content) else content
    if declared in ('utf-8', 'utf8'):
        try:
            content.decode('utf-8')
        except UnicodeDecodeError:
            return _redeclare(content, match, b'windows-1252')
    return content


def _redeclare(content, match, encoding):
    declaration = b'<?xml version="1.0" encoding="' + encoding + b'"?>'
    return declaration + content[match.end():] if match else declaration + content


def _strip_namespaces(root):
    for element in root.iter(etree.Element):
        element.tag = etree.QName(element).localname
    return root


def parse_document(content):
    """Bytes → root element without namespaces. Raises ResponseError on anything unreadable."""
    if not content or not content.strip():
        raise ResponseError('Empty answer from Rakuten.', code='EmptyResponse')
    if b'<!DOCTYPE' in content or b'<!ENTITY' in content:
        raise ResponseError('Refused an answer declaring a DTD or entities.', code='HostileResponse')
    content = _normalise_encoding(_CONTROL_CHARS.sub(b'', content))
    content = _PADDED_NAMESPACE.sub(rb'\1\2\3\2', content)
    try:
        root = etree.fromstring(content, parser=_parser())
    except (etree.XMLSyntaxError, ValueError) as error:
        raise ResponseError(f'Malformed XML answer: {error}', code='MalformedResponse') from None
    return _strip_namespaces(root)


def check_response(root, action):
    """Raise the typed error for an ``errorresponse`` root, or check the expected result root."""
    if root.tag == 'errorresponse':
        raise error_from_response(root, action)
    if not root.tag.endswith('result') or root.find('response') is None:
        raise ResponseError(f'Unexpected answer <{root.tag}> without a response.',
                            code='UnexpectedResponse', action=action)
    return root


def error_from_response(root, action=None):
    """Map an ``errorresponse`` document to the matching exception."""
    error = root.find('error')
    if error is None:
        error = root
    kind = _text(error, 'type')
    code = _text(error, 'code')
    message = _text(error, 'message') or code or 'Unknown Rakuten error'
    details = tuple(d.text.strip() for d in error.iter('detail') if d.text and d.text.strip())
    haystack = ' '.join((message, *details)).lower()
    if code == const.ERROR_AUTH:
        cls = AuthError
    elif code == const.ERROR_RIGHTS:
        cls = QuotaError if const.QUOTA_MARK in haystack else RightsError
    elif code == const.ERROR_PARAMETER:
        cls = ParameterError
    elif code == const.ERROR_SERVER or kind == const.ERROR_SERVER or any(
            mark in haystack or mark == code.lower() for mark in const.TRANSIENT_MARKS):
        cls = TransientError
    elif kind == 'Sender':
        cls = ParameterError
    else:
        cls = RakutenError
    return cls(message, code=code or kind, details=details, action=action)


# ----------------------------------------------------------------------------------------------------
# Values
# ----------------------------------------------------------------------------------------------------

def _text(element, path, default=''):
    if element is None:
        return default
    value = element.findtext(path)
    return value.strip() if value is not None else default


def _decimal(text):
    """A finite amount (``9.50`` or ``9,50``), else None ("NaN", "Infinity" and words are unreadable)."""
    try:
        value = Decimal(text.replace(',', '.')) if text else None
    except InvalidOperation:
        return None
    return value if value is None or value.is_finite() else None


def _int(text, default=0):
    try:
        return int(Decimal(text)) if text else default
    except InvalidOperation:
        return default


def _flag(text):
    return text.strip().upper() in ('Y', 'YES', 'OUI', 'TRUE', '1')


def _money(element):
    """``<x><amount>9.50</amount><currency>EUR</currency></x>``, or a plain amount ``<x>9.50</x>`` (as billing
    answers may give it); None when neither can be read."""
    if element is None:
        return None
    if element.find('amount') is None:
        amount = _decimal((element.text or '').strip())
        return Money(amount) if amount is not None else None
    amount = _decimal(_text(element, 'amount'))
    return Money(amount, _text(element, 'currency') or 'EUR') if amount is not None else None


def parse_sale_date(text, formats=(const.SALE_DATE_FORMAT,)):
    """``dd/mm/yyyy-HH:MM`` (or one of ``formats``) in Paris time → aware UTC datetime (None when unreadable).
    A time repeated when summer time ends is read as the first (summer) one."""
    for fmt in formats:
        try:
            local = datetime.strptime(text.strip(), fmt)
            return local.replace(tzinfo=_PARIS).astimezone(timezone.utc)
        except (ValueError, AttributeError, OverflowError):  # OverflowError: a year-1 date is before UTC's year 1
            continue
    return None


def parse_operation_date(text):
    """Payout dates: ``dd/mm/yyyy-HH:MM:SS``, or without seconds as a compensation's date was seen (§11)."""
    return parse_sale_date(text, (const.OPERATION_DATE_FORMAT, const.SALE_DATE_FORMAT))


def format_operation_date(moment):
    """Aware datetime (a naive one is taken as UTC, as Odoo stores them) → Rakuten's Paris ``dd/mm/yyyy-HH:MM:SS``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(_PARIS).strftime(const.OPERATION_DATE_FORMAT)


def _country_code(text):
    code = text.strip().upper()
    return const.COUNTRY_ALIASES.get(code, code)


def _address(element):
    if element is None:
        return None
    return Address(
        civility=_text(element, 'civility'), firstname=_text(element, 'firstname'),
        lastname=_text(element, 'lastname'), address1=_text(element, 'address1'),
        address2=_text(element, 'address2'), zipcode=_text(element, 'zipcode'),
        city=_text(element, 'city'), country=_text(element, 'country'),
        country_code=_country_code(_text(element, 'countryalpha2')),
        phone=_text(element, 'phonenumber1'), mobile=_text(element, 'phonenumber2'),
    )


def _relay_point(element):
    if element is None or not (_text(element, 'id') or _text(element, 'name')):
        return None
    return RelayPoint(
        id=_text(element, 'id'), name=_text(element, 'name'), address=_text(element, 'address'),
        zipcode=_text(element, 'zipcode'), city=_text(element, 'city'), country=_text(element, 'country'),
        civility=_text(element, 'civility'), firstname=_text(element, 'firstname'),
        lastname=_text(element, 'lastname'),
    )


# ----------------------------------------------------------------------------------------------------
# Sales
# ----------------------------------------------------------------------------------------------------

def _sale_item(element):
    return SaleItem(
        itemid=_text(element, 'itemid'), sku=_text(element, 'sku'), advertid=_text(element, 'advertid'),
        headline=_text(element, 'headline'), status=_text(element, 'itemstatus'),
        price=_money(element.find('price')), listed_price=_money(element.find('advertpricelisted')),
        is_preorder=_flag(_text(element, 'ispreorder')), ean=_text(element, 'ean'),
        payment_status=_text(element, 'paymentstatus'),
    )


def _sale(element):
    delivery = element.find('deliveryinformation')
    scope = delivery if delivery is not None else element
    return Sale(
        purchaseid=_text(element, 'purchaseid'),
        purchase_date=parse_sale_date(_text(element, 'purchasedate')),
        shipping_type=_text(scope, 'shippingtype'),
        buyer_login=_text(scope, 'purchasebuyerlogin'),
        buyer_email=_text(scope, 'purchasebuyeremail'),
        delivery_address=_address(scope.find('deliveryaddress')),
        billing_address=_address(scope.find('billingaddress')),
        relay_point=_relay_point(scope.find('collectionpointaddress')),
        items=tuple(_sale_item(item) for item in element.iterfind('items/item')),
    )


def parse_sales_page(root):
    response = root.find('response')
    return SalesPage(
        sales=tuple(_sale(sale) for sale in response.iterfind('sales/sale')),
        seller_id=_text(response, 'sellerid'),
        next_token=_text(response, 'nexttoken'),
        last_version=_text(response, 'lastversion'),
    )


def parse_connection(root):
    response = root.find('response')
    seller_id = _text(response, 'sellerid')
    if not seller_id:
        raise ResponseError('The answer holds no seller id.', code='UnexpectedResponse')
    return Connection(seller_id=seller_id, last_version=_text(response, 'lastversion'))


def parse_decision(root, itemid, expected):
    status = _text(root, 'response/status')
    if status.lower() != expected.lower():
        raise ResponseError(f'Unexpected status {status!r} for item {itemid}.', code='UnexpectedResponse')
    return SaleDecision(itemid=itemid, outcome=expected)


def status_in_refusal(error):
    """The unit's status that a refused call names ("Current status : CANCELLED - Required status : …"), or
    None (another kind of error)."""
    text = ' '.join((error.message, *error.details))
    if error.code != const.ERROR_PARAMETER or 'Current status : ' not in text:
        return None
    return text.split('Current status : ', 1)[1].split(' - ', 1)[0].strip() or None


def decision_from_error(error, itemid):
    """The idempotent answers of acceptsale/refusesale: basket already accepted or already gone."""
    text = ' '.join((error.message, *error.details))
    if f'Current status : {const.ALREADY_ACCEPTED_MARK}' in text:
        return SaleDecision(itemid=itemid, outcome=const.OUTCOME_ALREADY_ACCEPTED)
    if f'Current status : {const.ALREADY_CANCELLED_MARK}' in text:
        return SaleDecision(itemid=itemid, outcome=const.OUTCOME_ALREADY_CANCELLED)
    return None


def parse_shipping_information(root, purchaseid):
    info = root.find('response/shippinginformation')
    if info is None:
        info = root.find('response')
    label = info.find('prepaidlabel')
    return ShippingInformation(
        purchaseid=purchaseid,
        shipping_type=_text(info, 'shippingtype'),
        shipping_cost=_money(info.find('purchaseshippingcostprice')),
        buyer_login=_text(info, 'purchasebuyerlogin'),
        buyer_email=_text(info, 'purchasebuyeremail'),
        billing_address=_address(info.find('billingaddress')),
        delivery_address=_address(info.find('deliveryaddress')),
        prepaid_label_url=_text(label, 'prepaidlabelurl'),
        tracking_number=_text(label, 'trackinginformation/trackingnumber'),
        tracking_url=_text(label, 'trackinginformation/trackingurl'),
    )


def _amount(element, path):
    money = _money(element.find(path))
    return money.amount if money is not None else Decimal(0)


def _amount_or_none(element, path):
    """The amount at ``path``, None when absent or unreadable (payouts: never a 0 by default)."""
    money = _money(element.find(path)) if element is not None else None
    return money.amount if money is not None else None


_BILLING_AMOUNTS = {
    'item_price': 'itemsaleprice', 'shipping_price': 'shippingsaleprice', 'commission': 'itemcommissionexcltax',
    'payment_amount': 'paymentamount', 'shipping_commission': 'shippingcommissionexcltax',
    'commission_vat': 'itemcommissionvat', 'shipping_commission_vat': 'shippingcommissionvat',
}


def _billing_item(item):
    amounts = {field: _amount(item, tag) for field, tag in _BILLING_AMOUNTS.items()}
    unreadable = tuple(tag for tag in _BILLING_AMOUNTS.values()
                       if item.find(tag) is not None and _money(item.find(tag)) is None)
    return BillingItem(itemid=_text(item, 'itemid'), sku=_text(item, 'sku'), status=_text(item, 'itemstatus'),
                       unreadable=unreadable, **amounts)


def parse_billing_information(root, purchaseid):
    items = root.iterfind('response/billinginformation/items/item')
    return BillingInformation(purchaseid=purchaseid, items=tuple(_billing_item(item) for item in items))


def parse_status(root):
    return _text(root, 'response/status')


def parse_import_result(root):
    """The answer to a file upload: ``OK`` (with the file id when Rakuten gives one), or a waiting status with
    the file id whose report tells the outcome later. Anything else raises (code UNEXPECTED_STATUS): whether
    Rakuten applied the file is unknown, so the caller must not simply send it again."""
    response = root.find('response')
    result = ImportResult(import_id=_text(response, 'importid'), status=_text(response, 'status'))
    if result.status.upper() == 'OK' or (result.pending and result.import_id):
        return result
    problem = 'without a file id to follow' if result.pending else 'that is not OK'
    raise RakutenError(f'Rakuten answered the file with status {result.status!r} {problem}.',
                       code=UNEXPECTED_STATUS)


def parse_todo_list(root):
    return tuple(
        TodoItem(itemid=_text(item, 'itemid'),
                 causes=tuple(c.text.strip() for c in item.iterfind('causes/cause') if c.text))
        for item in root.iterfind('response/items/item')
    )


# ----------------------------------------------------------------------------------------------------
# Stock
# ----------------------------------------------------------------------------------------------------

def _advert(element):
    summary = element.find('productsummary')
    return Advert(
        advertid=_text(element, 'advertid'), sku=_text(element, 'sku'), stock=_int(_text(element, 'stock')),
        price=_money(element.find('price')), quality=_text(element, 'quality'),
        product_id=_text(summary, 'productid'), headline=_text(summary, 'headline'),
        barcode=_text(summary, 'barcode'),
    )


def parse_inventory_page(root):
    response = root.find('response')
    return InventoryPage(
        adverts=tuple(_advert(advert) for advert in response.iterfind('advertlist/advert')),
        next_token=_text(response, 'nexttoken'),
        total=_int(_text(response, 'nbresults')),
    )


def _report_line(element):
    return ImportReportLine(
        sku=_text(element, 'sku'), status=_text(element, 'status'), product_id=_text(element, 'pid'),
        advertid=_text(element, 'aid'), itemid=_text(element, 'itemid'),
        errors=tuple(
            ImportLineError(key=_text(error, 'error_key'), code=_text(error, 'error_code'),
                            text=_text(error, 'error_text'), fatal=_flag(_text(error, 'fatal_error')))
            for error in element.iterfind('errors/error')
        ),
    )


def parse_import_report(root, file_id):
    response = root.find('response')
    file_info = response.find('file')
    # The next page's token sits in the response or in the request echo, depending on the version.
    next_token = _text(response, 'nexttoken') or _text(root, 'request/nexttoken')
    return ImportReport(
        file_id=file_id, status=_text(file_info, 'status'), filename=_text(file_info, 'filename'),
        total_lines=_int(_text(file_info, 'totallines')),
        processed_lines=_int(_text(file_info, 'processedlines')),
        error_lines=_int(_text(file_info, 'errorlines')),
        success_rate=_text(file_info, 'successrate'),
        # Stock files report per ``product``; a despatch file's report (undocumented) per ``item``.
        lines=tuple(_report_line(line) for line in response if line.tag in ('product', 'item')),
        next_token=next_token,
    )


# ----------------------------------------------------------------------------------------------------
# Files we upload
# ----------------------------------------------------------------------------------------------------

def _serialise(root):
    return etree.tostring(root, xml_declaration=True, encoding='UTF-8')


def _sub(parent, tag, text):
    element = etree.SubElement(parent, tag)
    element.text = text
    return element


def already_shipped(error, itemids):
    """Which of ``itemids`` (the units of a refused despatch file) Rakuten refused as already shipped, and
    whether that is all it refused: ``(set of itemids, only_those)``. Rakuten's wording is our guess
    (doc/rakuten-api.md §4.6): a detail holding "already shipped" (or the French) and the item id; a file
    of one unit needs no id in the detail."""
    details = [detail for detail in error.details if detail.strip()] or [error.message]

    def marked(text):
        return any(mark in text.lower() for mark in const.ALREADY_SHIPPED_MARKS)

    itemids = list(itemids)
    shipped = set()
    for detail in filter(marked, details):
        named = {itemid for itemid in itemids
                 if itemid and re.search(rf'(?<![0-9A-Za-z]){re.escape(itemid)}(?![0-9A-Za-z])', detail)}
        shipped |= named or (set(itemids) if len(itemids) == 1 else set())
    return shipped, bool(shipped) and all(marked(detail) for detail in details)


def build_shipping_status_file(lines):
    """``importitemshippingstatus`` file: one ``<item>`` per Rakuten item."""
    root = etree.Element('items')
    for line in lines:
        item = etree.SubElement(root, 'item')
        _sub(item, 'purchaseid', line.purchaseid)
        _sub(item, 'itemid', line.itemid)
        _sub(item, 'transporter', line.transporter)
        _sub(item, 'trackingnumber', line.tracking_number)
        _sub(item, 'trackingurl', line.tracking_url)
    return _serialise(root)


def _attribute(parent, key, value):
    attribute = etree.SubElement(parent, 'attribute')
    _sub(attribute, 'key', key)
    _sub(attribute, 'value', str(value))


def build_stock_file(lines):
    """``genericimportfile`` advert update file: sellerReference (or aid) + qty [+ sellingPrice]."""
    root = etree.Element('items')
    for line in lines:
        advert = etree.SubElement(etree.SubElement(etree.SubElement(root, 'item'), 'attributes'), 'advert')
        if line.sku:
            _attribute(advert, 'sellerReference', line.sku)
        if line.advertid:
            _attribute(advert, 'aid', line.advertid)
        if line.quantity is not None:
            _attribute(advert, 'qty', int(line.quantity))
        if line.price is not None:
            _attribute(advert, 'sellingPrice', f'{Decimal(line.price):.2f}')
    return _serialise(root)


def parse_upload(content, root_tag):
    """Parse a file we (or a client) uploaded: same hardening as answers. Used by the fake server."""
    root = parse_document(content)
    if root.tag != root_tag:
        raise ResponseError(f'Expected <{root_tag}>, got <{root.tag}>.', code='MalformedFile')
    return root


# ----------------------------------------------------------------------------------------------------
# After-sales (§4.7)
# ----------------------------------------------------------------------------------------------------

def _item_message(element, channel):
    return ItemMessage(
        channel=channel, sender=_text(element, 'sender'), recipient=_text(element, 'recipient'),
        send_date=parse_sale_date(_text(element, 'senddate')), content=_text(element, 'content'),
        status=_text(element, 'status'), mail_id=_text(element, 'mailid'), subject=_text(element, 'object'),
    )


def _claim(element):
    if element is None or not (_text(element, 'type') or _text(element, 'state')):
        return None
    return Claim(
        creation_date=parse_sale_date(_text(element, 'creationdate')), type=_text(element, 'type'),
        state=_text(element, 'state'), amicable=_flag(_text(element, 'amicable')),
        comment=_text(element, 'claimcomment'),
    )


_OLDEST = datetime.min.replace(tzinfo=timezone.utc)


def parse_item_infos(root, itemid):
    """``getiteminfosresult/response/item`` → ``ItemInfo``; mails and messages merged, oldest first."""
    item = root.find('response/item')
    if item is None:
        raise ResponseError(f'The answer holds no item {itemid}.', code='UnexpectedResponse')
    messages = [_item_message(node, const.CHANNEL_SERVICE) for node in item.iterfind('mail')]
    messages += [_item_message(node, const.CHANNEL_BUYER) for node in item.iterfind('message')]
    messages.sort(key=lambda message: (message.send_date or _OLDEST, message.channel, message.mail_id))
    return ItemInfo(
        itemid=_text(item, 'itemid') or itemid, date=parse_sale_date(_text(item, 'date')),
        status=_text(item, 'itemstatus'), state=_text(item, 'itemstate'),
        state_label=_text(item, 'itemstatelabel'), payment_status=_text(item, 'paymentstatus'),
        claim=_claim(item.find('claim')),
        actions=tuple(
            ItemAction(code=_text(action, 'actioncode'), title=_text(action, 'title'),
                       description=_text(action, 'description'))
            for action in item.iterfind('availableactions/action')
        ),
        messages=tuple(messages),
        logs=tuple(
            ItemLog(date=parse_sale_date(_text(log, 'creationdate')), code=_text(log, 'itemlogcode'),
                    description=_text(log, 'description'), complement=_text(log, 'complement'))
            for log in item.iterfind('itemlog')
        ),
    )


# ----------------------------------------------------------------------------------------------------
# Payouts (§11)
# ----------------------------------------------------------------------------------------------------

def _operation(element):
    money = _money(element.find('operationamount'))
    return Operation(
        id=_text(element, 'operationid'), date=parse_operation_date(_text(element, 'operationdate')),
        cause=_text(element, 'operationcause'), type=_text(element, 'operationtype'),
        state=_text(element, 'operationstate'), amount=money.amount if money else None,
        currency=money.currency if money else (_text(element, 'operationamount/currency') or 'EUR'),
        compensation_id=_text(element, 'compensationid'),
    )


def parse_operations_page(root):
    """``getoperationsresult``: ``response/operations/operation`` and the ``hasmoreoperations`` flag (seen inside
    ``operations``; also looked for beside it)."""
    response = root.find('response')
    has_more = _text(response, 'operations/hasmoreoperations') or _text(response, 'hasmoreoperations')
    return OperationsPage(
        operations=tuple(_operation(operation) for operation in response.iterfind('operations/operation')),
        has_more=_flag(has_more), seller_id=_text(response, 'sellerid'),
    )


def _compensation_items(details, kind):
    """Every ``item`` of every ``kind`` block; the purchase's fields sit on the block, beside the item."""
    for block in details.iterfind(kind):
        for item in block.iterfind('item'):
            yield CompensationItem(
                kind=kind, itemid=_text(item, 'itemid'), purchaseid=_text(block, 'purchaseid'),
                purchase_date=parse_operation_date(_text(block, 'purchasedate')),
                buyer_login=_text(block, 'purchasebuyerlogin'), sku=_text(item, 'sku'),
                headline=_text(item, 'headline'), status=_text(item, 'itemstatus'),
                item_price=_amount_or_none(item, 'itemsaleprice'),
                shipping_price=_amount_or_none(item, 'shippingsaleprice'),
                item_commission=_amount_or_none(item, 'itemcommissionexcltax'),
                item_commission_vat=_amount_or_none(item, 'itemcommissionvat'),
                item_commission_vat_rate=_decimal(_text(item, 'itemcommissionvatrate')),
                shipping_commission=_amount_or_none(item, 'shippingcommissionexcltax'),
                shipping_commission_vat=_amount_or_none(item, 'shippingcommissionvat'),
                shipping_commission_vat_rate=_decimal(_text(item, 'shippingcommissionvatrate')),
                amount=_amount_or_none(item, {
                    const.BLOCK_ITEM_PAYMENT: 'paymentamount', const.BLOCK_CANCELLED_ITEM: 'totalcancellationamount',
                    const.BLOCK_ADJUSTMENT: 'itemadjustmentamount'}[kind]),
                adjustment_vat_rate=_decimal(_text(item, 'itemadjustmentvatrate')),
            )


def _license_fees(details, asset):
    kind = const.BLOCK_LICENSE_FEE_ASSET if asset else const.BLOCK_LICENSE_FEE
    prefix = 'licensefeeasset' if asset else 'licensefee'
    return tuple(
        LicenseFee(
            id=_text(fee, 'licensefeeid'), period=_text(fee, 'licensefeeperiod'), asset=asset,
            vat_rate=_decimal(_text(fee, f'{prefix}vatrate')),
            amount_excl_tax=_amount_or_none(fee, f'{prefix}amountexcltax'),
            vat=_amount_or_none(fee, f'{prefix}amountvat'),
            amount_incl_tax=_amount_or_none(fee, f'{prefix}amountincltax'),
        ) for fee in details.iterfind(kind)
    )


def parse_compensation_details(root, compensation_id):
    """``getcompensationdetailsresult/response/compensationdetails`` → ``Compensation``."""
    details = root.find('response/compensationdetails')
    if details is None:
        raise ResponseError(f'The answer holds no compensation {compensation_id}.', code='UnexpectedResponse',
                            action='getcompensationdetails')
    answered = _text(details, 'compensationid')
    if answered and str(compensation_id) and answered != str(compensation_id):
        raise ResponseError(f'Asked for compensation {compensation_id}, got {answered}.', code='UnexpectedResponse',
                            action='getcompensationdetails')
    return Compensation(
        id=answered or str(compensation_id),
        date=parse_operation_date(_text(details, 'compensationdate')),
        invoice_number=_text(details, 'invoicenumber'),
        item_payments=tuple(_compensation_items(details, const.BLOCK_ITEM_PAYMENT)),
        cancelled_item_payments=tuple(_compensation_items(details, const.BLOCK_CANCELLED_ITEM)),
        adjustments=tuple(_compensation_items(details, const.BLOCK_ADJUSTMENT)),
        license_fees=_license_fees(details, asset=False),
        license_fee_assets=_license_fees(details, asset=True),
        seller_id=_text(root, 'response/sellerid'),
    )
