import type * as BigDecimal from "effect/BigDecimal"
import type { LineCost, TierSkuModel } from "../channel/line-costs.js"
import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { BillingMonth, InvoiceLineFields } from "../invoices/model.js"
import type { InvoiceToIssue } from "../invoices/ports.js"
import type { PersistenceError } from "../shared/errors.js"
import type { Currency } from "../shared/money.js"
import type { Page, PageRequest } from "../shared/pagination.js"
import type { BillableSubscription, HistoryRow, OneOffItem, PlanPrice, SkuPricing } from "./build.js"
import type { BillingRun, StoredBillingRun } from "./model.js"

/** A customer as a run bills it. */
export interface BillableCustomer {
  readonly id: string
  /** The issuer of its invoices. */
  readonly partner_id: string
  readonly lineage: ReadonlyArray<string>
  readonly timezone: string
}

/** A subscription period: what billed_periods claims and usage is grouped by. */
export interface PeriodKey {
  readonly subscription_id: string
  readonly period_start: DateTime.Utc
  readonly period_end: DateTime.Utc
}

/**
 * A history row of a subscription with the price of its plan version: the customer's price
 * resolved down the channel (price lists, docs/channel.md) for the period read, the list price
 * when no list applies.
 */
export interface PricedHistoryRow {
  readonly subscription_id: string
  readonly row: HistoryRow
  readonly plan: PlanPrice
}

export interface UsageTotal {
  readonly subscription_id: string
  readonly period_start: DateTime.Utc
  readonly sku_id: string
  readonly quantity: BigDecimal.BigDecimal
  /** The SKU as a price list prices it for the subscription's customer; the catalog's when absent. */
  readonly pricing?: SkuPricing
  /** Each tier above the customer that buys the SKU, with its price model (the line's costs). */
  readonly costs?: ReadonlyArray<TierSkuModel>
}

/** A line placed on its invoice; taxed already when `tax` is there. */
export interface PlacedLine {
  readonly invoice_id: string
  readonly line: InvoiceLineFields
  readonly tax?: { readonly exemption_reason: string | null; readonly priced_amount: BigDecimal.BigDecimal | null }
  /** What the tiers above the customer pay for it, written with it (channel_costs), in its invoice's period. */
  readonly costs?: {
    readonly customer_id: string
    readonly period: BillingMonth
    readonly currency: Currency
    readonly tiers: ReadonlyArray<LineCost>
  }
}

export interface Draft {
  readonly id: string
  readonly customer_id: string
  readonly currency: Currency
  /** New: this chunk made it (else it was the customer's open draft). */
  readonly created: boolean
  readonly needs_rerate: boolean
}

/** A draft flagged for re-rating. */
export interface FlaggedDraft {
  readonly id: string
  readonly currency: Currency
  readonly period: BillingMonth
}

export interface BilledPeriod extends PeriodKey {
  readonly invoice_id: string
  readonly subscription: BillableSubscription
}

/** A chunk of a run claimed for billing: its customers are (after_customer, last_customer] by id. */
export interface ClaimedChunk {
  readonly run: BillingRun
  readonly chunk: number
  /** Null for the first chunk. */
  readonly after_customer: string | null
  /** Null for the last chunk, which is open-ended. */
  readonly last_customer: string | null
}

export interface ChunkProgress {
  readonly customers: number
  readonly subscriptions: number
  readonly invoices: number
}

/**
 * The storage of billing, one port per job. Every method is one set-based statement over all the
 * rows it is given (arrays as parameters): a chunk of a run costs a fixed number of statements
 * whatever its size.
 */

/** The runs and their chunks: the work queue executors share. */
export class BillingRunRepo extends Context.Tag("@provisio/core/BillingRunRepo")<BillingRunRepo, {
  readonly insertRun: (stored: StoredBillingRun) => Effect.Effect<void, PersistenceError>
  readonly findRun: (id: string) => Effect.Effect<Option.Option<StoredBillingRun>, PersistenceError>
  /** The runs whose lineage holds `within`, newest first. */
  readonly listRuns: (within: string, page: PageRequest) => Effect.Effect<Page<StoredBillingRun>, PersistenceError>
  /** A pending or running run of the account and month whose heartbeat (or creation) is at or after `since`. */
  readonly findLiveRun: (
    accountId: string,
    period: string,
    since: DateTime.Utc
  ) => Effect.Effect<Option.Option<StoredBillingRun>, PersistenceError>
  /**
   * Running, with the number of customers in scope (`started_at` kept when it resumes); the first
   * time, its customers cut into chunks of `chunkSize` by id. Run it in a transaction.
   */
  readonly markRunning: (id: string, at: DateTime.Utc, chunkSize: number) => Effect.Effect<BillingRun, PersistenceError>
  /**
   * The first pending chunk of the run that no other transaction holds, locked until this one
   * ends (`SKIP LOCKED`); none when none is left or the run is not running.
   */
  readonly claimChunk: (runId: string) => Effect.Effect<Option.Option<ClaimedChunk>, PersistenceError>
  /** Marks the chunk done and adds its counts to the run's, with a heartbeat. */
  readonly completeChunk: (runId: string, chunk: number, progress: ChunkProgress, at: DateTime.Utc) => Effect.Effect<void, PersistenceError>
  /** Waits for the pending chunks that other transactions hold, then answers how many are still pending. */
  readonly awaitPendingChunks: (runId: string) => Effect.Effect<number, PersistenceError>
  /** Completed, if it is running and no chunk is pending; none otherwise. */
  readonly completeRun: (id: string, at: DateTime.Utc) => Effect.Effect<Option.Option<StoredBillingRun>, PersistenceError>
  readonly failRun: (id: string, error: string, at: DateTime.Utc) => Effect.Effect<void, PersistenceError>
}>() {}

