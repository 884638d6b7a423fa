from . import rakuten_tracking_warning
