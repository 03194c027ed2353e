import type * as DateTime from "effect/DateTime"
import * as Schema from "effect/Schema"
import { BillingMonth, InvoiceLine, InvoiceTax } from "../invoices/model.js"
import { prefixedId } from "../shared/ids.js"
import { refusedField } from "../shared/read-only.js"
import { Currency, Money } from "../shared/money.js"
import { Timestamp } from "../shared/time.js"

/**
 * Billing runs (`brn_`): a run bills, for the customers under the caller's account, every
 * subscription period ending in its month (build.ts), into one draft per customer and currency.
 * Its customers are cut into chunks by id when it starts; executors claim pending chunks, each one
 * transaction, and add their counts and a heartbeat to its row: a run killed halfway is started
 * again and bills only the chunks not done, and only what was not billed (billed_periods), so
 * every period is billed exactly once.
 */

export const BillingRunId = prefixedId("brn", "BillingRunId")
export type BillingRunId = typeof BillingRunId.Type

export const BillingRunStatus = Schema.Literal("pending", "running", "completed", "failed")
export type BillingRunStatus = typeof BillingRunStatus.Type

export class BillingRun extends Schema.Class<BillingRun>("BillingRun")({
  id: BillingRunId,
  /** The account whose customers the run bills. */
  account_id: Schema.String,
  period: BillingMonth,
  status: BillingRunStatus,
  /** How long its drafts wait for late usage before they finalize on their own; 0: at once. */
  grace_period_seconds: Schema.Int,
  /** Null until the run has started. */
  customers_total: Schema.NullOr(Schema.Int),
  customers_processed: Schema.Int,
  subscriptions_billed: Schema.Int,
  invoices_created: Schema.Int,
  /** Why the run failed; null otherwise. */
  error: Schema.NullOr(Schema.String),
  started_at: Schema.NullOr(Timestamp),
  completed_at: Schema.NullOr(Timestamp),
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

/** A run with what answers do not show: its scope and where it is in its work. */
export interface StoredBillingRun {
  readonly run: BillingRun
  readonly lineage: ReadonlyArray<string>
  readonly heartbeat_at: DateTime.Utc | null
}

export const GRACE_PERIOD_SHAPE = "must be a duration such as \"2 hours\" or \"3 days\", or a whole number of seconds"

/** The longest grace period (Lago's bound too): drafts wait for late usage, not for a year and more. */
export const MAX_GRACE_SECONDS = 365 * 24 * 60 * 60
export const GRACE_PERIOD_LIMIT = `must be at most 365 days (${MAX_GRACE_SECONDS} seconds)`

/** Why a run takes no customer or account of its own (X-Tenant-ID is how one narrows it). */
const RUN_SCOPE =
  "a run bills every customer below the caller's account; X-Tenant-ID narrows it to a distributor or partner, " +
  "and GET /customers/{customerId}/upcoming-invoice shows one customer's next invoice"

/** The body of `POST /billing/runs`. */
export class StartBillingRun extends Schema.Class<StartBillingRun>("StartBillingRun")({
  period: BillingMonth,
  /**
   * A duration such as "2 hours" or "3 days" (units: seconds, minutes, hours, days, weeks), or a
   * whole number of seconds (`7200` or `"7200"`); PROVISIO_BILLING_GRACE_PERIOD (default 0) when absent.
   */
  grace_period: Schema.optional(Schema.Union(Schema.String, Schema.Number).annotations({
    message: () => ({ message: GRACE_PERIOD_SHAPE, override: true })
  })),
  /** A run bills its whole scope: naming one customer or account is 422, not a run for everyone. */
  customer_id: refusedField(RUN_SCOPE),
  partner_id: refusedField(RUN_SCOPE),
  distributor_id: refusedField(RUN_SCOPE)
}) {}

/**
 * A customer's next invoice as it would be now (`GET /customers/{id}/upcoming-invoice`): the
 * current period of each subscription with the changes and usage so far, the one-off purchases
 * not yet invoiced and the credit that would apply. Nothing is written, so it has no id or number.
 */
export class UpcomingInvoice extends Schema.Class<UpcomingInvoice>("UpcomingInvoice")({
  customer_id: Schema.String,
  issuer_account_id: Schema.String,
  status: Schema.Literal("draft"),
  currency: Currency,
  /** The month whose billing run will bill it. */
  period: Schema.String,
  lines: Schema.Array(InvoiceLine),
  subtotal: Money,
  /** The breakdown as finalization would write it (the rates in force on the lines' service dates). */
  tax: Schema.Array(InvoiceTax),
  tax_total: Money,
  total: Money,
  amount_paid: Money,
  amount_due: Money
}) {}
