import * as BigDecimal from "effect/BigDecimal"
import * as Schema from "effect/Schema"
import { CollectionMethod, PaymentAttempt } from "../collection/model.js"
import { Currency, DecimalString, Money } from "../shared/money.js"
import { prefixedId } from "../shared/ids.js"
import { Timestamp } from "../shared/time.js"

/**
 * Invoices (`inv_`): draft -> finalized (numbered, immutable after) -> paid | void. A billing run
 * writes drafts; finalization numbers them gaplessly per issuing account (`INV-2026-000123`),
 * applies the customer's credit as `credit` lines and posts the invoice to the customer's ledger.
 *
 * Amounts are exact to the currency's minor unit: every line amount is rounded once when the line
 * is made (money.ts), and the invoice sums lines. subtotal = every line but credits; total =
 * subtotal + credit lines (credits are negative); amount_due = total - amount_paid.
 */

export const InvoiceId = prefixedId("inv", "InvoiceId")
export type InvoiceId = typeof InvoiceId.Type

export const InvoiceStatus = Schema.Literal("draft", "finalized", "paid", "void")
export type InvoiceStatus = typeof InvoiceStatus.Type

/** What a line is taxed as (a rate table row's category; `telecom` for telecommunication services). */
export const TaxCategory = Schema.Literal("standard", "reduced", "zero", "telecom")
export type TaxCategory = typeof TaxCategory.Type

/** One rate of an invoice's tax breakdown: tax is computed on the sum of the lines at that rate. */
export const InvoiceTax = Schema.Struct({
  category: TaxCategory,
  /** A percentage as a decimal string, e.g. `"19.0"`; `"0"` for reverse charge and exemptions. */
  rate: DecimalString,
  taxable_amount: Money,
  tax_amount: Money,
  /** Why no tax is charged (reverse charge, exemption), printed on the documents; null otherwise. */
  exemption_reason: Schema.NullOr(Schema.String)
}).annotations({ identifier: "InvoiceTax" })
export type InvoiceTax = typeof InvoiceTax.Type

export const InvoiceLineKind = Schema.Literal("recurring", "proration", "installment", "usage", "one_off", "credit")
export type InvoiceLineKind = typeof InvoiceLineKind.Type

/** The years a billing month may name: what is billed, and searched around it, stays inside the dates PostgreSQL and ISO 8601 write. */
const FIRST_YEAR = 1900
const LAST_YEAR = 9998

/** A billing month, `YYYY-MM`, of a year from 1900 to 9998 (0000-01 or 9999-12 failed in the database: a 500, or a run failed). */
export const BillingMonth = Schema.String.pipe(
  Schema.pattern(/^\d{4}-(0[1-9]|1[0-2])$/, { message: () => "must be a month written YYYY-MM, e.g. \"2026-11\"" }),
  Schema.filter((month) => {
    const year = Number(month.slice(0, 4))
    return year >= FIRST_YEAR && year <= LAST_YEAR
  }, { message: () => `must be a month from ${FIRST_YEAR}-01 to ${LAST_YEAR}-12` }),
  Schema.brand("BillingMonth")
).annotations({ identifier: "BillingMonth", jsonSchema: { type: "string", examples: ["2026-11"] } })
export type BillingMonth = typeof BillingMonth.Type

/** One step of a usage rating (pricing.ts `RatingLine`), kept so the invoice shows its tiers. */
export const InvoiceLineTier = Schema.Struct({
  /** The tier index (0 = first); null for per_unit and package prices. */
  tier: Schema.NullOr(Schema.Number),
  /** The usage units this step covers. */
  units: DecimalString,
  /** What unit_price multiplies: the units, or for a package price the number of packages. */
  quantity: DecimalString,
  unit_price: DecimalString,
  flat_fee: DecimalString,
  /** Exact, before the line's single rounding. */
  amount: DecimalString
}).annotations({ identifier: "InvoiceLineTier" })
export type InvoiceLineTier = typeof InvoiceLineTier.Type

