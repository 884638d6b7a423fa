from . import rakuten_tracking_warning
from . import rakuten_reply
from . import rakuten_cancel
from . import stock_backorder_confirmation
