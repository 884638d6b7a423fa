import { registry } from "@web/core/registry";

// A French salesman cancels a Rakuten order whose units the buyer waits for: the Rakuten dialog is the only
// question (no Odoo "Are you sure?" before it), and it names the units and what Rakuten refunds.
registry.category("web_tour.tours").add("rakuten_cancel_tour", {
    steps: () => [
        {
            content: "Cancel the order",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_cancel]:visible",
            run: "click",
        },
        {
            content: "The first question is Rakuten's: the units and what Rakuten refunds the buyer",
            trigger: ".modal .o_field_widget[name=amount_refunded]:contains(47,30)",
        },
        {
            content: "Its units are named",
            trigger: ".modal .o_field_widget[name=item_ids] .o_data_row:eq(2)",
        },
        {
            content: "Cancel them on Rakuten too",
            trigger: ".modal button[name=action_cancel_on_rakuten]",
            run: "click",
        },
        {
            content: "The dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The order is cancelled: Cancel gone, Set to Quotation offered",
            trigger: ".o_statusbar_buttons button[name=action_draft]:visible",
        },
    ],
});