/** What produced a line's amount: the days of a proration, the installment, the rating tiers. */
export const InvoiceLineDetails = Schema.Struct({
  days: Schema.optional(Schema.Number),
  period_days: Schema.optional(Schema.Number),
  installment: Schema.optional(Schema.Number),
  installments: Schema.optional(Schema.Number),
  tiers: Schema.optional(Schema.Array(InvoiceLineTier)),
  model: Schema.optional(Schema.String)
}).annotations({ identifier: "InvoiceLineDetails" })
export type InvoiceLineDetails = typeof InvoiceLineDetails.Type

export class InvoiceLine extends Schema.Class<InvoiceLine>("InvoiceLine")({
  kind: InvoiceLineKind,
  description: Schema.String,
  subscription_id: Schema.NullOr(Schema.String),
  product_id: Schema.NullOr(Schema.String),
  plan_id: Schema.NullOr(Schema.String),
  sku_id: Schema.NullOr(Schema.String),
  period_start: Schema.NullOr(Timestamp),
  period_end: Schema.NullOr(Timestamp),
  /** Units: seats for recurring lines, usage units for usage lines; null for credits. */
  quantity: Schema.NullOr(DecimalString),
  /** Null when several tiers priced the line (see details.tiers). */
  unit_price: Schema.NullOr(DecimalString),
  /** Rounded to the currency's minor unit; negative for credits. */
  amount: DecimalString,
  details: InvoiceLineDetails,
  order_item_id: Schema.NullOr(Schema.String),
  credit_note_id: Schema.NullOr(Schema.String),
  /** The tax rate applied, a percentage as a decimal string (`"19.0"`); null for credit lines and untaxed drafts. */
  tax_rate: Schema.NullOr(DecimalString),
  /** The line's tax category; null for credit lines and untaxed drafts. */
  tax_category: Schema.NullOr(TaxCategory)
}) {}

/**
 * A line's fields as a plain object: what billing builds by the ten thousand (a class instance
 * costs several microseconds to make); `new InvoiceLine(fields, true)` where an instance is due.
 */
export interface InvoiceLineFields extends Schema.Struct.Type<typeof InvoiceLine.fields> {}

