import type * as BigDecimal from "effect/BigDecimal"
import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type { PersistenceError } from "../shared/errors.js"
import type {
  NewUsageRecord,
  PeriodKey,
  ThresholdCrossing,
  UsageBatchContext,
  UsageGroup,
  UsageSummaryQuery,
  UsageTotal
} from "./model.js"

/** Every method is one statement whatever the number of records: ingestion is bulk work. */
export class UsageRepo extends Context.Tag("@provisio/core/UsageRepo")<UsageRepo, {
  /**
   * The subscriptions named (with their plan version's SKUs), the SKUs named by id or code, and
   * the billed periods of those subscriptions ending after `since`, in one query.
   */
  readonly loadBatchContext: (
    subscriptionIds: ReadonlyArray<string>,
    skuRefs: ReadonlyArray<string>,
    since: DateTime.Utc
  ) => Effect.Effect<UsageBatchContext, PersistenceError>
  /**
   * Of `periods`, those billed by an invoice that is still a draft, with the invoice's id; the
   * invoices are locked until the transaction ends (in id order), so none is finalized under
   * the usage being added to its period. Run it in a transaction.
   */
  readonly lockDraftPeriods: (
    periods: ReadonlyArray<PeriodKey>
  ) => Effect.Effect<ReadonlyArray<PeriodKey & { readonly invoice_id: string }>, PersistenceError>
  /**
   * Late usage: share-locks the subscriptions (in id order) until the transaction ends, then
   * answers which of `periods` are billed and by an invoice in which status. Two statements.
   */
  readonly lockLatePeriods: (
    subscriptionIds: ReadonlyArray<string>,
    periods: ReadonlyArray<PeriodKey>
  ) => Effect.Effect<ReadonlyArray<PeriodKey & { readonly invoice_status: string }>, PersistenceError>
  /**
   * Inserts the records whose `(customer_id, transaction_id)` is new (the first of a repeated
   * one only), adds what was inserted to the running totals of its groups (billing reads them)
   * and flags for re-rating the drafts of `drafts` whose period took a record, in one statement;
   * answers how many were inserted and, for the groups whose SKU is in `withThresholds`, each
   * total it added to, after the addition. The totals' rows stay locked until the transaction
   * ends: another ingestion of the same group waits, then adds to a total that counts this one.
   * Run it in a transaction.
   *
   * `overflowed`: a total it added to has reached `bound` (usage/model.ts USAGE_BOUND); the
   * caller then rolls the transaction back and runs it again `exact`. Not `exact` (the cheap
   * statement, while totals stay far from the bound), nothing is refused. `exact`, the stored
   * totals of the batch's groups are locked first, and a new record that would bring its group's
   * total to `bound` (the stored total, plus the group's new records before it in `records` that
   * were not refused, and itself) is not inserted: `refused` names its position in `records` and
   * that total; a later record of the batch with its `transaction_id` is not inserted either (its
   * first time was refused). A total no one had stored yet counts from zero, so a batch racing
   * another's first records of a group may still pass the bound: `overflowed` again, and the
   * other's total is stored by the next run.
   */
  readonly insertRecords: (
    records: ReadonlyArray<NewUsageRecord>,
    receivedAt: DateTime.Utc,
    options: {
      readonly withThresholds: ReadonlyArray<string>
      readonly drafts: ReadonlyArray<PeriodKey & { readonly invoice_id: string }>
      readonly bound: BigDecimal.BigDecimal
      readonly exact: boolean
    }
  ) => Effect.Effect<{
    readonly inserted: number
    readonly totals: ReadonlyArray<UsageGroup & { readonly added: BigDecimal.BigDecimal; readonly total: BigDecimal.BigDecimal }>
    readonly refused: ReadonlyArray<{ readonly position: number; readonly total: BigDecimal.BigDecimal }>
    readonly overflowed: boolean
  }, PersistenceError>
  /** Records the crossings not recorded before; answers the event ids of those recorded now. */
  readonly insertCrossings: (
    crossings: ReadonlyArray<ThresholdCrossing>,
    at: DateTime.Utc
  ) => Effect.Effect<ReadonlyArray<string>, PersistenceError>
  /** The subscription's usage totals per SKU (and per UTC day). */
  readonly summary: (query: UsageSummaryQuery) => Effect.Effect<ReadonlyArray<UsageTotal>, PersistenceError>
}>() {}
