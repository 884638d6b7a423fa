import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("rakuten_aftersales_tour", {
    steps: () => [
        {
            content: "The buyer's message read from Rakuten is in the order's chatter",
            trigger: ".o-mail-Message:contains(Quand partira mon colis ?)",
        },
        {
            content: "The claim state shows on the order, in French",
            trigger: ".o_field_widget[name=rakuten_claim_state]:contains(Réclamation amiable)",
        },
        {
            content: "Open the composer",
            trigger: ".o_form_view button[name=action_rakuten_reply]",
            run: "click",
        },
        {
            content: "The composer shows the buyer's last message and the item by its product",
            trigger: ".modal .o_field_widget[name=last_message]:contains(Quand partira mon colis ?)",
        },
        {
            content: "The item is named by its product",
            trigger: ".modal .o_field_widget[name=sale_item_id] input:value(/Mug tour/)",
        },
        {
            content: "Type the reply",
            trigger: ".modal .o_field_widget[name=body] textarea",
            run: "edit Votre colis part ce soir, désolé pour l’attente.",
        },
        {
            content: "Send it to the buyer",
            trigger: ".modal button[name=action_send]",
            run: "click",
        },
        {
            content: "The reply is recorded, to be sent by the reply job once the click is committed",
            trigger: ".o_notification:contains(Votre réponse part vers Rakuten)",
        },
        {
            content: "The composer is closed",
            trigger: "body:not(:has(.modal))",
        },
    ],
});