export class Invoice extends Schema.Class<Invoice>("Invoice")({
  id: InvoiceId,
  /** Null while draft. */
  number: Schema.NullOr(Schema.String),
  customer_id: Schema.String,
  issuer_account_id: Schema.String,
  /** The account an upstream invoice bills (UpstreamInvoice); a customer's invoice: always null. */
  bill_to_account_id: Schema.Null,
  status: InvoiceStatus,
  currency: Currency,
  period: Schema.String,
  billing_run_id: Schema.NullOr(Schema.String),
  lines: Schema.Array(InvoiceLine),
  subtotal: Money,
  /** The tax breakdown, one entry per category and rate. */
  tax: Schema.Array(InvoiceTax),
  tax_total: Money,
  total: Money,
  amount_paid: Money,
  amount_due: Money,
  /** When a draft finalizes on its own (the end of the grace period); null once finalized. */
  finalizes_at: Schema.NullOr(Timestamp),
  finalized_at: Schema.NullOr(Timestamp),
  paid_at: Schema.NullOr(Timestamp),
  voided_at: Schema.NullOr(Timestamp),
  /** Finalization + the customer's payment terms; null while draft. Overdue once passed with money owed. */
  due_at: Schema.NullOr(Timestamp),
  /** The date of `due_at` in the customer's time zone, `YYYY-MM-DD`. */
  due_date: Schema.NullOr(Schema.String),
  /**
   * The structured creditor reference (ISO 11649) a payer quotes on a bank transfer, made from the
   * number (`RF98INV2026000123`); null while draft. Bank reconciliation matches it.
   */
  payment_reference: Schema.NullOr(Schema.String),
  /** How it is collected, fixed at finalization from the customer's; null while draft. */
  collection_method: Schema.NullOr(CollectionMethod),
  /** A disputed invoice is left out of dunning. */
  disputed: Schema.Boolean,
  /** Every charge tried on it, oldest first. */
  payment_attempts: Schema.Array(PaymentAttempt),
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

/**
 * An invoice up the channel (docs/channel.md "Upstream invoices"): a distributor billing a reseller
 * partner, or the platform billing a distributor, for a month's consumption of the customers below
 * at the buyer's cost. The invoice shape, with no customer (`customer_id` null) and the account it
 * bills (`bill_to_account_id`); never a draft, never collected (no dunning, no payment attempts,
 * no customer credit): its lines are one per plan or SKU (`recurring` for a plan, `usage` for a
 * SKU, no subscription, no period of their own).
 */
export class UpstreamInvoice extends Schema.Class<UpstreamInvoice>("UpstreamInvoice")({
  ...Invoice.fields,
  number: Schema.String,
  customer_id: Schema.Null,
  bill_to_account_id: Schema.String,
  status: Schema.Literal("finalized", "paid", "void"),
  finalized_at: Timestamp
}) {}

/**
 * What an invoice billed, tax included, before any credit: its lines' net plus their tax (not
 * `total`, which counts credit lines). What credit notes and refunds may credit at most.
 */
export const invoiceGross = (invoice: { readonly subtotal: Money; readonly tax_total: Money }): BigDecimal.BigDecimal =>
  BigDecimal.sum(invoice.subtotal.amount, invoice.tax_total.amount)

/** Any invoice `GET /invoices` answers: a customer's, or one billed to an account. */
export type AnyInvoice = Invoice | UpstreamInvoice
export const AnyInvoice = Schema.Union(Invoice, UpstreamInvoice).annotations({ identifier: "AnyInvoice" })

/** `PUT /invoices/{id}`: what the issuing channel may change on a finalized invoice. */
const ISSUED = "cannot be changed: an issued invoice never changes (credit it with POST /invoices/{id}/credit-notes)"

/**
 * The invoice's fields a PUT does not change, each with where it is changed instead: sent as they
 * are (an invoice read and sent back) they are taken, another value is 422 (shared/read-only.ts).
 */
export const READ_ONLY_INVOICE_FIELDS = {
  status: "is changed by POST /invoices/{id}/finalize, POST /invoices/{id}/void and by payments, not by PUT",
  due_at: "is fixed at finalization from the customer's payment terms, not by PUT",
  due_date: "is fixed at finalization from the customer's payment terms, not by PUT",
  collection_method: "is fixed at finalization from the customer's collection_method, not by PUT",
  lines: ISSUED,
  subtotal: ISSUED,
  tax: ISSUED,
  tax_total: ISSUED,
  total: ISSUED,
  amount_paid: "changes with payments (POST /payments), not by PUT",
  amount_due: "changes with payments (POST /payments) and credit notes, not by PUT",
  currency: ISSUED,
  period: ISSUED,
  number: "cannot be changed",
  id: "cannot be changed",
  customer_id: "cannot be changed",
  issuer_account_id: "cannot be changed",
  bill_to_account_id: "cannot be changed",
  billing_run_id: "cannot be changed",
  payment_reference: "cannot be changed",
  payment_attempts: "cannot be changed",
  finalizes_at: "cannot be changed",
  finalized_at: "cannot be changed",
  paid_at: "cannot be changed",
  voided_at: "cannot be changed",
  created_at: "cannot be changed",
  updated_at: "cannot be changed"
} as const

const readOnly = Schema.optional(Schema.Unknown.annotations({ description: "Read-only: may be sent only as it is" }))

export class UpdateInvoice extends Schema.Class<UpdateInvoice>("UpdateInvoice")({
  /** A disputed invoice is left out of dunning until the dispute is settled. */
  disputed: Schema.Boolean,
  ...(Object.fromEntries(Object.keys(READ_ONLY_INVOICE_FIELDS).map((field) => [field, readOnly])) as {
    readonly [K in keyof typeof READ_ONLY_INVOICE_FIELDS]: typeof readOnly
  })
}) {}
