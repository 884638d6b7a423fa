from . import rakuten_transporter
from . import rakuten_shipping_mapping
from . import res_company
from . import res_config_settings
from . import stock_warehouse
from . import product_product
from . import delivery_carrier
