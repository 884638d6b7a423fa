import logging
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_datetime

from ..rakuten_connector import (
    RUN_STOPPERS, AuthError, QuotaError, RakutenError, ResponseError, TransientError, const,
)
from ..rakuten_connector.price_rules import cents
from ..rakuten_connector.records import StockLine
from .rakuten_rights import SALES_MANAGER, check_user_may
from .stock_move import STOCK_PUSH_DELAY

_logger = logging.getLogger(__name__)

FILES_PER_HOUR = 10  # Rakuten asks for at most 10 stock files per hour
REPORT_RETENTION = timedelta(days=5)  # Rakuten keeps the report of a stock file 5 days
ADVERTS_MAX_AGE = timedelta(days=1)  # Rakuten's current prices, read for the review of first prices
IMPORT_STATES = [('pending', "Waiting for Rakuten"), ('done', "Processed"), ('failed', "Failed"),
                 ('lost', "Report Unreadable")]
LINE_STATES = [('pending', "Waiting"), ('done', "Accepted"), ('error', "Refused"), ('failed', "File failed")]


class RakutenStockImport(models.Model):
    """One stock file sent to Rakuten (genericimportfile) and what Rakuten's report said of it."""
    _name = 'rakuten.stock.import'
    _description = "Rakuten Stock File"
    _order = 'id desc'
    _rec_name = 'file_ref'

    file_ref = fields.Char(string="Rakuten File ID", readonly=True, index=True)
    company_id = fields.Many2one('res.company', required=True, readonly=True, index=True,
                                 default=lambda self: self.env.company)
    state = fields.Selection(IMPORT_STATES, default='pending', required=True, readonly=True, index=True)
    rakuten_status = fields.Char(readonly=True)
    report_date = fields.Datetime(string="Report Read On", readonly=True)
    message = fields.Char(string="Reason", readonly=True, help="Why the report of this file could not be read.")
    line_ids = fields.One2many('rakuten.stock.import.line', 'import_id', string="Lines", readonly=True)
    line_count = fields.Integer(string="SKUs", compute='_compute_counts', store=True)
    error_count = fields.Integer(string="Refused SKUs", compute='_compute_counts', store=True)

    @api.depends('line_ids.state')
    def _compute_counts(self):
        for file in self:
            file.line_count = len(file.line_ids)
            file.error_count = len(file.line_ids.filtered(lambda line: line.state == 'error'))

    # === ACTION METHODS === #

    def action_rakuten_read_report(self):
        """Button: read Rakuten's report of these files now, rather than at the next run."""
        check_user_may(self, SALES_MANAGER)  # before calling Rakuten; the report is then recorded by the connector
        messages = []
        for company, files in self.filtered(lambda file: file.state == 'pending').grouped('company_id').items():
            files = company._rakuten_env(files).sudo()
            try:
                messages += files._rakuten_read_reports(company._rakuten_client())
            except RakutenError as error:
                raise UserError(company._rakuten_error_message(error)) from None
        return {
            'type': 'ir.actions.client', 'tag': 'display_notification',
            'params': {'title': self.env._("Rakuten stock report"), 'type': 'info' if messages else 'warning',
                       'message': ' '.join(messages) or self.env._("Rakuten has not processed this file yet: try again "
                                                           "in a few minutes."),
                       'next': {'type': 'ir.actions.act_window_close'}},
        }

    # === BUSINESS METHODS - RUN === #

    @api.model
    def _cron_rakuten_stock(self):
        companies = self.env['res.company'].sudo().search([('rakuten_enabled', '=', True),
                                                            ('rakuten_stock_sync', '=', True)])
        for company in companies:
            company._rakuten_env(self)._rakuten_sync_company(company)
            self.env['ir.cron']._rakuten_commit_progress()

    @api.model
    def _rakuten_sync_company(self, company):
        """Read the reports of the files Rakuten has not answered yet, then send what changed since. A report
        that cannot be read never stops the push; a company without credentials only stops itself."""
        self = self.sudo()  # noqa: PLW0642 - the stock bookkeeping (products included) is the connector's
        company = company.with_env(self.env)  # its messages in the language this run is bound to
        with company._rakuten_company_run('stock'):  # an unexpected error is recorded, the next company goes on
            state = 'ok'
            try:
                client = company._rakuten_client()
                reports = self.search([('company_id', '=', company.id), ('state', '=', 'pending')], order='id')
                read = reports._rakuten_read_reports(client)
                message = ' '.join([*read, self._rakuten_push(company, client)])
            except (RakutenError, UserError) as error:
                state, message = 'failed', company._rakuten_error_message(error)
                _logger.info("Rakuten stock sync of company %s stopped: %s", company.id, error)
            company._rakuten_job_status('stock', {'state': state, 'message': message, 'date': fields.Datetime.now()})
        return company.rakuten_stock_message

    @api.model
    def _rakuten_push(self, company, client):
        """One file with the SKUs whose quantity or price to publish changed; a translated summary."""
        recent = self.search_count([('company_id', '=', company.id),
                                    ('create_date', '>=', fields.Datetime.now() - timedelta(hours=1))])
        if recent >= FILES_PER_HOUR:
            return self.env._("%s stock files were sent in the last hour (Rakuten's limit): the next run sends the "
                     "changes.", recent)
        products = self.env['product.product']._rakuten_synced(company)
        adverts = self._rakuten_read_adverts_for_review(company, products)
        lines = self._rakuten_changed_lines(company, products)
        blocked = ' '.join(filter(None, [adverts, self._rakuten_blocked_summary(company, products)]))
        if not lines:
            return ' '.join(filter(None, [self.env._("Rakuten stock is up to date."), blocked]))
        result = client.generic_import_file([StockLine(sku=line['sku'], quantity=line['quantity'],
                                                       price=line['price']) for line in lines])
        file = self.create({
            'company_id': company.id, 'file_ref': result.import_id, 'rakuten_status': result.status,
            'line_ids': [fields.Command.create({**line, 'price': float(line['price'] or 0)}) for line in lines],
        })
        summary = self.env._("Stock file sent to Rakuten with 1 SKU.") if len(lines) == 1 else \
            self.env._("Stock file sent to Rakuten with %(count)s SKUs.", count=len(lines))
        if not file.file_ref:
            summary = ' '.join((summary, file._rakuten_report_lost(self.env._("Rakuten's answer gave no file id"))))
        return ' '.join(filter(None, [summary, blocked]))

    @api.model
    def _rakuten_read_adverts_for_review(self, company, products):
        """Before the first price Odoo publishes for a product, the review shows the price Rakuten shows today:
        the adverts (inventory export) are read when a product waits for its first price and they were not
        read in the last day. Returns '' or why they could not be read (the push goes on without them)."""
        if not company.rakuten_price_sync or not products.with_company(company).filtered(
                lambda product: product.rakuten_price_sync and not product.rakuten_published_price):
            return ''
        Advert = self.env['rakuten.advert']
        last = Advert.search([('company_id', '=', company.id)], order='create_date desc', limit=1)
        if last and last.create_date > fields.Datetime.now() - ADVERTS_MAX_AGE:
            return ''
        try:
            Advert._rakuten_refresh(company)
        except (AuthError, QuotaError):
            raise
        except RakutenError as error:
            return self.env._("Rakuten's current prices could not be read (%(error)s): the first prices to review "
                              "show none.", error=company._rakuten_error_message(error))
        return ''

    @api.model
    def _rakuten_blocked_summary(self, company, products):
        if not company.rakuten_price_sync:
            return ''
        count = len(products.with_company(company).filtered('rakuten_price_blocked'))
        if count == 1:
            return self.env._("1 price blocked by the guards: see Blocked Rakuten Prices.")
        return self.env._("%s prices blocked by the guards: see Blocked Rakuten Prices.", count) if count else ''

    @api.model
    def _rakuten_changed_lines(self, company, products):
        """The lines of the next file: the products whose quantity to publish, or price when the company
        publishes prices, differs from the last one sent. A line of a priced product carries both; a blocked
        price stays out (its reason is stored on the product), the quantity still goes."""
        products = company._rakuten_env(products)  # per-company state, reasons in the company's language
        quantities = products._rakuten_published_quantities(company)
        prices = products._rakuten_prices(company) if company.rakuten_price_sync else {}
        products._rakuten_store_price_blocks(prices)  # with the price sync off, no price is blocked
        last_sent = products._rakuten_last_sent(company)
        lines = []
        for product in products:
            quantity = quantities[product.id][0]
            price = prices[product.id].published if product.id in prices else None
            last_quantity, last_price = last_sent.get(product.id, (None, None))
            if quantity != last_quantity or (price is not None and price != last_price):
                lines.append({'product_id': product.id, 'sku': product.rakuten_sku, 'quantity': quantity,
                              'price': price})
        return lines

    @api.model
    def _rakuten_trigger_push(self):
        """Ask for a stock push in a few minutes, unless one is already asked for (debounce)."""
        # Whoever asks (a sales manager confirming a price, a stock move): the scheduler is the connector's.
        cron = self.env.ref('rakuten_connector.ir_cron_rakuten_stock').sudo()
        if not self.env['ir.cron.trigger'].sudo().search_count([('cron_id', '=', cron.id),
                                                                 ('call_at', '>', fields.Datetime.now())], limit=1):
            cron._trigger(fields.Datetime.now() + STOCK_PUSH_DELAY)

    # === BUSINESS METHODS - REPORTS === #

    def _rakuten_read_reports(self, client):
        """Apply the reports Rakuten has ready, oldest file first; a translated sentence per file read, or
        per file whose report cannot be read (then its SKUs are sent again)."""
        summaries = []
        for file in self.sorted('id'):
            try:
                report = file._rakuten_fetch_report(client)
            except RUN_STOPPERS:
                raise
            except (TransientError, ResponseError) as error:  # asked again at the next run
                summaries.append(self.env._("Report of the stock file of %(file)s not read this time: %(error)s",
                                   file=file._rakuten_label(), error=file.company_id._rakuten_error_message(error)))
                continue
            except RakutenError as error:  # unknown file id, or a report Rakuten no longer has
                summaries.append(file._rakuten_report_lost(file.company_id._rakuten_error_message(error)))
                continue
            if report is None:
                summaries.append(file._rakuten_report_lost(
                    self.env._("Rakuten keeps reports %s days", REPORT_RETENTION.days)))
                continue
            file.rakuten_status = report.status
            if report.pending:
                continue
            file._rakuten_apply_report(report)
            summaries.append(self.env._("Rakuten's report on the stock file of %(file)s: SKUs accepted: "
                                        "%(accepted)s, refused: %(refused)s.", file=file._rakuten_label(),
                               accepted=len(file.line_ids.filtered(lambda line: line.state == 'done')),
                               refused=len(file.line_ids.filtered(lambda line: line.state != 'done'))))
        return summaries

    def _rakuten_fetch_report(self, client):
        """The file's report, or None when Rakuten no longer keeps it."""
        self.ensure_one()
        if self.create_date < fields.Datetime.now() - REPORT_RETENTION:
            return None
        return client.get_import_report(self.file_ref)

    def _rakuten_label(self):
        self.ensure_one()
        return format_datetime(self.env, self.create_date, tz=self.env.user.tz or 'Europe/Paris', dt_format='short')

    def _rakuten_report_lost(self, why):
        """This file's report will never be read: say why on the file, its lines and products; its SKUs count
        as not sent, so the next push sends them again. Returns the translated sentence."""
        self.ensure_one()
        message = self.env._("The report of the stock file of %(file)s cannot be read (%(why)s): its SKUs are sent "
                             "again.",
                    file=self._rakuten_label(), why=why)
        self.line_ids._rakuten_failed(message)
        self.write({'state': 'lost', 'message': message, 'report_date': fields.Datetime.now()})
        return message

    def _rakuten_apply_report(self, report):
        """Per-SKU results onto the lines and the products (advert id, listing, last published quantity), for
        this file's company; a product that a newer file already reported on keeps that newer result."""
        self.ensure_one()
        now = fields.Datetime.now()
        if not (report.done or report.status == const.IMPORT_IDENTICAL):
            self.line_ids._rakuten_failed(self.env._("Rakuten did not process the file: %s", report.status))
            self.write({'state': 'failed', 'report_date': now})
            return
        by_sku = {line.sku: line for line in report.lines}
        current = self.line_ids - self.line_ids._rakuten_superseded()
        updates = defaultdict(lambda: self.env['product.product'])  # product values → products
        for line in self.line_ids:
            result = by_sku.get(line.sku)
            values = line._rakuten_apply_result(result, now)
            if line in current:
                updates[tuple(sorted(values.items()))] |= line.product_id
        for values, products in updates.items():
            products.with_company(self.company_id).write(dict(values))
        self.write({'state': 'done', 'report_date': now})


