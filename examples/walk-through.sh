#!/usr/bin/env bash
# The README's walk-through from the catalog to a paid invoice, as one script: run it against a
# fresh `npm start` (with examples/catalog.json imported) on any day of the month.
#
#   KEY=pvo_... ./examples/walk-through.sh                 API defaults to http://localhost:8080/api/v1
#
# Each id is read from the answer that made it (`data`, below), so nothing is pasted by hand.
set -euo pipefail
API=${API:-http://localhost:8080/api/v1}
AUTH="Authorization: Bearer $KEY"

# The `data` of an answer, or a field of it: `... | data .id`
data() { node -pe "JSON.parse(require('fs').readFileSync(0)).data$1"; }

# The channel: a distributor, a partner under it, a customer of the partner.
DIST=$(curl -s $API/distributors -H "$AUTH" -d '{"name": "Nordic Distribution"}' | data .id)
PARTNER=$(curl -s $API/partners -H "$AUTH" -d '{"name": "Fjord Telecom", "distributor_id": "'$DIST'"}' | data .id)
CUS=$(curl -s $API/customers -H "$AUTH" -d '{"partner_id": "'$PARTNER'", "name": "Acme GmbH", "timezone": "Europe/Berlin", "currency": "EUR", "address": {"city": "Berlin", "country": "DE"}}' | data .id)

# From the imported catalog: the toll-free product, the SIP trunk plan, the recording-storage SKU.
PRD=$(curl -s "$API/products?limit=200" -H "$AUTH" | data '.find((p) => p.name === "Toll-Free Number").id')
PLAN=$(curl -s "$API/plans?limit=200" -H "$AUTH" | data '.find((p) => p.name === "SIP Trunk Channel Monthly").id')
SKU=$(curl -s "$API/pricing?limit=200" -H "$AUTH" | data '.find((s) => s.code === "recording-storage").id')

# Numbers in stock, one held for the customer.
curl -s $API/numbers -H "$AUTH" -d '{"product_id":"'$PRD'","country":"US","range":{"from":"+18005550100","to":"+18005550199"}}' | data .added
curl -s $API/customers/$CUS/reservations -H "$AUTH" -d '{"numbers":["+18005550123"]}' | data .status

# An order: ten SIP trunk channels (a subscription) and a package of recording storage (a one-off purchase).
ORD=$(curl -s $API/orders -H "$AUTH" -d '{"customer_id":"'$CUS'"}' | data .id)
curl -s $API/orders/$ORD/items -H "$AUTH" -d '{"plan_id":"'$PLAN'","quantity":10,"characteristics":{"channels":10,"codec":"Opus"}}' > /dev/null
curl -s $API/orders/$ORD/items -H "$AUTH" -d '{"sku_id":"'$SKU'","quantity":1}' > /dev/null
SUB=$(curl -s -X POST $API/orders/$ORD/checkout -H "$AUTH" | data '.items.find((item) => item.subscription_id !== null).subscription_id')
echo "subscription $SUB"

# Usage on the subscription, billed with its period; the upcoming invoice shows it now.
curl -s $API/usage -H "$AUTH" -d '{"records":[{"transaction_id":"cdr-0001","subscription_id":"'$SUB'","sku_id":"voice-minutes","quantity":"12.5","occurred_at":"'$(date -u +%FT%TZ)'"}]}' | data .accepted
curl -s $API/customers/$CUS/upcoming-invoice -H "$AUTH" | data '[0].subtotal.amount'

# Tax: the partner's legal details (the seller on its invoices) and Germany's VAT rate. The
# customer is in Germany too, so its invoices carry 19 %.
curl -s -X PUT $API/settings -H "$AUTH" -H "X-Tenant-ID: $PARTNER" -d '{"legal":{"name":"Fjord Telecom GmbH","country":"DE","tax_id":"DE811907980","iban":"DE89 3704 0044 0532 0130 00","bic":"COBADEFFXXX"}}' > /dev/null
curl -s $API/tax-rates -H "$AUTH" -d '{"country":"DE","category":"standard","rate":"19.0","valid_from":"2020-01-01"}' > /dev/null

# This month's run bills what is due now: the one-off purchase (the subscription's first period
# ends next month). It answers 202 at once; the run is done when its status says so.
RUN=$(curl -s $API/billing/runs -H "$AUTH" -d '{"period":"'$(date -u +%Y-%m)'"}' | data .id)
until [ "$(curl -s $API/billing/runs/$RUN -H "$AUTH" | data .status)" = completed ]; do sleep 0.2; done
INV=$(curl -s "$API/customers/$CUS/invoices" -H "$AUTH" | data '[0].id')
DUE=$(curl -s $API/invoices/$INV -H "$AUTH" | data .amount_due.amount)
echo "invoice $INV due $DUE EUR"

# The invoice as documents: a PDF for people, a UBL 2.1 e-invoice for machines.
echo "pdf $(curl -s -o /dev/null -w '%{http_code} %{content_type}' $API/invoices/$INV/pdf -H "$AUTH")"
echo "ubl $(curl -s -o /dev/null -w '%{http_code} %{content_type}' $API/invoices/$INV/ubl -H "$AUTH")"

# Paid in full, by transfer (the built-in manual gateway).
curl -s $API/payments -H "$AUTH" -d '{"invoice_id":"'$INV'","amount":{"amount":"'$DUE'","currency":"EUR"}}' > /dev/null
echo "invoice $INV $(curl -s $API/invoices/$INV -H "$AUTH" | data .status)"
curl -s $API/customers/$CUS/balance -H "$AUTH" | data '.balances[0].amount_due.amount'
