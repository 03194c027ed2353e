import type * as DateTime from "effect/DateTime"
import * as Schema from "effect/Schema"
import { BillingMonth, InvoiceStatus, type UpstreamInvoice, TaxCategory } from "../invoices/model.js"
import { Payment } from "../payments/model.js"
import { DecimalString, Money } from "../shared/money.js"

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

/** Upstream invoices have the invoice shape (invoices/model.ts, where `GET /invoices` answers them too). */
export { UpstreamInvoice } from "../invoices/model.js"

/**
 * Money received on an upstream invoice (`POST /payments` by its issuer): the payment shape, with
 * no customer and the account that paid; always `manual` and `succeeded` (no gateway charges it).
 */
export class UpstreamPayment extends Schema.Class<UpstreamPayment>("UpstreamPayment")({
  ...Payment.fields,
  customer_id: Schema.Null,
  bill_to_account_id: Schema.String,
  payment_method_id: Schema.Null,
  status: Schema.Literal("succeeded")
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

/** What `GET /invoices` filters upstream invoices by (as it filters customers' invoices). */
export interface UpstreamListFilter {
  readonly period?: BillingMonth | undefined
  /** `overdue`: finalized, owing money, past `due_at` (judged at `as_of`). */
  readonly status?: InvoiceStatus | "overdue" | undefined
  readonly as_of?: DateTime.Utc | undefined
  /** Only ids below this one (oldest first): what a page of customers' invoices already fills from there on needs none. */
  readonly before?: string | undefined
  /** `GET /invoices` pages oldest first; `/channel/upstream-invoices` newest first. */
  readonly newest_first?: boolean | undefined
}