class RakutenStockImportLine(models.Model):
    _name = 'rakuten.stock.import.line'
    _description = "Rakuten Stock File Line"
    _order = 'import_id desc, id'

    import_id = fields.Many2one('rakuten.stock.import', string="File", required=True, ondelete='cascade',
                                index=True)
    company_id = fields.Many2one(related='import_id.company_id', store=True)
    product_id = fields.Many2one('product.product', required=True, ondelete='cascade', index=True)
    sku = fields.Char(string="SKU", required=True)
    quantity = fields.Integer(required=True)
    price = fields.Float(digits='Product Price',
                         help="sellingPrice sent, VAT included, in euros (0: no price sent).")
    state = fields.Selection(LINE_STATES, default='pending', required=True, index=True)
    advert_ref = fields.Char(string="Rakuten Advert ID")
    message = fields.Char(string="Rakuten Answer")

    def _rakuten_apply_result(self, result, now):
        """Store Rakuten's answer for this SKU; return what it means for the product. A user's confirmation of
        the price the line carried was for one sending: it is forgotten, whatever the answer."""
        self.ensure_one()
        errors = result.errors if result else ()
        confirmed = self.price and self.product_id.with_company(self.company_id).rakuten_price_confirmed
        forget = {'rakuten_price_confirmed': 0.0} if confirmed and cents(confirmed) == cents(self.price) else {}
        if errors:
            message = '; '.join(f'{error.code} {error.text}'.strip() for error in errors)
            self.write({'state': 'error', 'message': message})
            return {'rakuten_listing_state': 'error', 'rakuten_push_result': message, **forget}
        self.write({'state': 'done', 'message': False, 'advert_ref': result.advertid if result else False})
        values = {
            'rakuten_published_qty': self.quantity, 'rakuten_published_date': now,
            'rakuten_listing_state': 'active' if self.quantity > 0 else 'ended',
            'rakuten_push_result': self.env._("Accepted by Rakuten"),
        }
        if self.price:
            values.update(rakuten_published_price=self.price, **forget)
        if result and result.advertid:
            values['rakuten_advert_ref'] = result.advertid
        return values

    def _rakuten_failed(self, message):
        """Rakuten did not process these lines: their SKUs are sent again; the products say why."""
        self.write({'state': 'failed', 'message': message})
        for company, lines in (self - self._rakuten_superseded()).grouped('company_id').items():
            lines.product_id.with_company(company).write({'rakuten_push_result': message})

    def _rakuten_superseded(self):
        """Lines whose product has a result from a newer file of the same company: an older report never
        overwrites a newer one."""
        latest = {(product.id, company.id): line_id for product, company, line_id in self.sudo()._read_group(
            [('product_id', 'in', self.product_id.ids), ('company_id', 'in', self.company_id.ids),
             ('state', 'in', ('done', 'error'))],
            ['product_id', 'company_id'], ['id:max'],
        )}
        return self.filtered(lambda line: latest.get((line.product_id.id, line.company_id.id), 0) > line.id)
