"""XML documents the fake service answers, shaped like the real ones (built with lxml)."""
from datetime import datetime

from lxml import etree

from .. import const
from .state import VAT_RATE

NAMESPACE = 'https://fr.shopping.rakuten.com/res/schema/{}'
# The namespace varies by era and action (§2.4): the captured getiteminfos answer uses the old one.
NAMESPACES = {'getiteminfos': 'http://www.priceminister.com/res/schema/{}',
              'getcompensationdetails': 'http://www.priceminister.com/res/schema/{}'}
ERROR_NAMESPACE = 'https://static.fr.shopping.rakuten.com/res/schema/error'
ADDRESS_FIELDS = ('civility', 'lastname', 'firstname', 'address1', 'address2', 'zipcode', 'city', 'country',
                  'countryalpha2', 'phonenumber1', 'phonenumber2')
RELAY_FIELDS = ('civility', 'lastname', 'firstname', 'id', 'name', 'address', 'zipcode', 'city', 'country')


def sub(parent, tag, text=None):
    element = etree.SubElement(parent, tag)
    if text is not None:
        element.text = str(text)
    return element


def serialise(root, encoding='ISO-8859-1'):
    return etree.tostring(root, xml_declaration=True, encoding=encoding)


def envelope(action, login, version, echo=None):
    """``<actionresult><request>…</request><response><lastversion/>…`` → (root, response)."""
    tag = const.RESULT_ROOTS.get(action, f'{action}result')
    root = etree.Element(tag, nsmap={None: NAMESPACES.get(action, NAMESPACE).format(action)})
    request = sub(root, 'request')
    sub(request, 'version', version)
    sub(request, 'user', login)
    for key, value in (echo or {}).items():
        sub(request, key, value)
    response = sub(root, 'response')
    sub(response, 'lastversion', const.ACTIONS[action][1])
    return root, response


def error(code, message, details=(), kind='Sender'):
    root = etree.Element('errorresponse', nsmap={None: ERROR_NAMESPACE})
    node = sub(root, 'error')
    sub(node, 'type', kind)
    sub(node, 'code', code)
    sub(node, 'message', message)
    if details:
        detail_list = sub(node, 'details')
        for detail in details:
            sub(detail_list, 'detail', detail)
    return root


def money(parent, tag, amount):
    node = sub(parent, tag)
    sub(node, 'amount', f'{amount:.2f}')
    sub(node, 'currency', 'EUR')
    return node


def address(parent, tag, values, fields=ADDRESS_FIELDS):
    node = sub(parent, tag)
    for name in fields:
        sub(node, name, values.get(name, ''))
    return node


def sale(parent, fake_sale, items):
    node = sub(parent, 'sale')
    sub(node, 'purchaseid', fake_sale.purchaseid)
    sub(node, 'purchasedate', fake_sale.purchase_date.strftime(const.SALE_DATE_FORMAT))
    delivery = sub(node, 'deliveryinformation')
    sub(delivery, 'shippingtype', fake_sale.shipping_type)
    sub(delivery, 'isfullrsl', 'N')
    sub(delivery, 'purchasebuyerlogin', fake_sale.buyer_login)
    sub(delivery, 'purchasebuyeremail', fake_sale.buyer_email)
    if fake_sale.delivery:
        address(delivery, 'deliveryaddress', fake_sale.delivery)
    if fake_sale.relay:
        address(delivery, 'collectionpointaddress', fake_sale.relay, RELAY_FIELDS)
    address(delivery, 'billingaddress', fake_sale.billing)
    item_list = sub(node, 'items')
    for item in items:
        item_node = sub(item_list, 'item')
        sub(item_node, 'sku', item.sku)
        sub(item_node, 'advertid', item.advertid)
        money(item_node, 'advertpricelisted', item.listed_price)
        sub(item_node, 'itemid', item.itemid)
        sub(item_node, 'headline', item.headline)
        sub(item_node, 'itemstatus', item.status)
        sub(item_node, 'ispreorder', 'N')
        sub(item_node, 'isnego', 'N')
        money(item_node, 'price', item.price)
        sub(item_node, 'isrsl', 'N')
        sub(item_node, 'paymentstatus', 'INCOMING')
    return node


def shipping_information(response, fake_sale):
    info = sub(response, 'shippinginformation')
    sub(info, 'shippingtype', fake_sale.shipping_type)
    label = sub(info, 'prepaidlabel')
    sub(label, 'available', 'N')
    money(info, 'purchaseshippingcostprice', fake_sale.shipping_cost)
    sub(info, 'purchasebuyerlogin', fake_sale.buyer_login)
    sub(info, 'purchasebuyeremail', fake_sale.buyer_email)
    address(info, 'billingaddress', fake_sale.billing)
    if fake_sale.delivery:
        address(info, 'deliveryaddress', fake_sale.delivery)


