"""Data tables of the Rakuten France (ex-PriceMinister) seller web services.

Everything here comes from the project's API notes, ``doc/rakuten-api.md`` (the § numbers below are its
sections); change a value here, never in the code using it.
"""

PRODUCTION_URL = 'https://ws.fr.shopping.rakuten.com'

# Sent as ``channel`` so that Rakuten can tell the connector's calls apart (optional parameter).
CHANNEL = 'odoo-rakuten-connector'

SALES_PATH = '/sales_ws'
STOCK_PATH = '/stock_ws'
WALLET_PATH = '/wallet_ws'

# action -> (path, version sent, multipart file upload?)
ACTIONS = {
    'getnewsales': (SALES_PATH, '2017-08-07', False),
    'getcurrentsales': (SALES_PATH, '2017-08-07', False),
    'acceptsale': (SALES_PATH, '2021-04-08', False),
    'refusesale': (SALES_PATH, '2010-09-20', False),
    'getshippinginformation': (SALES_PATH, '2017-09-12', False),
    'getbillinginformation': (SALES_PATH, '2016-03-16', False),
    'settrackingpackageinfos': (SALES_PATH, '2016-03-16', False),
    'importitemshippingstatus': (SALES_PATH, '2016-05-09', True),
    'getitemtodolist': (SALES_PATH, '2011-09-01', False),
    'cancelitem': (SALES_PATH, '2011-02-02', False),
    'getiteminfos': (SALES_PATH, '2017-08-07', False),
    'contactuseraboutitem': (SALES_PATH, '2011-02-02', False),
    'contactusaboutitem': (SALES_PATH, '2011-09-01', False),
    'export': (STOCK_PATH, '2018-06-29', False),
    'genericimportfile': (STOCK_PATH, '2015-02-02', True),
    'genericimportreport': (STOCK_PATH, '2017-02-10', False),
    # Payouts (§11): operations on the wallet path; the details of one transfer on the sales path (the newest
    # client seen moved it there from the wallet path).
    'getoperations': (WALLET_PATH, '2011-03-29', False),
    'getcompensationdetails': (SALES_PATH, '2011-03-29', False),
}

# Actions that only read: safe to retry after a read timeout or a 5xx. The others change state on
# Rakuten's side, so they are retried only when the request surely never reached the server.
READ_ACTIONS = frozenset({
    'getnewsales', 'getcurrentsales', 'getshippinginformation', 'getbillinginformation',
    'getitemtodolist', 'export', 'genericimportreport', 'getoperations', 'getcompensationdetails',
    # Marks the item's messages read, but answers the whole history again: replaying it loses nothing.
    'getiteminfos',
})

# Root element of the answer when it does not follow the ``<action>result`` pattern. The client accepts
# any ``…result`` root (the names of the roots not seen in captures are guesses); the fake server uses these.
RESULT_ROOTS = {
    'settrackingpackageinfos': 'setshippingpackageinfosresult',
    'acceptsale': 'saleacceptanceresult',
    'genericimportfile': 'importresult',
    'importitemshippingstatus': 'importresult',
    'export': 'inventoryresult',
}

# Numeric country code for ``shippingfromcountry``: Rakuten wants 249 for metropolitan France, not 250.
FRANCE_COUNTRY_CODE = 249

# Dates in sales are ``dd/mm/yyyy-HH:MM`` without a zone; read as Paris local time.
RAKUTEN_TIMEZONE = 'Europe/Paris'
SALE_DATE_FORMAT = '%d/%m/%Y-%H:%M'

# Payout operations carry seconds (``dd/mm/yyyy-HH:MM:SS``), as does ``lastoperationdate`` sent to getoperations;
# a compensation's own date was seen without them (§11).
OPERATION_DATE_FORMAT = '%d/%m/%Y-%H:%M:%S'

# Rakuten's ``countryalpha2`` uses FX for metropolitan France.
COUNTRY_ALIASES = {'FX': 'FR'}

