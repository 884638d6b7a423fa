import { registry } from "@web/core/registry";

// A salesman's daily paths, in French (tests/test_daily_tours.py prepares the data and checks Rakuten).

registry.category("web_tour.tours").add("rakuten_handle_claim_tour", {
    steps: () => [
        {
            content: "The Rakuten claims list names the claimed product and its claim in French",
            trigger: ".o_data_row:has(td[name=claim_type_label]:contains(Article non reçu)) td[name=product_name]:contains(RK-MUG):contains(Mug « Café crème »)",
            run: "click",
        },
        {
            content: "The claim is titled by its product and order, in French",
            trigger: ".o_form_view .oe_title h1:contains(Mug « Café crème », commande S)",
        },
        {
            content: "The claim reads in French: its type, its state and the buyer's comment",
            trigger: ".o_form_view .o_field_widget[name=claim_type_label]:contains(Article non reçu)",
        },
        {
            content: "Its state, in French",
            trigger: ".o_form_view .o_field_widget[name=claim_state_label]:contains(Nouvelle)",
        },
        {
            content: "The buyer's comment",
            trigger: ".o_form_view .o_field_widget[name=claim_comment]:contains(Toujours rien reçu)",
        },
        {
            content: "The item's two states are told apart",
            trigger: ".o_form_view label:contains(Statut de l'article)",
        },
        {
            content: "The buyer's messages are listed under a title",
            trigger: ".o_form_view .o_horizontal_separator:contains(Messages et e-mails)",
        },
        {
            content: "The buyer's message",
            trigger: ".o_form_view .o_field_widget[name=rakuten_message_ids] td[name=body]:contains(Où est mon colis ?)",
        },
        {
            content: "Reply to the buyer",
            trigger: ".o_form_view .o_form_statusbar button[name=action_rakuten_reply]:contains(Répondre)",
            run: "click",
        },
        {
            content: "The composer shows the buyer's last message",
            trigger: ".modal .o_field_widget[name=last_message]:contains(Où est mon colis ?)",
        },
        {
            content: "The composer names the claimed unit by its product",
            trigger: ".modal .o_field_widget[name=sale_item_id] input:value(/Mug/)",
        },
        {
            content: "Type the reply",
            trigger: ".modal .o_field_widget[name=body] textarea",
            run: "edit Votre colis a été remis au transporteur hier, voici son suivi.",
        },
        {
            content: "Send it",
            trigger: ".modal button[name=action_send]:contains(Envoyer)",
            run: "click",
        },
        {
            content: "The composer is closed",
            trigger: "body:not(:has(.modal))",
        },
    ],
});

registry.category("web_tour.tours").add("rakuten_accept_held_sale_tour", {
    steps: () => [
        {
            content: "The held sale is in the Rakuten sales list, its amount in euros",
            trigger: ".o_data_row:has(td[name=buyer_name]:contains(Héloïse)) td[name=amount_items]:contains(€)",
        },
        {
            content: "Its reason says the stock is short, in French",
            trigger: ".o_data_row td[name=error_message]:contains(Stock insuffisant)",
            run: "click",
        },
        {
            content: "The sale's form repeats the reason",
            trigger: ".o_form_view .alert-warning:contains(Stock insuffisant):contains(RK-MUG)",
        },
        {
            content: "The last day to accept it reads as a date",
            trigger: ".o_form_view .o_field_widget[name=accept_by]",
        },
        {
            content: "Accept it",
            trigger: ".o_form_view .o_form_statusbar button[name=action_accept]:visible:contains(Accepter)",
            run: "click",
        },
        {
            content: "Odoo asks first: the stock does not cover it",
            trigger: ".modal:contains(Le stock ne couvre pas cette vente) .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Accepted and imported: its order is on the form",
            trigger: ".o_form_view .o_field_widget[name=order_id] a, .o_form_view .o_field_widget[name=order_id]:contains(S0)",
        },
        {
            content: "Its state is Imported",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Importée)",
        },
    ],
});