def billing_information(response, fake_sale):
    item_list = sub(sub(response, 'billinginformation'), 'items')
    for item in fake_sale.items:
        node = sub(item_list, 'item')
        sub(node, 'itemid', item.itemid)
        sub(node, 'sku', item.sku)
        sub(node, 'headline', item.headline)
        sub(node, 'itemstatus', item.status)
        money(node, 'itemsaleprice', item.price)
        money(node, 'shippingsaleprice', item.shipping_price)
        _commissions(node, item.charges())
        money(node, 'paymentamount', item.charges()['payment'])


def _commissions(node, charges):
    sub(node, 'itemcommissionvatrate', VAT_RATE)
    money(node, 'itemcommissionexcltax', charges['item_commission'])
    money(node, 'itemcommissionvat', charges['item_commission_vat'])
    sub(node, 'shippingcommissionvatrate', VAT_RATE)
    money(node, 'shippingcommissionexcltax', charges['shipping_commission'])
    money(node, 'shippingcommissionvat', charges['shipping_commission_vat'])


def advert(parent, fake_advert):
    node = sub(parent, 'advert')
    sub(node, 'advertid', fake_advert.advertid)
    sub(node, 'sku', fake_advert.sku)
    money(node, 'price', fake_advert.price)
    sub(node, 'quality', 'NEW')
    sub(node, 'unlimitedquantity', 'false')
    sub(node, 'stock', fake_advert.stock)
    summary = sub(node, 'productsummary')
    sub(summary, 'productid', fake_advert.product_id)
    sub(summary, 'headline', fake_advert.headline)
    sub(summary, 'barcode', fake_advert.barcode)


def import_report(response, fake_import, lines):
    file_node = sub(response, 'file')
    errors = sum(1 for line in fake_import.lines if line['errors'])
    total = len(fake_import.lines)
    sub(file_node, 'filename', f'{fake_import.importid}.xml')
    sub(file_node, 'status', fake_import.status)
    sub(file_node, 'uploaddate', fake_import.uploaded.strftime('%Y-%m-%dT%H:%M:%S'))
    sub(file_node, 'totallines', total)
    sub(file_node, 'processedlines', total)
    sub(file_node, 'errorlines', errors)
    sub(file_node, 'successrate', f'{(100 * (total - errors) // total) if total else 0}%')
    for line in lines:
        if 'itemid' in line:  # a despatch file's line
            product = sub(response, 'item')
            sub(product, 'itemid', line['itemid'])
            sub(product, 'status', line['status'])
        else:
            product = sub(response, 'product')
            sub(product, 'sku', line['sku'])
            sub(product, 'status', line['status'])
            sub(product, 'pid', line.get('pid', ''))
            sub(product, 'aid', line.get('aid', ''))
        error_list = sub(product, 'errors')
        for key, code, text in line['errors']:
            error_node = sub(error_list, 'error')
            sub(error_node, 'error_key', key)
            sub(error_node, 'error_code', code)
            sub(error_node, 'error_text', text)
            sub(error_node, 'fatal_error', 'Y')


# ----------------------------------------------------------------------------------------------------
# After-sales: getiteminfos, shaped like the captured answer (padded values, CDATA, unsorted messages)
# ----------------------------------------------------------------------------------------------------

def _padded(parent, tag, value, cdata=False):
    """A value wrapped in newlines and spaces, as the real answer has them; text in CDATA when it fits."""
    node = sub(parent, tag)
    text = '' if value is None else str(value)
    try:
        text.encode('iso-8859-1')
    except UnicodeEncodeError:
        cdata = False
    node.text = etree.CDATA(text) if cdata else f'\n    {text}\n'
    return node


def _date(value):
    """A date as Rakuten writes it; a string goes as it is (a date the connector cannot read)."""
    if isinstance(value, str):
        return value
    return value.strftime(const.SALE_DATE_FORMAT) if value else ''


def _newest_first(records):
    """Mails or messages, newest first; those with an unreadable date last, in the order they came."""
    return sorted(records, key=lambda record: (isinstance(record['date'], datetime),
                                               record['date'] if isinstance(record['date'], datetime) else ''),
                  reverse=True)