# ----------------------------------------------------------------------------------------------------
# Item statuses (§6.1)
# ----------------------------------------------------------------------------------------------------
STATUS_TO_CONFIRM = 'TO_CONFIRM'
STATUS_ACCEPTED = 'ACCEPTED'
STATUS_REFUSED = 'REFUSED'
STATUS_CANCELLED = 'CANCELLED'
SHIPPABLE_STATUSES = frozenset({'ACCEPTED', 'COMMITTED'})
CLAIM_STATUSES = frozenset({'ON_HOLD', 'PENDING_CLAIM', 'CLAIM'})
TERMINAL_STATUSES = frozenset({'CANCELLED', 'REFUSED', 'CLOSED'})
# What shows that Rakuten took a unit's despatch, read back with ``getiteminfos`` when the answer to a despatch
# file was lost (doc/rakuten-api.md §4.8): OUR GUESS, no source names them. A status of its own, or an entry of
# the item's history (``itemlog``) for the despatch.
SHIPPED_STATUSES = frozenset({'SHIPPED'})
SHIPPED_LOG_CODES = frozenset({'ITEM_SHIPPED'})
# Words of a despatch refused because the unit is already shipped (our guess at Rakuten's wording, §4.6).
ALREADY_SHIPPED_MARKS = ('already shipped', 'déjà expédi', 'deja expedi')

# Outcomes of acceptsale / refusesale (the answer's ``status``, plus the idempotent ones).
OUTCOME_ACCEPTED = 'Accepted'
OUTCOME_REFUSED = 'Refused'
OUTCOME_ALREADY_ACCEPTED = 'already_accepted'
OUTCOME_ALREADY_CANCELLED = 'already_cancelled'
# Business error details meaning "already done" (basket accepted) and "gone" (basket cancelled).
ALREADY_ACCEPTED_MARK = 'CAPTURED'
ALREADY_CANCELLED_MARK = 'EMPTIED'

# ----------------------------------------------------------------------------------------------------
# Errors (§2.5)
# ----------------------------------------------------------------------------------------------------
ERROR_AUTH = 'InvalidUserConnection'
ERROR_RIGHTS = 'InvalidUserRights'
ERROR_PARAMETER = 'ParameterError'
ERROR_SERVER = 'ServerError'
QUOTA_MARK = 'quota exceeded'
TRANSIENT_MARKS = ('service unavailable', 'unknown error')

# ----------------------------------------------------------------------------------------------------
# Import reports (§5.4)
# ----------------------------------------------------------------------------------------------------
IMPORT_WAITING = frozenset({'Reçu', 'En attente', 'M.à.j. en cours'})
IMPORT_DONE = frozenset({'Traité'})
IMPORT_IDENTICAL = 'Fichier précédent identique, pas de traitement'

# ----------------------------------------------------------------------------------------------------
# Transporters (§6.4): the spelling of the 2021 list; ``Autre`` needs a tracking URL.
# ----------------------------------------------------------------------------------------------------
TRANSPORTER_OTHER = 'Autre'
TRANSPORTERS = (
    'Colissimo', 'So Colissimo', 'Chronopost', 'Mondial Relay', 'Mondial Relay prépayé', 'Colis Prive',
    'Courrier Suivi', 'DPD', 'DPD Germany', 'DPD UK', 'DHL', 'UPS', 'Fedex', 'TNT', 'GLS', 'Geodis',
    'France Express', 'Kiala', 'Tatex', 'Cubyn', 'WeDo Logistics', 'B2C Europe', 'TrackYourParcel',
    'Yun Express', 'China EMS', 'Swiss Post', 'PostNL International', 'Royal Mail', 'CNE Express',
    'S.F. Express', 'Singapore Post', 'Hong Kong Post', 'Bpost', '4PX', TRANSPORTER_OTHER,
)

# Shipping type labels seen in sales (§6.3); the mapping table is keyed on these labels.
SHIPPING_TYPES = (
    'Normal', 'Suivi', 'Recommandé', 'So Colissimo', 'Point relais Mondial Relay', 'Relai Kiala',
    'Chronopost', 'Express',
)
# Shipping types whose buyers paid for tracking.
TRACKED_SHIPPING_TYPES = frozenset({'Suivi', 'Recommandé', 'So Colissimo', 'Chronopost', 'Express'})

