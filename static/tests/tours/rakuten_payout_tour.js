import { registry } from "@web/core/registry";

// An accountant (French) reads Rakuten's transfers the payout job booked (the Python test prepares them).
registry.category("web_tour.tours").add("rakuten_payout_tour", {
    steps: () => [
        {
            content: "The transfer is booked, in French",
            trigger: ".o_data_row td[name=state]:contains(Comptabilisé)",
            run: "click",
        },
        {
            content: "Its lines: the units paid and the subscription, in French words",
            trigger: ".o_field_widget[name=line_ids] td[name=kind]:contains(Article payé)",
        },
        {
            content: "The subscription Rakuten kept",
            trigger: ".o_field_widget[name=line_ids] td[name=kind]:contains(Abonnement)",
        },
        {
            content: "Rakuten's bill, by its French label",
            trigger: ".o_form_view .o_field_widget[name=bill_id]:visible",
        },
        {
            content: "Open the journal items of the transfer",
            trigger: ".o_notebook a.nav-link[name=entry]",
            run: "click",
        },
        {
            content: "The units leave what Rakuten owes",
            trigger: ".o_field_widget[name=move_line_ids] td[name=account_id]:contains(Rakuten - sommes à recevoir)",
        },
        {
            content: "The net goes to the internal transfer account",
            trigger: ".o_field_widget[name=move_line_ids] td[name=account_id]:contains(580)",
        },
    ],
});

registry.category("web_tour.tours").add("rakuten_unpaid_units_tour", {
    steps: () => [
        {
            content: "A unit shipped and not paid yet, with the day Rakuten should pay it",
            trigger: ".o_data_row td[name=payout_due_date]:not(:empty)",
        },
        {
            content: "The T-shirt and its shipping (19.90 + 2.00), in French figures",
            trigger: ".o_data_row td[name=amount_paid]:contains(21,90)",
        },
    ],
});
