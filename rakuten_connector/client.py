"""Client of the Rakuten France seller web services. Knows nothing of Odoo.

Every call goes through ``RakutenClient._call``, the one HTTP seam: it adds the credentials, retries where
that is safe (urllib3's ``Retry``), bounds the answer's size, parses it and turns Rakuten's
``errorresponse`` documents (even inside an HTTP 200) into typed exceptions. Neither the login nor the
token ever reaches a log line or an exception text.
"""
import contextlib
import dataclasses
import logging
import threading
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InvalidHeader, MaxRetryError
from urllib3.util.retry import Retry

from . import const, parsing
from .exceptions import RUN_STOPPERS, ParameterError, QuotaError, RakutenError, ResponseError, TransientError
from .redact import redact

_logger = logging.getLogger(__name__)

MAX_PAGES = 10000  # a safety net against a server that never stops paging
_ADAPTER_RETRIED = frozenset({'NetworkError', 'OversizedResponse'})
MAX_RETRY_AFTER = 60  # seconds: a longer Retry-After is never slept on in a worker; the next run retries


def retry_after(response):
    """Seconds Rakuten asks to wait before the next call (``Retry-After``), None when it does not say."""
    value = response.headers.get('Retry-After')
    if value is None:
        return None
    try:
        return Retry.DEFAULT.parse_retry_after(value)
    except InvalidHeader:
        return None


class _ShortWaitRetry(Retry):
    """urllib3's Retry, except that a ``Retry-After`` longer than MAX_RETRY_AFTER ends the retries at once
    (the answer goes back to the caller) instead of holding the worker for that long."""

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        if response is not None and (retry_after(response) or 0) > MAX_RETRY_AFTER:
            raise MaxRetryError(_pool, url, error)
        return super().increment(method=method, url=url, response=response, error=error, _pool=_pool,
                                 _stacktrace=_stacktrace)