def item_infos(response, shop, fake_sale, item):
    sub(response, 'sellerid', shop.seller_id)
    node = sub(response, 'item')
    sub(node, 'itemid', item.itemid)
    sub(node, 'date', _date(fake_sale.purchase_date))
    sub(node, 'itemstatus', item.status)
    claim = item.claim
    sub(node, 'itemstate', ('CLAIMED_AMICABLE' if claim['amicable'] else 'CLAIMED') if claim else item.status)
    _padded(node, 'itemstatelabel', 'Réclamation en cours' if claim else item.status, cdata=True)
    sub(node, 'paymentstatus', 'Forthcoming')
    sub(node, 'sellerscore')
    if claim:
        claim_node = sub(node, 'claim')
        sub(claim_node, 'creationdate', _date(claim['creationdate']))
        sub(claim_node, 'type', claim['type'])
        sub(claim_node, 'state', claim['state'])
        sub(claim_node, 'amicable', 'Y' if claim['amicable'] else 'N')
        _padded(claim_node, 'claimcomment', claim['comment'], cdata=True)
    actions = sub(node, 'availableactions')
    for code, title in (('contactuseraboutitem', f'Contacter {fake_sale.buyer_login}'),
                        ('contactusaboutitem', 'Contacter Rakuten'), ('cancelitem', 'Annuler la vente')):
        action = sub(actions, 'action')
        sub(action, 'title', title)
        _padded(action, 'description', f'{title} à propos de cet article', cdata=True)
        sub(action, 'actioncode', code)
    # Newest first, mails before messages: the parser must sort them itself.
    for mail in _newest_first(item.mails):
        mail_node = sub(node, 'mail')
        _padded(mail_node, 'mailid', mail['mailid'])
        _padded(mail_node, 'senddate', _date(mail['date']))
        _padded(mail_node, 'sender', mail['sender'])
        _padded(mail_node, 'recipient', mail['recipient'])
        _padded(mail_node, 'object', mail['object'], cdata=True)
        _padded(mail_node, 'content', mail['content'], cdata=True)
        _padded(mail_node, 'status', mail['status'])
    for message in _newest_first(item.messages):
        message_node = sub(node, 'message')
        _padded(message_node, 'sender', message['sender'])
        _padded(message_node, 'recipient', message['recipient'])
        _padded(message_node, 'senddate', _date(message['date']))
        _padded(message_node, 'content', message['content'], cdata=True)
        _padded(message_node, 'status', message['status'])
    for log in item.logs:
        log_node = sub(node, 'itemlog')
        sub(log_node, 'creationdate', _date(log['date']))
        sub(log_node, 'itemlogcode', log['code'])
        _padded(log_node, 'description', log['description'], cdata=True)
        _padded(log_node, 'complement', log['complement'], cdata=True)


# ----------------------------------------------------------------------------------------------------
# Payouts (§11): shaped like the samples of Rakuten's documentation (old namespace for the details, text
# values in CDATA, one block per item, the compensation's date without seconds)
# ----------------------------------------------------------------------------------------------------

def operation(parent, fake_operation):
    node = sub(parent, 'operation')
    sub(node, 'operationid', fake_operation.operationid)
    sub(node, 'operationdate', fake_operation.date.strftime(const.OPERATION_DATE_FORMAT))
    sub(node, 'operationcause', fake_operation.cause)
    sub(node, 'operationtype', fake_operation.type)
    sub(node, 'operationstate', fake_operation.state)
    money(node, 'operationamount', abs(fake_operation.amount))
    sub(node, 'compensationid', fake_operation.compensationid)


def _cdata(parent, tag, text):
    sub(parent, tag).text = etree.CDATA(text)


def _purchase_block(parent, kind, fake_sale, item, status):
    block = sub(parent, kind)
    sub(block, 'purchasedate', _date(fake_sale.purchase_date))
    sub(block, 'purchaseid', fake_sale.purchaseid)
    sub(block, 'purchasebuyerlogin', fake_sale.buyer_login)
    node = sub(block, 'item')
    sub(node, 'itemid', item.itemid)
    _cdata(node, 'sku', item.sku)
    _cdata(node, 'headline', item.headline)
    _cdata(node, 'category', 'Maison')
    sub(node, 'itemstatus', status)
    return node


def _license_fee(parent, fee, asset):
    prefix = 'licensefeeasset' if asset else 'licensefee'
    node = sub(parent, prefix)
    sub(node, 'licensefeeid', fee['licensefeeid'])
    sub(node, 'licensefeeperiod', fee['period'])
    sub(node, f'{prefix}vatrate', VAT_RATE)
    money(node, f'{prefix}amountexcltax', fee['excl'])
    money(node, f'{prefix}amountvat', fee['vat'])
    money(node, f'{prefix}amountincltax', fee['incl'])


def compensation_details(response, compensation):
    details = sub(response, 'compensationdetails')
    sub(details, 'compensationid', compensation.compensationid)
    sub(details, 'compensationdate', _date(compensation.date))
    sub(details, 'invoicenumber', compensation.invoicenumber)
    for kind, lines, total in ((const.BLOCK_ITEM_PAYMENT, compensation.payments, 'paymentamount'),
                               (const.BLOCK_CANCELLED_ITEM, compensation.cancelled, 'totalcancellationamount')):
        for fake_sale, item, status in lines:
            node = _purchase_block(details, kind, fake_sale, item, status)
            money(node, 'itemsaleprice', item.price)
            money(node, 'shippingsaleprice', item.shipping_price)
            _commissions(node, item.charges())
            money(node, total, item.charges()['payment'])
    for line in compensation.adjustments:
        node = _purchase_block(details, const.BLOCK_ADJUSTMENT, line['sale'], line['item'], line['status'])
        sub(node, 'itemadjustmentvatrate', line['vat_rate'])
        money(node, 'itemadjustmentamount', line['amount'])
    for fee in compensation.fees:
        _license_fee(details, fee, asset=False)
    for fee in compensation.assets:
        _license_fee(details, fee, asset=True)
