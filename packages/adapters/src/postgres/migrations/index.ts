import * as Migrator from "@effect/sql/Migrator"
import * as Effect from "effect/Effect"
import identity from "./0001_identity.js"
import customers from "./0002_customers.js"
import users from "./0003_users.js"
import settings from "./0004_settings.js"
import requestGuards from "./0005_request_guards.js"
import catalog from "./0006_catalog.js"
import numbers from "./0007_numbers.js"
import ordersSubscriptions from "./0008_orders_subscriptions.js"
import push from "./0009_push.js"
import deliveries from "./0010_deliveries.js"
import activationsNumberOrders from "./0011_activations_number_orders.js"
import support from "./0012_support.js"
import billing from "./0013_billing.js"
import billingChunks from "./0014_billing_chunks.js"
import eventsJson from "./0015_events_json.js"
import usageTotals from "./0016_usage_totals.js"
import webhookTimeouts from "./0017_webhook_timeouts.js"
import deliveryEngine from "./0018_delivery_engine.js"
import collection from "./0019_collection.js"
import reconciliation from "./0020_reconciliation.js"
import stripeRefunds from "./0021_stripe_refunds.js"
import emailDeliveries from "./0022_email_deliveries.js"
import paymentReference from "./0023_payment_reference.js"
import taxIdentities from "./0024_tax_identities.js"
import tax from "./0025_tax.js"
import documents from "./0026_documents.js"
import frozenParties from "./0027_frozen_parties.js"
import priceLists from "./0028_price_lists.js"
import commissionStatements from "./0029_commission_statements.js"
import channelEconomics from "./0030_channel_economics.js"
import channelCostsWithoutFks from "./0031_channel_costs_without_fks.js"
import rateLimitLeases from "./0032_rate_limit_leases.js"
import upstreamInvoicesAsInvoices from "./0035_upstream_invoices_as_invoices.js"
import creditNoteLines from "./0036_credit_note_lines.js"
import creditNotesCreditedAt from "./0037_credit_notes_credited_at.js"
import creditNotesInvoice from "./0038_credit_notes_invoice.js"
import priceListFreePrices from "./0039_price_list_free_prices.js"

/**
 * Every migration, numbered; applied in order at start and by `provisio migrate`, recorded in
 * `provisio_migrations`. Never edit one that has shipped: add the next number.
 */
export const migrations = {
  "0001_identity": identity,
  "0002_customers": customers,
  "0003_users": users,
  "0004_settings": settings,
  "0005_request_guards": requestGuards,
  "0006_catalog": catalog,
  "0007_numbers": numbers,
  "0008_orders_subscriptions": ordersSubscriptions,
  "0009_push": push,
  "0010_deliveries": deliveries,
  "0011_activations_number_orders": activationsNumberOrders,
  "0012_support": support,
  "0013_billing": billing,
  "0014_billing_chunks": billingChunks,
  "0015_events_json": eventsJson,
  "0016_usage_totals": usageTotals,
  "0017_webhook_timeouts": webhookTimeouts,
  "0018_delivery_engine": deliveryEngine,
  "0019_collection": collection,
  "0020_reconciliation": reconciliation,
  "0021_stripe_refunds": stripeRefunds,
  "0022_email_deliveries": emailDeliveries,
  "0023_payment_reference": paymentReference,
  "0024_tax_identities": taxIdentities,
  "0025_tax": tax,
  "0026_documents": documents,
  "0027_frozen_parties": frozenParties,
  "0028_price_lists": priceLists,
  "0029_commission_statements": commissionStatements,
  "0030_channel_economics": channelEconomics,
  "0031_channel_costs_without_fks": channelCostsWithoutFks,
  "0032_rate_limit_leases": rateLimitLeases,
  "0035_upstream_invoices_as_invoices": upstreamInvoicesAsInvoices,
  "0036_credit_note_lines": creditNoteLines,
  "0037_credit_notes_credited_at": creditNotesCreditedAt,
  "0038_credit_notes_invoice": creditNotesInvoice,
  "0039_price_list_free_prices": priceListFreePrices
}

const loader = Migrator.fromRecord(migrations)

/** Applies the migrations not yet recorded and answers the ones it ran. */
export const migrate = Migrator.make({})({ loader, table: "provisio_migrations" }).pipe(
  Effect.withSpan("migrate")
)
