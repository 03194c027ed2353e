import type * as BigDecimal from "effect/BigDecimal"
import * as Schema from "effect/Schema"
import type { BillingMonth } from "../invoices/model.js"
import type { Currency } from "../shared/money.js"

/**
 * Reconciliation exports for finance and ERP systems: a month of invoices, their lines, the
 * rated usage per subscription, SKU and day, and the commission entries, as CSV or NDJSON,
 * read in keyset batches so that memory stays flat whatever the month's size.
 *
 * The columns below are the contract (docs/exports.md): a column is only ever added at the end
 * of its export, never renamed, removed or moved, so an ERP import keyed on positions keeps working.
 */

export const ExportKind = Schema.Literal("invoices", "invoice-lines", "rated-usage", "commissions")
export type ExportKind = typeof ExportKind.Type

export const ExportFormat = Schema.Literal("csv", "ndjson")
export type ExportFormat = typeof ExportFormat.Type

/** How a column's text is typed in NDJSON (CSV writes every value as text; empty is null). */
export type ColumnType = "text" | "decimal" | "integer" | "date" | "timestamp"

export interface ExportColumn {
  readonly name: string
  readonly type: ColumnType
}

const columns = <const Names extends ReadonlyArray<readonly [string, ColumnType]>>(names: Names) =>
  names.map(([name, type]) => ({ name, type })) as unknown as { readonly [K in keyof Names]: { readonly name: Names[K][0]; readonly type: ColumnType } }

/**
 * One row per invoice of the month (every status: a draft is an estimate, a void one is kept so
 * the numbering reconciles), upstream invoices (issue 23) among them: `bill_to_account_id` the
 * account they bill, the customer's columns empty; a customer's invoice has it empty.
 */
export const INVOICE_COLUMNS = columns([
  ["invoice_id", "text"],
  ["number", "text"],
  ["status", "text"],
  ["period", "text"],
  ["issuer_account_id", "text"],
  ["customer_id", "text"],
  ["customer_external_id", "text"],
  ["customer_name", "text"],
  ["partner_id", "text"],
  ["partner_name", "text"],
  ["currency", "text"],
  ["subtotal", "decimal"],
  ["tax_total", "decimal"],
  ["total", "decimal"],
  ["amount_paid", "decimal"],
  ["amount_due", "decimal"],
  ["created_at", "timestamp"],
  ["finalized_at", "timestamp"],
  ["due_date", "date"],
  ["paid_at", "timestamp"],
  ["voided_at", "timestamp"],
  ["bill_to_account_id", "text"]
])

/** One row per line of the month's invoices (upstream ones too), in invoice and line order. */
export const INVOICE_LINE_COLUMNS = columns([
  ["invoice_id", "text"],
  ["invoice_number", "text"],
  ["invoice_status", "text"],
  ["period", "text"],
  ["issuer_account_id", "text"],
  ["customer_id", "text"],
  ["currency", "text"],
  ["line_number", "integer"],
  ["kind", "text"],
  ["description", "text"],
  ["subscription_id", "text"],
  ["product_id", "text"],
  ["plan_id", "text"],
  ["sku_id", "text"],
  ["period_start", "timestamp"],
  ["period_end", "timestamp"],
  ["quantity", "decimal"],
  ["unit_price", "decimal"],
  ["amount", "decimal"],
  ["tax_rate", "decimal"],
  ["tax_category", "text"],
  ["bill_to_account_id", "text"]
])

/**
 * One row per usage line of the month's invoices and UTC day with usage: the day's quantity and
 * its share of the line's rated amount (see `allocateByDay`), so a line's days sum to the line.
 */
export const RATED_USAGE_COLUMNS = columns([
  ["usage_date", "date"],
  ["subscription_id", "text"],
  ["customer_id", "text"],
  ["partner_id", "text"],
  ["sku_id", "text"],
  ["sku_code", "text"],
  ["sku_name", "text"],
  ["unit", "text"],
  ["product_id", "text"],
  ["currency", "text"],
  ["quantity", "decimal"],
  ["rated_amount", "decimal"],
  ["invoice_id", "text"],
  ["invoice_number", "text"],
  ["invoice_status", "text"],
  ["line_number", "integer"]
])

/**
 * One row per commission entry: a line of a finalized or paid invoice of the month, for each
 * distributor or partner above its customer, at that account's rule (commissions/model.ts).
 * `commission_exact` is unrounded: an account's statement rounds their sum once per currency.
 */
export const COMMISSION_COLUMNS = columns([
  ["account_id", "text"],
  ["account_kind", "text"],
  ["account_name", "text"],
  ["period", "text"],
  ["currency", "text"],
  ["invoice_id", "text"],
  ["invoice_number", "text"],
  ["invoice_status", "text"],
  ["customer_id", "text"],
  ["line_number", "integer"],
  ["product_id", "text"],
  ["plan_id", "text"],
  ["net_amount", "decimal"],
  ["rule_id", "text"],
  ["percentage", "decimal"],
  ["commission_exact", "decimal"],
  ["statement_id", "text"],
  ["credit_note_id", "text"]
])

export const EXPORT_COLUMNS: Record<ExportKind, ReadonlyArray<ExportColumn>> = {
  "invoices": INVOICE_COLUMNS,
  "invoice-lines": INVOICE_LINE_COLUMNS,
  "rated-usage": RATED_USAGE_COLUMNS,
  "commissions": COMMISSION_COLUMNS
}

type NamesOf<C extends ReadonlyArray<{ readonly name: string }>> = C[number]["name"]
export type InvoiceColumn = NamesOf<typeof INVOICE_COLUMNS>
export type InvoiceLineColumn = NamesOf<typeof INVOICE_LINE_COLUMNS>
export type RatedUsageColumn = NamesOf<typeof RATED_USAGE_COLUMNS>
export type CommissionColumn = NamesOf<typeof COMMISSION_COLUMNS>

/** A row as text (decimals exactly as stored, times ISO 8601 UTC), keyed by column name; null is empty. */
export type ExportRow = Readonly<Record<string, string | null>>

/** Where the next batch starts: opaque to the core, the store's keyset position. */
export type ExportKey = ReadonlyArray<string | number>

export interface ExportBatch<A> {
  readonly rows: ReadonlyArray<A>
  /** Null when this was the last batch. */
  readonly next: ExportKey | null
}

export interface ExportQuery {
  readonly period: BillingMonth
  /** The caller's account: rows whose lineage holds it. */
  readonly within: string
  readonly after: ExportKey | null
}

/** A usage line with its days, as the store reads it; the core shares the amount out. */
export interface RatedUsageLine {
  /** Every column but `usage_date`, `quantity` and `rated_amount`. */
  readonly row: ExportRow
  readonly currency: Currency
  readonly amount: BigDecimal.BigDecimal
  /** The UTC days with usage, in order; empty when the line had no records (a flat fee). */
  readonly days: ReadonlyArray<{ readonly date: string; readonly quantity: BigDecimal.BigDecimal }>
  /** The line's period start as a date: where a line without records puts its amount. */
  readonly first_day: string
}
