from . import rakuten_tracking_warning
from . import rakuten_reply
