-- a copied database must never talk to the real Rakuten account
UPDATE res_company
   SET rakuten_token = NULL,
       rakuten_enabled = false;
