import type * as DateTime from "effect/DateTime"
import * as Schema from "effect/Schema"
import { Currency, DecimalString } from "../shared/money.js"
import { BillingMonth, type Invoice, type InvoiceStatus } from "./model.js"

/** An invoice with the lineage of its customer (scope checks, events). */
export interface StoredInvoice {
  readonly invoice: Invoice
  readonly lineage: ReadonlyArray<string>
}

/** A voided invoice and, when it had payments, the credit note they became. */
export interface VoidedInvoice {
  readonly stored: StoredInvoice
  readonly creditNoteId: string | null
}

export interface InvoiceListFilter {
  readonly customer_id?: string | undefined
  /** `overdue`: finalized, owing money, past `due_at` (the invoice's status stays `finalized`). */
  readonly status?: InvoiceStatus | "overdue" | undefined
  readonly period?: BillingMonth | undefined
  /** The moment `overdue` is judged at; set by the service from the clock. */
  readonly as_of?: DateTime.Utc | undefined
}

export interface SummaryFilter {
  readonly period: BillingMonth
  readonly customer_id?: string | undefined
  readonly subscription_id?: string | undefined
}

/** One subscription's billed amounts of a period, by line kind. */
export class SubscriptionSummary extends Schema.Class<SubscriptionSummary>("SubscriptionSummary")({
  subscription_id: Schema.String,
  customer_id: Schema.String,
  currency: Currency,
  recurring: DecimalString,
  proration: DecimalString,
  installment: DecimalString,
  usage: DecimalString,
  one_off: DecimalString,
  total: DecimalString
}) {}

/** One customer's invoices of a period in one currency. */
export class CustomerSummary extends Schema.Class<CustomerSummary>("CustomerSummary")({
  customer_id: Schema.String,
  currency: Currency,
  invoices: Schema.Number,
  subtotal: DecimalString,
  /** The credit applied (negative, as the credit lines). */
  credits: DecimalString,
  total: DecimalString,
  amount_paid: DecimalString,
  amount_due: DecimalString
}) {}

export interface BillingSummaryRows {
  readonly subscriptions: ReadonlyArray<SubscriptionSummary>
  readonly customers: ReadonlyArray<CustomerSummary>
}

/** GET /billing/summary: a period's non-void invoices, per subscription and per customer. */
export class BillingSummary extends Schema.Class<BillingSummary>("BillingSummary")({
  period: BillingMonth,
  subscriptions: Schema.Array(SubscriptionSummary),
  customers: Schema.Array(CustomerSummary)
}) {}
