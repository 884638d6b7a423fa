"""The fake Rakuten web service as a WSGI application (werkzeug).

Same paths (``/sales_ws``, ``/stock_ws``, ``/wallet_ws``), ``action``/``login``/``pwd``/``version`` query
parameters, XML answers and ``errorresponse`` documents as the real service. ``/_fake/…`` is its control API
(JSON).
"""
import json
import re
import time
from datetime import datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qs

from werkzeug.wrappers import Request, Response

from .. import const, parsing
from ..deadlines import contact_allowed
from ..exceptions import RakutenError
from . import answers
from .state import PARIS, PAYOUT_TIME, FakeImport, next_id

# Versions accepted besides the one the client sends (older ones integrators still use).
LEGACY_VERSIONS = {
    'getnewsales': {'2014-02-11', '2016-03-16'},
    'getcurrentsales': {'2014-02-11', '2016-03-16', '2021-10-29'},
    'acceptsale': {'2010-09-20'},
    'refusesale': {'2021-04-08'},
    'settrackingpackageinfos': {'2012-11-06'},
    'getitemtodolist': {'2011-02-02'},
    'export': {'2011-02-17', '2014-11-04'},
    'genericimportfile': {'2012-09-11'},
    'genericimportreport': {'2011-11-29'},
}
# Frozen at import: a test may change the versions the client sends, not those the server knows.
SUPPORTED_VERSIONS = {action: frozenset({version} | LEGACY_VERSIONS.get(action, set()))
                      for action, (_path, version, _upload) in const.ACTIONS.items()}
XML_TYPE = 'text/xml;charset=ISO-8859-1'


class FakeError(Exception):
    def __init__(self, code, message, details=(), kind='Sender'):
        super().__init__(message)
        self.document = answers.error(code, message, details, kind)


def _invalid(name):
    return FakeError(const.ERROR_PARAMETER, 'Problem with parameters.', [f"The parameter '{name}' is invalid."])


def _mandatory(name):
    return FakeError(const.ERROR_PARAMETER, 'Problem with parameters.', [f'The parameter {name} is mandatory'])


def _status_error(current):
    return FakeError(const.ERROR_PARAMETER, 'Problem with parameters.',
                     [f'Current status : {current} - Required status : REQUESTED'])


def _moment(text):
    """``YYYY-MM-DD`` (08:00) or ``YYYY-MM-DDTHH:MM[:SS]``, Paris time, from the control API; None when absent."""
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if 'T' in text or ' ' in text else datetime.combine(moment.date(), PAYOUT_TIME)