# ----------------------------------------------------------------------------------------------------
# After-sales (§4.7, §6.5, §7)
# ----------------------------------------------------------------------------------------------------
TODO_CLAIM = 'CLAIM'
TODO_UNREAD_FROM_BUYER = 'UNREAD_MESSAGE_FROM_BUYER'
TODO_UNREAD_FROM_SERVICE = 'UNREAD_MESSAGE_FROM_CUSTOMER_SERVICE'
TODO_CAUSES = (TODO_CLAIM, TODO_UNREAD_FROM_BUYER, TODO_UNREAD_FROM_SERVICE)
# Channels of getiteminfos: ``message`` = with the buyer, ``mail`` = with Rakuten's customer service.
CHANNEL_BUYER = 'message'
CHANNEL_SERVICE = 'mail'
REPLY_SENT = 'SENT'
# The buyer can be contacted up to 15 days after declaring receipt and 42 days after the order, unless an
# amicable claim is open (§4.7).
CONTACT_DAYS_AFTER_RECEIPT = 15
CONTACT_DAYS_AFTER_ORDER = 42
# Words of Rakuten's refusal when the contact window is closed (the exact wording is not known: L).
CONTACT_CLOSED_MARKS = ('time limit', 'délai', 'delai', 'no longer', 'expired', 'expiré')
CONTACT_CLOSED_CODE = 'ContactWindowClosed'
# How long Rakuten gives a seller to answer a buyer's message or a customer-service mail: 48 hours, as its
# seller charter measures answers (OUR READING, not in the web services' documentation: doc/rakuten-api.md §7).
MESSAGE_ANSWER_HOURS = 48
# Claims (§7): about 3 working days to settle an amicable claim; 48 hours to answer "not received".
CLAIM_AMICABLE_WORKING_DAYS = 3
CLAIM_NOT_RECEIVED_HOURS = 48
CLAIM_NOT_RECEIVED = 'NOT_RECEIVED'  # claim type code: only DAMAGED was seen in a capture (L)
CLAIM_CLOSED_STATES = frozenset({'CLOSED', 'RESOLVED', 'CANCELLED', 'REFUSED'})  # only NEW was seen (L)
# Free text sent to Rakuten is ISO-8859-1 (§2.3, §4.7): common characters outside it and their stand-ins.
LATIN1_FALLBACKS = {
    '€': 'EUR', '‘': "'", '’': "'", '‚': "'", '‛': "'", '“': '"', '”': '"', '„': '"', '…': '...',
    '–': '-', '—': '-', '‐': '-', '‑': '-', 'œ': 'oe', 'Œ': 'OE', '\u202f': ' ', '\u2009': ' ',
    '\u200b': '', 'Ÿ': 'Y', '•': '-', '™': '(TM)',
}

# ----------------------------------------------------------------------------------------------------
# Payouts (§11)
# ----------------------------------------------------------------------------------------------------
OPERATION_CAUSE_TRANSFER = 'salestransfer'  # a transfer of sales, detailed by getcompensationdetails
OPERATION_CREDIT = 'Credit'
OPERATION_DEBIT = 'Debit'
# Blocks of a compensation (getcompensationdetails), as their element names.
BLOCK_ITEM_PAYMENT = 'itempayment'  # an item paid: price + shipping - commissions and their VAT (credit)
BLOCK_CANCELLED_ITEM = 'cancelleditempayment'  # an item paid before and cancelled since (debit)
BLOCK_ADJUSTMENT = 'itemadjustmentpayment'  # an adjustment about one item, signed as given (credit when > 0)
BLOCK_LICENSE_FEE = 'licensefee'  # the monthly subscription, VAT included (debit)
BLOCK_LICENSE_FEE_ASSET = 'licensefeeasset'  # a subscription refunded (credit)
# Payouts run on Mondays and Thursdays (weekday numbers); without a claim an item is paid this many days after
# the order even when the buyer never confirms receipt (§6.2).
PAYOUT_WEEKDAYS = (0, 3)
PAYOUT_DAYS_AFTER_ORDER = 23

# ----------------------------------------------------------------------------------------------------
# Transport limits
# ----------------------------------------------------------------------------------------------------
DEFAULT_TIMEOUT = 30  # seconds, per request
MAX_RESPONSE_BYTES = 32 * 1024 * 1024  # an answer larger than this is refused, not parsed
RETRY_TOTAL = 3
RETRY_BACKOFF = 0.5  # seconds, doubled each retry
RETRY_STATUSES = (500, 502, 503, 504)

# Concurrent Rakuten calls of one run (acceptances, billing reads): default and hard maximum.
DEFAULT_WORKERS = 8
MAX_WORKERS = 32

# Codes of the actions Rakuten offers on an item (``getiteminfos`` ``actions``) that the connector can do.
ACTION_CANCEL_ITEM = 'cancelitem'  # the unit is cancelled, Rakuten refunds the buyer (the seller-cancellation dialog)
ACTION_CONTACT_BUYER = 'contactuseraboutitem'  # a message to the buyer (the reply composer)