/** What billing reads: customers, subscriptions and their history, usage totals, SKUs, one-offs, credit. */
export class BillingInputRepo extends Context.Tag("@provisio/core/BillingInputRepo")<BillingInputRepo, {
  /** Customers whose lineage contains `within`, with ids in (`after`, `last`] (either end open when null). */
  readonly customersIn: (
    within: string,
    after: string | null,
    last: string | null
  ) => Effect.Effect<ReadonlyArray<BillableCustomer>, PersistenceError>
  readonly customer: (id: string) => Effect.Effect<Option.Option<BillableCustomer>, PersistenceError>
  /**
   * The customers' subscriptions that may have something to bill in `[from, to)`: not pending,
   * started before `to`, and live or ended after `from`.
   */
  readonly subscriptionsOf: (
    customerIds: ReadonlyArray<string>,
    from: DateTime.Utc,
    to: DateTime.Utc
  ) => Effect.Effect<ReadonlyArray<BillableSubscription>, PersistenceError>
  /** Locks the subscriptions (in id order, `for no key update`) until the transaction ends. */
  readonly lockSubscriptions: (ids: ReadonlyArray<string>) => Effect.Effect<void, PersistenceError>
  /** For each period: the history row in force at its start and those inside it, with plan prices. */
  readonly historyOf: (periods: ReadonlyArray<PeriodKey>) => Effect.Effect<ReadonlyArray<PricedHistoryRow>, PersistenceError>
  /** Usage per (subscription, period, SKU): the running totals ingestion keeps. */
  readonly usageOf: (periods: ReadonlyArray<PeriodKey>) => Effect.Effect<ReadonlyArray<UsageTotal>, PersistenceError>
  readonly skus: (ids: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<SkuPricing>, PersistenceError>
  /**
   * Completed `purchase` order items of the customers not on any invoice line, completed before
   * each customer's `before`.
   */
  readonly oneOffsOf: (
    customers: ReadonlyArray<{ readonly id: string; readonly before: DateTime.Utc }>
  ) => Effect.Effect<ReadonlyArray<{ readonly customer_id: string; readonly item: OneOffItem }>, PersistenceError>
  /** The customer's credit notes with something left, oldest first. */
  readonly creditsOf: (customerId: string) => Effect.Effect<
    ReadonlyArray<{ readonly credit_note_id: string; readonly currency: string; readonly remaining: BigDecimal.BigDecimal }>,
    PersistenceError
  >
  readonly billedPeriodsOf: (invoiceIds: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<BilledPeriod>, PersistenceError>
}>() {}

/** What billing writes: draft invoices, claimed periods, lines and totals; drafts re-rated and finalized. */
export class BillingInvoiceRepo extends Context.Tag("@provisio/core/BillingInvoiceRepo")<BillingInvoiceRepo, {
  /**
   * Inserts the invoices as drafts that finalize at `finalizesAt`, or answers the customer's open
   * draft of that currency and month (row locked).
   */
  readonly upsertDrafts: (
    drafts: ReadonlyArray<InvoiceToIssue>,
    finalizesAt: DateTime.Utc,
    at: DateTime.Utc
  ) => Effect.Effect<ReadonlyArray<Draft>, PersistenceError>
  /** The customers' open drafts among these (customer, currency, month), locked. */
  readonly openDrafts: (wanted: ReadonlyArray<InvoiceToIssue>) => Effect.Effect<ReadonlyArray<Draft>, PersistenceError>
  /**
   * Claims the periods for their invoices; answers those this call claimed (not billed before).
   */
  readonly claimPeriods: (
    claims: ReadonlyArray<PeriodKey & { readonly invoice_id: string }>
  ) => Effect.Effect<ReadonlyArray<string>, PersistenceError>
  /**
   * Appends the lines after each invoice's last, in the order given. A one-off already on an
   * invoice is skipped.
   */
  /** Lines taxed before they are written carry their exemption reason and price as priced (TaxCalculator.taxLines). */
  readonly insertLines: (lines: ReadonlyArray<PlacedLine>, at: DateTime.Utc) => Effect.Effect<void, PersistenceError>
  /** subtotal, total and amount_due from the lines. */
  readonly refreshTotals: (invoiceIds: ReadonlyArray<string>, at: DateTime.Utc) => Effect.Effect<void, PersistenceError>
  /** Deletes those of the drafts that have no lines; answers how many. */
  readonly deleteEmptyDrafts: (invoiceIds: ReadonlyArray<string>) => Effect.Effect<number, PersistenceError>

  /** The flagged drafts among `ids` (every flagged draft when `ids` is undefined), locked. */
  readonly lockFlaggedDrafts: (ids: ReadonlyArray<string> | undefined) => Effect.Effect<ReadonlyArray<FlaggedDraft>, PersistenceError>
  readonly deleteUsageLines: (invoiceIds: ReadonlyArray<string>) => Effect.Effect<void, PersistenceError>
  readonly clearRerate: (invoiceIds: ReadonlyArray<string>) => Effect.Effect<void, PersistenceError>
  /** Drafts whose grace period has ended at `at`. */
  readonly dueDrafts: (at: DateTime.Utc, limit: number) => Effect.Effect<ReadonlyArray<string>, PersistenceError>
  /** An invoice's scope and status, its row locked. */
  readonly lockInvoice: (id: string) => Effect.Effect<
    Option.Option<{ readonly id: string; readonly status: string; readonly lineage: ReadonlyArray<string> }>,
    PersistenceError
  >
}>() {}
