import * as Schema from "effect/Schema"
import { BillingMonth, InvoiceTax, TaxCategory } from "../invoices/model.js"
import { DecimalString, Money } from "../shared/money.js"
import { Timestamp } from "../shared/time.js"

/**
 * Channel economics (issue 23, docs/channel.md): what each tier above a customer pays for what
 * the customer was billed (channel costs, recorded by every billing run), the invoices a seller
 * issues up the channel for those costs, and each tier's margins.
 */

/** One line of an upstream invoice: a plan or SKU with its quantity and amount summed from the period's costs. */
export class UpstreamInvoiceLine extends Schema.Class<UpstreamInvoiceLine>("UpstreamInvoiceLine")({
  description: Schema.String,
  plan_id: Schema.NullOr(Schema.String),
  sku_id: Schema.NullOr(Schema.String),
  quantity: DecimalString,
  /** Net, rounded to the currency's minor unit. */
  amount: DecimalString,
  tax_rate: Schema.NullOr(DecimalString),
  tax_category: Schema.NullOr(TaxCategory)
}) {}

/**
 * An invoice up the channel: a distributor billing a reseller partner, or the platform billing a
 * distributor, for the period's consumption of the customers below at the buyer's cost. It has no
 * customer (`customer_id` null) and names the account it bills.
 */
export class UpstreamInvoice extends Schema.Class<UpstreamInvoice>("UpstreamInvoice")({
  id: Schema.String,
  number: Schema.String,
  customer_id: Schema.Null,
  issuer_account_id: Schema.String,
  bill_to_account_id: Schema.String,
  status: Schema.Literal("finalized", "paid", "void"),
  currency: Schema.String,
  period: Schema.String,
  billing_run_id: Schema.NullOr(Schema.String),
  lines: Schema.Array(UpstreamInvoiceLine),
  subtotal: Money,
  tax: Schema.Array(InvoiceTax),
  tax_total: Money,
  total: Money,
  finalized_at: Timestamp,
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

/** An upstream invoice with its scope: the lineage of the account it bills (its issuer is above). */
export interface StoredUpstreamInvoice {
  readonly invoice: UpstreamInvoice
  readonly lineage: ReadonlyArray<string>
}

/** `GET /channel/margins` query. */
export class MarginsQuery extends Schema.Class<MarginsQuery>("MarginsQuery")({
  period: BillingMonth,
  partner_id: Schema.optional(Schema.String),
  distributor_id: Schema.optional(Schema.String)
}) {}

export class MarginRow extends Schema.Class<MarginRow>("MarginRow")({
  plan_id: Schema.NullOr(Schema.String),
  sku_id: Schema.NullOr(Schema.String),
  revenue: Money,
  cost: Money,
  margin: Money
}) {}

export class MarginTotals extends Schema.Class<MarginTotals>("MarginTotals")({
  revenue: Money,
  cost: Money,
  margin: Money
}) {}

/** A tier's margins for a month, net of tax, per plan or SKU (an agency partner: its commission, no rows). */
export class ChannelMargins extends Schema.Class<ChannelMargins>("ChannelMargins")({
  period: BillingMonth,
  account_id: Schema.String,
  channel_model: Schema.NullOr(Schema.Literal("reseller", "agency")),
  currency: Schema.NullOr(Schema.String),
  rows: Schema.Array(MarginRow),
  /** Null when the account had nothing in the month. */
  totals: Schema.NullOr(MarginTotals)
}) {}

/** `GET /channel/upstream-invoices` filter. */
export class UpstreamInvoiceFilter extends Schema.Class<UpstreamInvoiceFilter>("UpstreamInvoiceFilter")({
  period: Schema.optional(BillingMonth)
}) {}