class RakutenClient:
    """``RakutenClient(base_url, login, token, timeout)``: one method per web service action."""

    def __init__(self, base_url, login, token, timeout=const.DEFAULT_TIMEOUT, *,
                 retries=const.RETRY_TOTAL, backoff=const.RETRY_BACKOFF, channel=const.CHANNEL,
                 max_response_bytes=const.MAX_RESPONSE_BYTES, workers=const.DEFAULT_WORKERS):
        if not (base_url and login and token):
            raise ParameterError('The Rakuten endpoint, login and token are all required.',
                                 code='MissingCredentials')
        self.base_url = base_url.rstrip('/')
        self.login = login
        self._token = token
        self.timeout = timeout
        self.channel = channel
        self.max_response_bytes = max_response_bytes
        self.workers = max(1, min(int(workers), const.MAX_WORKERS))  # calls under way at once (map_calls)
        # Reads may be replayed after any failure; writes only when the request never left.
        self._read_session = self._session(_ShortWaitRetry(
            total=retries, connect=retries, read=retries, status=retries, other=0,
            backoff_factor=backoff, status_forcelist=const.RETRY_STATUSES,
            allowed_methods=frozenset({'GET'}), raise_on_status=False, respect_retry_after_header=True,
        ))
        self._write_session = self._session(_ShortWaitRetry(
            total=retries, connect=retries, read=0, status=0, other=0, backoff_factor=backoff,
            allowed_methods=frozenset(), raise_on_status=False,
        ))
        # Rakuten also reports transient failures inside HTTP 200 answers ("Service unavailable",
        # ServerError), and answers can arrive truncated: reads are replayed on the same schedule.
        self._answer_retry = Retry(total=retries, status=retries, backoff_factor=backoff)

    def __repr__(self):
        return f'<RakutenClient {self.base_url}>'

    @staticmethod
    def _session(retry):
        session = requests.Session()
        # One pooled connection per concurrent worker (see ``map_calls``), reused across calls.
        adapter = HTTPAdapter(max_retries=retry, pool_maxsize=const.MAX_WORKERS)
        session.mount('http://', adapter)
        session.mount('https://', adapter)
        session.headers['User-Agent'] = f'{const.CHANNEL} (Odoo)'
        return session

    def close(self):
        self._read_session.close()
        self._write_session.close()

    # ------------------------------------------------------------------------------------------------
    # The HTTP seam
    # ------------------------------------------------------------------------------------------------

    def _call(self, action, params=None, file=None):
        """Call ``action`` and return the root of its (namespace-free) answer, or raise RakutenError."""
        retry = self._answer_retry
        while True:
            try:
                return self._call_once(action, params, file)
            except RakutenError as error:
                if not self._replayable(action, error):
                    raise
                try:
                    retry = retry.increment(method='GET', url=const.ACTIONS[action][0])
                except MaxRetryError:
                    raise error from None
                retry.sleep()

    @staticmethod
    def _replayable(action, error):
        """A read whose answer said "try again" (the HTTP adapter already replayed network and 5xx errors)."""
        return (action in const.READ_ACTIONS and error.retryable and not isinstance(error, QuotaError)
                and error.code not in _ADAPTER_RETRIED and not str(error.code).startswith('HTTP'))

    def _call_once(self, action, params, file):
        path, version, upload = const.ACTIONS[action]
        query = {'action': action, 'login': self.login, 'pwd': self._token, 'version': version}
        if self.channel:
            query['channel'] = self.channel
        query.update({key: value for key, value in (params or {}).items() if value not in (None, '')})
        session = self._read_session if action in const.READ_ACTIONS else self._write_session
        started = time.monotonic()
        try:
            if upload:
                response = session.post(
                    self.base_url + path, params=query, timeout=self.timeout, stream=True,
                    files={'file': (f'{action}.xml', file, 'text/xml')},
                )
            else:
                response = session.get(self.base_url + path, params=query, timeout=self.timeout, stream=True)
            content = self._read_body(response)
        except requests.RequestException as error:
            # The exception text quotes the URL, hence the credentials: never chain it.
            raise TransientError(self._redact(f'Rakuten could not be reached: {error}'),
                                 code='NetworkError', action=action) from None
        _logger.debug('Rakuten %s: HTTP %s, %d bytes in %.2fs', action, response.status_code, len(content),
                      time.monotonic() - started)
        self._check_retry_after(action, response)
        return self._check(action, response.status_code, content)

    @staticmethod
    def _check_retry_after(action, response):
        """Rakuten asks to come back later than a worker may wait: the run stops, the next run retries."""
        wait = retry_after(response) if response.status_code in (429, 503) else None
        if wait is not None and wait > MAX_RETRY_AFTER:
            raise QuotaError(f'Rakuten asks to wait {int(wait)} seconds before the next call.',
                             code='RetryAfter', action=action)

    def _read_body(self, response):
        chunks, size = [], 0
        with response:
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > self.max_response_bytes:
                    raise ResponseError(f'Answer larger than {self.max_response_bytes} bytes refused.',
                                        code='OversizedResponse')
                chunks.append(chunk)
        return b''.join(chunks)

    def _check(self, action, status_code, content):
        try:
            root = parsing.parse_document(content)
        except ResponseError as error:
            if status_code >= 400:
                raise TransientError(f'Rakuten answered HTTP {status_code}.', code=f'HTTP{status_code}',
                                     action=action) from None
            error.action = action
            raise
        if root.tag != 'errorresponse' and status_code >= 400:
            raise TransientError(f'Rakuten answered HTTP {status_code}.', code=f'HTTP{status_code}',
                                 action=action)
        return parsing.check_response(root, action)

    def _redact(self, text):
        return redact(text, secrets=(self.login, self._token))

    def _pages(self, fetch):
        """Follow ``nexttoken`` through every page; stop on a repeated token."""
        token, seen = None, set()
        for _page in range(MAX_PAGES):
            page = fetch(token)
            yield page
            if not page.next_token:
                return
            if page.next_token in seen:
                raise ResponseError('Rakuten sent the same page token twice.', code='RepeatedPage')
            seen.add(page.next_token)
            token = page.next_token
        raise ResponseError(f'More than {MAX_PAGES} pages.', code='TooManyPages')

    # ------------------------------------------------------------------------------------------------
    # Connection
    # ------------------------------------------------------------------------------------------------

    def check_connection(self):
        """Cheap authenticated read; returns the seller id (``Connection``)."""
        root = self._call('getcurrentsales', {'purchasedate': date.today().isoformat()})
        return parsing.parse_connection(root)

    # ------------------------------------------------------------------------------------------------
    # Sales
    # ------------------------------------------------------------------------------------------------

    def get_new_sales(self, next_token=None):
        """One page of sales awaiting acceptance (``SalesPage``)."""
        return parsing.parse_sales_page(self._call('getnewsales', {'nexttoken': next_token}))

    def iter_new_sales(self):
        for page in self._pages(self.get_new_sales):
            yield from page.sales

    def get_current_sales(self, since=None, next_token=None):
        """One page of accepted/in-progress sales, purchased on or after ``since`` (a date)."""
        params = {'nexttoken': next_token, 'purchasedate': since.strftime('%Y-%m-%d') if since else None}
        return parsing.parse_sales_page(self._call('getcurrentsales', params))

    def iter_current_sales_pages(self, since=None):
        return self._pages(lambda token: self.get_current_sales(since=since, next_token=token))

    def accept_sale(self, itemid, shipping_from_country=const.FRANCE_COUNTRY_CODE):
        """Accept one item. Already accepted / already cancelled come back as outcomes, not errors."""
        country = int(shipping_from_country)  # numeric ISO code; France is 249
        return self._decide('acceptsale', itemid, const.OUTCOME_ACCEPTED, {'shippingfromcountry': country})

    def refuse_sale(self, itemid):
        return self._decide('refusesale', itemid, const.OUTCOME_REFUSED)

    def _decide(self, action, itemid, expected, params=None):
        try:
            root = self._call(action, {'itemid': itemid, **(params or {})})
        except RakutenError as error:
            decision = parsing.decision_from_error(error, itemid)
            if decision is None:
                raise
            return decision
        return parsing.parse_decision(root, itemid, expected)

    def get_shipping_information(self, purchaseid):
        root = self._call('getshippinginformation', {'purchaseid': purchaseid})
        return parsing.parse_shipping_information(root, purchaseid)

    def get_billing_information(self, purchaseid):
        root = self._call('getbillinginformation', {'purchaseid': purchaseid})
        return parsing.parse_billing_information(root, purchaseid)

    def get_item_todo_list(self):
        return parsing.parse_todo_list(self._call('getitemtodolist'))

    def cancel_item(self, itemid, comment):
        """Cancel an accepted item; the comment to the buyer is mandatory."""
        if not (comment or '').strip():
            raise ParameterError('A comment to the buyer is required to cancel an item.', code='MissingComment')
        return parsing.parse_status(self._call('cancelitem', {'itemid': itemid, 'comment': comment}))

    # ------------------------------------------------------------------------------------------------
    # Despatch
    # ------------------------------------------------------------------------------------------------

    @staticmethod
    def _check_tracking(transporter, tracking_url):
        if not transporter:
            raise ParameterError('A Rakuten transporter name is required.', code='MissingTransporter')
        if transporter == const.TRANSPORTER_OTHER and not tracking_url:
            raise ParameterError('The transporter "Autre" needs a tracking URL.', code='MissingTrackingUrl')
        if tracking_url and not tracking_url.lower().startswith(('http://', 'https://')):
            raise ParameterError('The tracking URL must be a complete http(s) address.', code='BadTrackingUrl')

    def set_tracking(self, itemid, transporter, tracking_number, tracking_url=''):
        """``settrackingpackageinfos`` for one item; returns Rakuten's status (``OK``)."""
        self._check_tracking(transporter, tracking_url)
        return parsing.parse_status(self._call('settrackingpackageinfos', {
            'itemid': itemid, 'transporter_name': transporter, 'tracking_number': tracking_number,
            'tracking_url': tracking_url,
        }))

    def import_item_shipping_status(self, lines):
        """Confirm the despatch of many items in one file (``TrackingLine``s) → ``ImportResult``."""
        for line in lines:
            self._check_tracking(line.transporter, line.tracking_url)
        content = parsing.build_shipping_status_file(lines)
        return parsing.parse_import_result(self._call('importitemshippingstatus', file=content))

    # ------------------------------------------------------------------------------------------------
    # Stock
    # ------------------------------------------------------------------------------------------------

    def export_inventory(self, next_token=None):
        """One page of the seller's adverts (``InventoryPage``)."""
        return parsing.parse_inventory_page(self._call('export', {'nexttoken': next_token}))

    def iter_inventory(self):
        for page in self._pages(self.export_inventory):
            yield from page.adverts

    def generic_import_file(self, lines):
        """Upload advert updates (``StockLine``s); returns the ``ImportResult`` whose id to poll."""
        if not lines:
            raise ParameterError('Nothing to import.', code='EmptyFile')
        content = parsing.build_stock_file(lines)
        return parsing.parse_import_result(self._call('genericimportfile', file=content))

    def generic_import_report(self, file_id, next_token=None):
        """One page of an import file's report (``ImportReport``)."""
        root = self._call('genericimportreport', {'fileid': file_id, 'nexttoken': next_token})
        return parsing.parse_import_report(root, file_id)

    def get_import_report(self, file_id):
        """The whole report of an import file, every page's lines together."""
        pages = list(self._pages(lambda token: self.generic_import_report(file_id, token)))
        lines = tuple(line for page in pages for line in page.lines)
        return dataclasses.replace(pages[0], lines=lines, next_token='')

    # ------------------------------------------------------------------------------------------------
    # Payouts (§11)
    # ------------------------------------------------------------------------------------------------

    def get_operations(self, since=None, cause=const.OPERATION_CAUSE_TRANSFER):
        """One page of the wallet's operations (``OperationsPage``) dated after ``since`` (a datetime, aware or
        naive UTC; None: from the start), of ``cause`` (None: every cause). Rakuten answers at most 200 at a time
        and says whether more follow (``has_more``)."""
        params = {'lastoperationdate': parsing.format_operation_date(since) if since else None,
                  'operationcause': cause}
        return parsing.parse_operations_page(self._call('getoperations', params))

    def iter_operations(self, since=None, cause=const.OPERATION_CAUSE_TRANSFER):
        """Every operation after ``since``, each once: the next page is asked from the newest date of the page
        before (``lastoperationdate``), operations already seen are skipped (a page may start with the last one of
        the page before). A page with nothing new while more are announced stops with ``RepeatedPage``."""
        seen = set()
        for _page in range(MAX_PAGES):
            page = self.get_operations(since=since, cause=cause)
            fresh = [operation for operation in page.operations if operation.id not in seen]
            seen.update(operation.id for operation in fresh)
            yield from fresh
            if not page.has_more:
                return
            dates = [operation.date for operation in page.operations if operation.date]
            if not fresh or not dates:
                raise ResponseError('Rakuten sent the same page of operations twice.', code='RepeatedPage',
                                    action='getoperations')
            since = max(dates)
        raise ResponseError(f'More than {MAX_PAGES} pages.', code='TooManyPages', action='getoperations')

    def get_compensation_details(self, compensation_id):
        """The lines of one transfer (``Compensation``): items paid, cancelled and adjusted, subscription fees."""
        if not compensation_id:
            raise ParameterError('A compensation id is required.', code='MissingCompensation')
        root = self._call('getcompensationdetails', {'compensationid': compensation_id})
        return parsing.parse_compensation_details(root, compensation_id)

    # ------------------------------------------------------------------------------------------------
    # Concurrency
    # ------------------------------------------------------------------------------------------------

    def map_calls(self, call, arguments, workers=None):
        """Run ``call(argument)`` for each argument over at most ``workers`` threads (default: the client's).

        Rakuten needs one call per unit to accept and one per sale to read its billing: over a real network
        the waiting dominates, so independent calls overlap. ``call`` must only talk to Rakuten (the
        threads never touch anything else). Returns ``(results, stopped)``: ``results`` maps each argument
        that was called to its answer or to the exception it raised; ``stopped`` is the run-stopping error
        (quota, credentials, rights) that ended the batch, else None. After such an error no new call
        starts; the calls already under way end and keep their results, which the caller must apply.
        """
        with self.calls_under_way(call, arguments, workers=workers) as collect:
            return collect(arguments)

    @contextlib.contextmanager
    def calls_under_way(self, call, arguments, workers=None):
        """``map_calls`` without waiting for every answer: the calls start in the order of ``arguments`` and
        the block gets ``collect(some_arguments, wait=True)``, which waits for the answers of those only (or
        takes those received so far) and returns ``(results, stopped)`` as ``map_calls`` does (``stopped``:
        the error that stopped the calls so far).
        The caller works on the first answers while the next calls are under way. Leaving the block starts no
        new call and waits for those under way."""
        arguments = list(dict.fromkeys(arguments))
        results, stopped = {}, []
        halt = threading.Event()

        def run(argument):
            if halt.is_set():
                return
            try:
                results[argument] = call(argument)
            except RUN_STOPPERS as error:
                halt.set()
                stopped.append(error)
            except Exception as error:  # noqa: BLE001 - handed back to the caller, per argument
                results[argument] = error

        def collect(some, wait=True):
            some = [argument for argument in some if argument in futures]
            for argument in some if wait else ():  # wait=False: only the answers received so far
                futures[argument].result()
            return ({argument: results[argument] for argument in some if argument in results},
                    stopped[0] if stopped else None)

        workers = max(1, min(int(workers or self.workers), const.MAX_WORKERS, len(arguments) or 1))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix='rakuten')
        try:
            futures = {argument: pool.submit(run, argument) for argument in arguments}
            yield collect
        finally:
            halt.set()
            pool.shutdown(wait=True, cancel_futures=True)

    # ------------------------------------------------------------------------------------------------
    # After-sales: messages, customer-service mails, claims
    # ------------------------------------------------------------------------------------------------

    def get_item_infos(self, itemid):
        """Status, claim, actions, messages and mails of one item (``ItemInfo``).

        Rakuten marks the item's messages as read when it answers: store them before anything else.
        """
        return parsing.parse_item_infos(self._call('getiteminfos', {'itemid': itemid}), itemid)

    def contact_user_about_item(self, itemid, content):
        """Send ``content`` to the buyer of ``itemid``; returns Rakuten's status (``SENT``)."""
        return self._contact('contactuseraboutitem', {'itemid': itemid}, content)

    def contact_us_about_item(self, itemid, content, mail_parent_id):
        """Answer the customer-service mail ``mail_parent_id`` about ``itemid``."""
        if not mail_parent_id:
            raise ParameterError('The customer-service mail to answer is required.', code='MissingParentMail')
        return self._contact('contactusaboutitem', {'itemid': itemid, 'mailparentid': mail_parent_id}, content)

    def _contact(self, action, params, content):
        text = latin1_text(content).strip()
        if not text:
            raise ParameterError('The message is empty.', code='EmptyMessage')
        try:
            status = parsing.parse_status(self._call(action, {**params, 'content': text.encode('iso-8859-1')}))
        except ParameterError as error:
            if contact_window_closed(error):
                error.code = const.CONTACT_CLOSED_CODE
            raise
        if status.upper() != const.REPLY_SENT:
            raise ResponseError(f'Unexpected status {status!r} for the message.', code='UnexpectedResponse',
                                action=action)
        return status


def latin1_text(text):
    """``text`` made of ISO-8859-1 characters only, as Rakuten reads free text: typographic quotes,
    dashes, € and œ get their usual stand-ins, accented letters outside Latin-1 lose their accent, and
    anything else becomes "?"."""
    result = []
    for char in unicodedata.normalize('NFC', text or ''):
        if ord(char) < 256:
            result.append(char)
        elif char in const.LATIN1_FALLBACKS:
            result.append(const.LATIN1_FALLBACKS[char])
        else:
            base = ''.join(c for c in unicodedata.normalize('NFKD', char) if not unicodedata.combining(c))
            result.append(base if base and all(ord(c) < 256 for c in base) else '?')
    return ''.join(result)


def contact_window_closed(error):
    """Whether Rakuten refused a message because the time to contact the buyer is over."""
    text = ' '.join((error.message, *error.details)).lower()
    return any(mark in text for mark in const.CONTACT_CLOSED_MARKS)