class FakeRakutenApp:

    def __init__(self, state):
        self.state = state

    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.path.startswith('/_fake/'):
            response = self.control(request)
        elif request.path in (const.SALES_PATH, const.STOCK_PATH, const.WALLET_PATH):
            response = self.serve(request)
        else:
            response = Response('Not Found', status=404)
        return response(environ, start_response)

    # ------------------------------------------------------------------------------------------------
    # Web service
    # ------------------------------------------------------------------------------------------------

    def serve(self, request):
        state = self.state
        with state.lock:
            state.in_flight += 1
            state.max_in_flight = max(state.max_in_flight, state.in_flight)
        try:
            return self._serve(request)
        finally:
            with state.lock:
                state.in_flight -= 1

    def _serve(self, request):
        args = request.args
        action = args.get('action', '')
        with self.state.lock:
            self.state.calls.append((args.get('login', ''), action,
                                     {k: v for k, v in args.items() if k not in ('pwd', 'login')}))
        if self.state.latency:  # a real network's round trip, outside the lock: concurrent calls overlap
            time.sleep(self.state.latency)
        fault = self.state.take_fault(action)
        if fault and fault.kind in ('timeout', 'slow'):
            time.sleep(fault.delay)
        early = self._early_fault(fault, action)
        if early is not None:
            return early
        try:
            with self.state.lock:
                shop = self._authenticate(request, action)
                root = getattr(self, f'do_{action}')(shop, request, fault)
        except FakeError as error:
            root = error.document
        body = answers.serialise(root)
        return self._late_fault(fault, body) or Response(body, content_type=XML_TYPE)

    def _early_fault(self, fault, action):
        kind = fault.kind if fault else None
        if kind in ('http500', 'http502', 'http503'):
            return Response('<html><body>Internal error</body></html>', status=int(kind[4:]),
                            content_type='text/html')
        if kind == 'retry_after':  # throttled: come back in ``delay`` seconds
            return Response('<html><body>Service unavailable</body></html>', status=503, content_type='text/html',
                            headers={'Retry-After': str(int(fault.delay))})
        documents = {
            'quota': (const.ERROR_RIGHTS, 'Quota exceeded.',
                      ['You have exceeded the maximum number of requests per hour for this action.'], 'Sender'),
            'auth': (const.ERROR_AUTH, 'Unknown user or password.', [], 'Sender'),
            'rights': (const.ERROR_RIGHTS, 'You are not allowed to use this web service.', [], 'Sender'),
            'error200': (const.ERROR_SERVER, 'Server not able to fullfill request.',
                         ['An error occurred while submitting the file'], const.ERROR_SERVER),
            'unavailable': ('Unknown error', 'Service unavailable', [], 'Unknown error'),
            'parameter': (const.ERROR_PARAMETER, 'Problem with parameters.',
                          ["The parameter 'itemid' is invalid."], 'Sender'),
        }
        if kind in documents:
            return Response(answers.serialise(answers.error(*documents[kind])), content_type=XML_TYPE)
        if kind == 'malformed':
            return Response(f'<{action}result><response><sales><sale>&&<</response>', content_type=XML_TYPE)
        if kind == 'entity':
            laughs = ''.join(f'<!ENTITY l{i} "&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};">' for i in range(1, 9))
            body = (f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY l0 "lol">{laughs}'
                    f'<!ENTITY x SYSTEM "file:///etc/passwd">]><{action}result><response>&l8;&x;'
                    f'</response></{action}result>')
            return Response(body, content_type=XML_TYPE)
        if kind == 'empty':
            return Response(b'', content_type=XML_TYPE)
        if kind == 'oversized':
            return Response(b'<r>' + b' ' * (8 * 1024 * 1024) + b'</r>', content_type=XML_TYPE)
        return None

    @staticmethod
    def _late_fault(fault, body):
        kind = fault.kind if fault else None
        if kind == 'truncated':
            return Response(body[:len(body) // 2], content_type=XML_TYPE)
        if kind == 'wrong_encoding':
            # UTF-8 bytes behind a Latin-1 declaration, as some answers were captured.
            text = body.decode('iso-8859-1')
            return Response(text.encode('utf-8'), content_type=XML_TYPE)
        if kind == 'padded_namespace':  # as in some answers of Rakuten's documentation
            return Response(re.sub(rb'xmlns="([^"]*)"', rb'xmlns=" \1 "', body, count=1), content_type=XML_TYPE)
        if kind == 'control_chars':
            return Response(body.replace(b'<response>', b'<response>\x01\x02\x0b', 1), content_type=XML_TYPE)
        if kind == 'slow_answer':
            # The request was served (for getiteminfos: messages marked read), the answer is late.
            time.sleep(fault.delay)
        return None

    def _authenticate(self, request, action):
        args = request.args
        if action not in const.ACTIONS:
            raise _invalid('action')
        path, _version, upload = const.ACTIONS[action]
        if request.path != path:
            raise _invalid('action')
        for name in ('login', 'pwd', 'version'):
            if not args.get(name):
                raise _mandatory(name)
        shop = self.state.shops.get(args['login'])
        if shop is None or shop.token != args['pwd']:
            raise FakeError(const.ERROR_AUTH, 'Unknown user or password.')
        if args['version'] not in SUPPORTED_VERSIONS[action]:
            raise FakeError(const.ERROR_PARAMETER, 'Problem with parameters.',
                            [f"The version {args['version']} is not supported"])
        if shop.quota_per_hour is not None:
            hour_calls = sum(1 for login, _a, _p in self.state.calls if login == shop.login)
            if hour_calls > shop.quota_per_hour:
                raise FakeError(const.ERROR_RIGHTS, 'Quota exceeded.',
                                ['You have exceeded the maximum number of requests per hour.'])
        if upload and (request.method != 'POST' or 'file' not in request.files):
            raise FakeError(const.ERROR_PARAMETER, 'Problem with parameters.',
                            ['A multipart/form-data POST with a file field is required.'])
        return shop

    def _page(self, records, request, fault):
        token = request.args.get('nexttoken', '')
        start = int(token) if token.isdigit() else 0
        end = start + self.state.page_size
        next_token = str(end) if end < len(records) else ''
        if fault and fault.kind == 'repeat_page':
            next_token = token or '0'
        return records[start:end], next_token

    def _envelope(self, shop, request, action, echo=None):
        return answers.envelope(action, shop.login, request.args['version'], echo)

    # ------------------------------------------------------------------------------------------------
    # Sales
    # ------------------------------------------------------------------------------------------------

    def _sales(self, shop, request, fault, action, statuses):
        since = self._since(request.args.get('purchasedate', ''))
        selected = []
        for sale in sorted(shop.sales.values(), key=lambda s: (s.purchase_date, s.purchaseid)):
            items = [item for item in sale.items if statuses(item.status)]
            if items and (since is None or sale.purchase_date.date() >= since):
                selected.append((sale, items))
        page, next_token = self._page(selected, request, fault)
        root, response = self._envelope(shop, request, action, {'nexttoken': request.args.get('nexttoken', '')})
        answers.sub(response, 'sellerid', shop.seller_id)
        answers.sub(response, 'nexttoken', next_token)
        sales = answers.sub(response, 'sales')
        for sale, items in page:
            answers.sale(sales, sale, items)
        return root

    @staticmethod
    def _since(text):
        for fmt in ('%Y-%m-%d', '%d/%m/%Y'):
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        return None  # an invalid date is ignored, as Rakuten does

    def do_getnewsales(self, shop, request, fault):
        return self._sales(shop, request, fault, 'getnewsales', lambda status: status == const.STATUS_TO_CONFIRM)

    def do_getcurrentsales(self, shop, request, fault):
        hidden = {const.STATUS_TO_CONFIRM, const.STATUS_REFUSED}
        return self._sales(shop, request, fault, 'getcurrentsales', lambda status: status not in hidden)

    def _item(self, shop, request):
        itemid = request.args.get('itemid', '')
        if not itemid:
            raise _mandatory('itemid')
        sale, item = shop.find_item(itemid)
        if item is None:
            raise _invalid('itemid')
        return sale, item

    def _decide(self, shop, request, action, new_status, outcome):
        _sale, item = self._item(shop, request)
        if item.status in const.SHIPPABLE_STATUSES:
            raise _status_error('CAPTURED')
        if item.status != const.STATUS_TO_CONFIRM:
            raise _status_error('EMPTIED')
        item.status = new_status
        root, response = self._envelope(shop, request, action, {'itemid': item.itemid})
        answers.sub(response, 'status', outcome)
        return root, response, item

    def do_acceptsale(self, shop, request, fault):
        country = request.args.get('shippingfromcountry', '')
        if request.args['version'] >= '2021-04-08':
            if not country:
                raise _mandatory('shippingfromcountry')
            if not country.isdigit():
                raise _invalid('shippingfromcountry')
        root, response, item = self._decide(shop, request, 'acceptsale', const.STATUS_ACCEPTED,
                                            const.OUTCOME_ACCEPTED)
        item.shipping_from_country = country
        answers.sub(response, 'shippingfromcountry', country)
        answers.sub(response, 'importcountry', '249')
        return root

    def do_refusesale(self, shop, request, fault):
        return self._decide(shop, request, 'refusesale', const.STATUS_REFUSED, const.OUTCOME_REFUSED)[0]

    def _accepted_sale(self, shop, request):
        sale = shop.sales.get(request.args.get('purchaseid', ''))
        if sale is None or not any(item.status != const.STATUS_TO_CONFIRM for item in sale.items):
            raise _invalid('purchaseid')
        return sale

    def do_getshippinginformation(self, shop, request, fault):
        sale = self._accepted_sale(shop, request)
        root, response = self._envelope(shop, request, 'getshippinginformation', {'purchaseid': sale.purchaseid})
        answers.shipping_information(response, sale)
        return root

    def do_getbillinginformation(self, shop, request, fault):
        sale = self._accepted_sale(shop, request)
        root, response = self._envelope(shop, request, 'getbillinginformation', {'purchaseid': sale.purchaseid})
        answers.billing_information(response, sale)
        return root

    def do_getitemtodolist(self, shop, request, fault):
        root, response = self._envelope(shop, request, 'getitemtodolist')
        items = answers.sub(response, 'items')
        todo = [(item.itemid, shop.todo_causes(item)) for _sale, item in shop.items()]
        for itemid, causes in shop.todo + [(itemid, causes) for itemid, causes in todo if causes]:
            item = answers.sub(items, 'item')
            answers.sub(item, 'itemid', itemid)
            cause_list = answers.sub(item, 'causes')
            for cause in causes:
                answers.sub(cause_list, 'cause', cause)
        return root

    def do_cancelitem(self, shop, request, fault):
        _sale, item = self._item(shop, request)
        if not request.args.get('comment'):
            raise _mandatory('comment')
        item.cancel_calls += 1
        # A unit under a claim that has not left can be cancelled too (the claim offers it: guessed, §4.7).
        claimed = item.status in const.CLAIM_STATUSES and not item.tracking
        if item.status not in const.SHIPPABLE_STATUSES and not claimed:
            raise _status_error(item.status)
        item.status = const.STATUS_CANCELLED
        root, response = self._envelope(shop, request, 'cancelitem', {'itemid': item.itemid})
        answers.sub(response, 'status', 'CANCELLED')
        return root

    # ------------------------------------------------------------------------------------------------
    # After-sales
    # ------------------------------------------------------------------------------------------------

    def do_getiteminfos(self, shop, request, fault):
        sale, item = self._item(shop, request)
        root, response = self._envelope(shop, request, 'getiteminfos', {'itemid': item.itemid})
        answers.item_infos(response, shop, sale, item)
        # Reading the item marks its messages read: it leaves the to-do list (unless a claim is open).
        for message in item.messages + item.mails:
            if message['recipient'] == shop.login:
                message['status'] = 'READ'
        return root

    @staticmethod
    def _content(request):
        """The free text as Rakuten reads it: percent-decoded as ISO-8859-1."""
        query = parse_qs(request.query_string.decode('ascii', 'replace'), encoding='iso-8859-1')
        content = (query.get('content') or [''])[0].strip()
        if not content:
            raise _mandatory('content')
        return content

    def do_contactuseraboutitem(self, shop, request, fault):
        sale, item = self._item(shop, request)
        content = self._content(request)
        now = datetime.now(PARIS)
        amicable = bool(item.claim and item.claim['amicable'] and item.claim['state'] not in
                        const.CLAIM_CLOSED_STATES)
        received = item.received_date.replace(tzinfo=PARIS) if item.received_date else None
        if not contact_allowed(sale.purchase_date.replace(tzinfo=PARIS), received, amicable, now):
            raise FakeError(const.ERROR_PARAMETER, 'Problem with parameters.',
                            ['The time limit to contact the buyer about this item is over.'])
        item.messages.append({'sender': shop.login, 'recipient': sale.buyer_login, 'content': content,
                              'date': now.replace(tzinfo=None, second=0, microsecond=0), 'status': 'SENT'})
        root, response = self._envelope(shop, request, 'contactuseraboutitem', {'itemid': item.itemid})
        answers.sub(response, 'status', const.REPLY_SENT)
        return root

    def do_contactusaboutitem(self, shop, request, fault):
        _sale, item = self._item(shop, request)
        parent = request.args.get('mailparentid', '')
        if not parent:
            raise _mandatory('mailparentid')
        if not any(mail['mailid'] == parent for mail in item.mails):
            raise _invalid('mailparentid')
        content = self._content(request)
        item.mails.append({'mailid': next_id(2900000000), 'sender': shop.login, 'recipient': shop.CUSTOMER_SERVICE,
                           'date': datetime.now(PARIS).replace(tzinfo=None, second=0, microsecond=0),
                           'object': f'Re: {parent}', 'content': content, 'status': 'SENT', 'parent': parent})
        root, response = self._envelope(shop, request, 'contactusaboutitem', {
            'itemid': item.itemid, 'mailparentid': parent})
        answers.sub(response, 'status', const.REPLY_SENT)
        return root

    # ------------------------------------------------------------------------------------------------
    # Despatch
    # ------------------------------------------------------------------------------------------------

    @staticmethod
    def _tracking_problem(shop, item, transporter, url):
        known = {name.lower() for name in const.TRANSPORTERS}
        if item is None:
            return 'unknown item'
        if item.status not in const.SHIPPABLE_STATUSES:
            return f'item status {item.status} does not allow a shipment'
        if item.tracking and shop.refuse_reship:
            return 'the item is already shipped'
        if transporter.lower() not in known:
            return f'unknown transporter {transporter!r}'
        if transporter.lower() == const.TRANSPORTER_OTHER.lower() and not url:
            return 'a tracking URL is required with Autre'
        if url and not url.lower().startswith(('http://', 'https://')):
            return 'the tracking URL is invalid'
        return None

    @staticmethod
    def _ship(item, transporter, number, url):
        """The buyer is mailed the tracking; the item's history shows the despatch, its status does not change
        (how Rakuten shows a despatch is a guess: doc/rakuten-api.md §4.8)."""
        item.tracking = {'transporter': transporter, 'number': number, 'url': url}
        item.tracking_calls += 1
        item.logs.append({'date': datetime.now(PARIS).replace(tzinfo=None, second=0, microsecond=0),
                          'code': 'ITEM_SHIPPED', 'complement': url,
                          'description': f"Vous avez confirmé l'envoi ({transporter} {number})."})

    def do_settrackingpackageinfos(self, shop, request, fault):
        args = request.args
        _sale, item = self._item(shop, request)
        transporter, number, url = (args.get('transporter_name', ''), args.get('tracking_number', ''),
                                    args.get('tracking_url', ''))
        problem = self._tracking_problem(shop, item, transporter, url)
        if problem:
            raise FakeError(const.ERROR_PARAMETER, 'Problem with parameters.', [problem])
        self._ship(item, transporter, number, url)
        root, response = self._envelope(shop, request, 'settrackingpackageinfos', {
            'itemid': item.itemid, 'transporterName': transporter, 'trackingNumber': number, 'trackingUrl': url})
        answers.sub(response, 'status', 'OK')
        return root

    def _upload(self, request, root_tag):
        try:
            return parsing.parse_upload(request.files['file'].read(), root_tag)
        except RakutenError as error:
            raise FakeError(const.ERROR_PARAMETER, 'Problem with parameters.', [error.message]) from None

    def _shipping_lines(self, shop, root):
        """[(itemid, problem or None, ship arguments)] for each ``<item>`` of a shipping status file."""
        lines = []
        for node in root.iterfind('item'):
            def get(tag, node=node):
                return (node.findtext(tag) or '').strip()
            sale, item = shop.find_item(get('itemid'))
            problem = self._tracking_problem(shop, item, get('transporter'), get('trackingurl'))
            if not problem and sale.purchaseid != get('purchaseid'):
                problem = 'the item is not in that purchase'
            lines.append((get('itemid'), problem,
                          (item, get('transporter'), get('trackingnumber'), get('trackingurl'))))
        return lines

    def do_importitemshippingstatus(self, shop, request, fault):
        root = self._upload(request, 'items')
        kind = fault.kind if fault else None
        if kind == 'queued':  # Rakuten takes the file now and processes it later: see its report
            return self._queue(shop, request, 'importitemshippingstatus', 'despatch')
        if kind == 'bad_status':
            return self._upload_answer(shop, request, 'importitemshippingstatus', 'KO')
        lines = self._shipping_lines(shop, root)
        problems = [f'line {number} (item {itemid}): {problem}'
                    for number, (itemid, problem, _ship) in enumerate(lines, start=1) if problem]
        if problems or not lines:
            raise FakeError(const.ERROR_PARAMETER, 'Problem with parameters.', problems or ['No item in file.'])
        for _itemid, _problem, ship in lines:
            self._ship(*ship)
        return self._upload_answer(shop, request, 'importitemshippingstatus', 'OK', next_id(700000))

    def _upload_answer(self, shop, request, action, status, importid=None):
        root, response = self._envelope(shop, request, action)
        if importid:
            answers.sub(response, 'importid', importid)
        answers.sub(response, 'status', status)
        return root

    def _queue(self, shop, request, action, kind):
        """Keep an uploaded file for processing at a later report read; answer with its id. A stock file is
        answered OK, a queued despatch file with its waiting status."""
        upload = request.files['file']
        upload.seek(0)
        fake_import = FakeImport(next_id(5000000), upload.read(), datetime.now(PARIS).replace(tzinfo=None),
                                 kind=kind)
        shop.imports[fake_import.importid] = fake_import
        status = fake_import.status if kind == 'despatch' else 'OK'
        return self._upload_answer(shop, request, action, status, fake_import.importid)

    # ------------------------------------------------------------------------------------------------
    # Stock
    # ------------------------------------------------------------------------------------------------

    def do_export(self, shop, request, fault):
        adverts = sorted(shop.adverts.values(), key=lambda advert: advert.advertid)
        page, next_token = self._page(adverts, request, fault)
        root, response = self._envelope(shop, request, 'export')
        answers.sub(response, 'nexttoken', next_token)
        answers.sub(response, 'nbresults', len(adverts))
        advert_list = answers.sub(response, 'advertlist')
        for advert in page:
            answers.advert(advert_list, advert)
        return root

    def do_genericimportfile(self, shop, request, fault):
        kind = fault.kind if fault else None
        if kind == 'bad_status':
            return self._upload_answer(shop, request, 'genericimportfile', 'KO')
        root = self._queue(shop, request, 'genericimportfile', 'stock')
        if kind == 'refuse_price':  # taken, then every line carrying a price is refused at processing
            shop.imports[root.find('response').findtext('importid')].refuse_price = True
        if kind == 'no_file_id':  # the file is taken, but the answer does not say under which id
            response = root.find('response')
            response.remove(response.find('importid'))
        return root

    def do_genericimportreport(self, shop, request, fault):
        fake_import = shop.imports.get(request.args.get('fileid', ''))
        if fake_import is None:
            raise _invalid('fileid')
        fake_import.polls += 1
        if fake_import.status in const.IMPORT_WAITING and fake_import.polls > self.state.import_polls:
            self._process(shop, fake_import)
        page, next_token = self._page(fake_import.lines, request, fault)
        root, response = self._envelope(shop, request, 'genericimportreport', {
            'fileid': fake_import.importid, 'nexttoken': next_token})
        answers.import_report(response, fake_import, page)
        return root

    def _process(self, shop, fake_import):
        """Apply an import file, as Rakuten does some minutes after the upload."""
        if fake_import.kind == 'despatch':
            self._process_despatch(shop, fake_import)
            return
        previous = [i for i in shop.imports.values() if i is not fake_import and i.kind == fake_import.kind
                    and i.status in const.IMPORT_DONE and i.uploaded <= fake_import.uploaded]
        if previous and previous[-1].content == fake_import.content:
            fake_import.status = const.IMPORT_IDENTICAL
            return
        try:
            root = parsing.parse_upload(fake_import.content, 'items')
        except RakutenError:
            fake_import.status = "Aucune ligne n'a été chargée"
            return
        for node in root.iterfind('item/attributes/advert'):
            values = {(a.findtext('key') or '').strip(): (a.findtext('value') or '').strip()
                      for a in node.iterfind('attribute')}
            fake_import.lines.append(self._apply_advert(shop, values, fake_import.refuse_price))
        fake_import.status = 'Traité' if fake_import.lines else "Aucune ligne n'a été chargée"

    def _process_despatch(self, shop, fake_import):
        """A queued shipping status file: each valid line ships its item, each bad line is reported."""
        for itemid, problem, ship in self._shipping_lines(shop, parsing.parse_upload(fake_import.content, 'items')):
            if problem:
                fake_import.lines.append({'itemid': itemid, 'status': 'Erreur',
                                          'errors': [('itemid', '2001', problem)]})
            else:
                self._ship(*ship)
                fake_import.lines.append({'itemid': itemid, 'status': 'Traité', 'errors': []})
        fake_import.status = 'Traité'

    @staticmethod
    def _apply_advert(shop, values, refuse_price=False):
        sku = values.get('sellerReference', '')
        advert = shop.adverts.get(values.get('aid', '')) or (shop.advert_by_sku(sku) if sku else None)
        line = {'sku': sku, 'status': 'Erreur', 'errors': []}
        if advert is None:
            line['errors'].append(('sellerReference', '1015', f'Aucune annonce avec la référence {sku}.'))
            return line
        try:
            quantity = int(values['qty']) if 'qty' in values else advert.stock
            price = Decimal(values['sellingPrice']) if 'sellingPrice' in values else advert.price
        except (ValueError, InvalidOperation):
            line['errors'].append(('qty', '1024', 'Valeur invalide.'))
            return line
        if quantity < 0:
            line['errors'].append(('qty', '1024', 'La quantité doit être positive.'))
            return line
        if price <= 0:  # the advert keeps its price and stock
            line['errors'].append(('sellingPrice', '1024', 'Le prix de vente doit être supérieur à 0.'))
            return line
        if refuse_price and 'sellingPrice' in values:  # the 'refuse_price' fault: the whole line is refused
            line['errors'].append(('sellingPrice', '1030', "Le prix de vente n'est pas autorisé pour ce produit."))
            return line
        advert.stock, advert.price = quantity, price
        line.update(status='Traité', aid=advert.advertid, pid=advert.product_id, sku=sku or advert.sku)
        return line

    # ------------------------------------------------------------------------------------------------
    # Payouts (§11)
    # ------------------------------------------------------------------------------------------------

    def do_getoperations(self, shop, request, fault):
        """Operations after ``lastoperationdate`` (Paris, with seconds), oldest first, a page at a time; a page
        that is not the last says ``hasmoreoperations`` true."""
        args = request.args
        cause, since_text = args.get('operationcause', ''), args.get('lastoperationdate', '')
        since = None
        if since_text:
            try:
                since = datetime.strptime(since_text, const.OPERATION_DATE_FORMAT)
            except ValueError:
                raise _invalid('lastoperationdate') from None
        kind = fault.kind if fault else None
        repeat = kind == 'repeat_page'  # the same first page, whatever is asked
        # 'inclusive_dates': the operation at ``lastoperationdate`` comes again (whether Rakuten's date is
        # inclusive is not known, §11).
        selected = sorted((operation for operation in shop.operations
                           if (not cause or operation.cause == cause)
                           and (since is None or repeat or operation.date > since
                                or (kind == 'inclusive_dates' and operation.date == since))),
                          key=lambda operation: (operation.date, operation.operationid))
        page = selected[:self.state.page_size]
        root, response = self._envelope(shop, request, 'getoperations', {
            'operationcause': cause, 'lastoperationdate': since_text})
        answers.sub(response, 'sellerid', shop.seller_id)
        operation_list = answers.sub(response, 'operations')
        for operation in page:
            answers.operation(operation_list, operation)
        answers.sub(operation_list, 'hasmoreoperations',
                    'true' if repeat or len(selected) > len(page) else 'false')
        return root

    def do_getcompensationdetails(self, shop, request, fault):
        compensation_id = request.args.get('compensationid', '')
        if not compensation_id:
            raise _mandatory('compensationid')
        compensation = shop.compensations.get(compensation_id)
        if compensation is None:
            raise _invalid('compensationid')
        root, response = self._envelope(shop, request, 'getcompensationdetails', {'compensationid': compensation_id})
        answers.sub(response, 'sellerid', shop.seller_id)
        answers.compensation_details(response, compensation)
        return root

    # ------------------------------------------------------------------------------------------------
    # Control API (JSON), for the demo, the benchmarks and out-of-process tests
    # ------------------------------------------------------------------------------------------------

    def control(self, request):
        from .seed import seed_shop  # noqa: PLC0415 - only the control API needs the seed data
        command = request.path[len('/_fake/'):]
        payload = request.get_json(silent=True) or {}
        state = self.state
        with state.lock:
            if command == 'state':
                pass
            elif command == 'fault':
                state.inject(payload['kind'], payload.get('action', '*'), int(payload.get('times', 1)),
                             float(payload.get('delay', 2.0)), int(payload.get('after', 0)))
            elif command == 'seed':
                seed_shop(state.shops[payload.get('login', state.default_login)],
                          sales=int(payload.get('sales', 50)), seed=int(payload.get('seed', 42)))
            elif command == 'shop':
                state.add_shop(payload['login'], payload['token'], payload.get('seller_id'))
            elif command == 'cancel':
                _sale, item = state.shops[payload.get('login', state.default_login)].find_item(payload['itemid'])
                item.status = const.STATUS_CANCELLED
            elif command == 'message':
                shop = state.shops[payload.get('login', state.default_login)]
                if payload.get('customer_service'):
                    shop.add_mail(payload['itemid'], payload['content'], payload.get('subject', ''))
                else:
                    shop.add_message(payload['itemid'], payload['content'])
            elif command == 'claim':
                state.shops[payload.get('login', state.default_login)].open_claim(
                    payload['itemid'], payload.get('type', 'DAMAGED'), bool(payload.get('amicable', True)),
                    payload.get('comment', ''))
            elif command == 'receive':
                state.shops[payload.get('login', state.default_login)].receive(
                    payload['itemid'], _moment(payload.get('date')))
            elif command == 'adjustment':
                state.shops[payload.get('login', state.default_login)].add_adjustment(
                    payload['itemid'], payload['amount'], payload.get('vat_rate', '0'))
            elif command == 'payout':  # one transfer on ``date``, or every one from ``date`` to ``until``
                shop = state.shops[payload.get('login', state.default_login)]
                start = _moment(payload.get('date')) or datetime.now(PARIS).replace(tzinfo=None)
                try:
                    paid = (shop.pay_outs(start.date(), _moment(payload['until']).date()) if payload.get('until')
                            else [shop.pay_out(start)])
                except ValueError as error:  # not a payout day
                    return Response(json.dumps({'error': str(error)}), status=400, content_type='application/json')
                return Response(json.dumps({'compensations': [
                    {'compensationid': compensation.compensationid, 'total': str(compensation.total)}
                    for compensation in paid if compensation]}), content_type='application/json')
            elif command == 'config':
                state.page_size = int(payload.get('page_size', state.page_size))
                state.import_polls = int(payload.get('import_polls', state.import_polls))
                if 'latency_ms' in payload:
                    state.latency = float(payload['latency_ms']) / 1000
                if 'refuse_reship' in payload:
                    state.shops[payload.get('login', state.default_login)].refuse_reship = \
                        bool(payload['refuse_reship'])
            elif command == 'sales':
                shop = state.shops[payload.get('login', state.default_login)]
                created = [shop.add_sale([tuple(unit) for unit in sale['items']],
                                         shipping_price=sale.get('shipping_price', '0'),
                                         shipping_type=sale.get('shipping_type', 'Normal'))
                           for sale in payload['sales']]
                return Response(json.dumps({'sales': [{'purchaseid': sale.purchaseid, 'delivery': sale.delivery}
                                                      for sale in created]}), content_type='application/json')
            else:
                return Response(json.dumps({'error': f'unknown command {command}'}), status=404,
                                content_type='application/json')
            return Response(json.dumps(state.summary(), default=str), content_type='application/json')
