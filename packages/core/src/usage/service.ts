import * as Arr from "effect/Array"
import * as BigDecimal from "effect/BigDecimal"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { crossedThresholds } from "../catalog/thresholds.js"
import { EventLog } from "../events/ports.js"
import { newEvent } from "../events/service.js"
import type { StoredEvent } from "../events/model.js"
import type { Principal } from "../identity/model.js"
import { requireKind, requireWrite } from "../identity/policy.js"
import { type Forbidden, type PersistenceError } from "../shared/errors.js"
import { formatDecimal } from "../shared/money.js"
import { now } from "../shared/time.js"
import { Transactor } from "../shared/transactor.js"
import { SubscriptionRepo } from "../subscriptions/ports.js"
import {
  IngestResult,
  MAX_USAGE_BATCH,
  type NewUsageRecord,
  USAGE_BOUND,
  USAGE_BOUND_REASON,
  type ThresholdCrossing,
  type UsageGroup,
  UsageRejection,
  type UsageSku,
  type UsageSummaryQuery
} from "./model.js"
import { UsageRepo } from "./ports.js"
import { summary } from "./summary.js"
import { type Candidate, closedMessage, iso, periodKey, planBatch, readBatch, type Reject, type SubscriptionCheck } from "./batch.js"

const emptyResult = new IngestResult({ accepted: 0, duplicates: 0, rejected: [] })

const addResults = (a: IngestResult, b: IngestResult) =>
  new IngestResult({
    accepted: a.accepted + b.accepted,
    duplicates: a.duplicates + b.duplicates,
    rejected: [...a.rejected, ...b.rejected]
  })

/** How many batches of one ingestion are in flight at once. */
const CONCURRENT_BATCHES = 4

/**
 * A batch that brought a total to the bound (`insertRecords`' `overflowed`): rolled back and run
 * again `exact`, which refuses the records that would. Once more each time an exact run raced
 * another batch's first records of a period (counted from zero, stored by the next time), so a
 * few times at most.
 */
const overflowed = Symbol("usage total overflowed")
const MAX_EXACT_RUNS = 10

/** Why a record that would bring its group's total to the bound is refused. */
const totalMessage = (record: NewUsageRecord, total: BigDecimal.BigDecimal) =>
  `quantity: brings the usage of SKU ${record.sku_id} to ${formatDecimal(BigDecimal.normalize(total))} in the period of ` +
  `subscription ${record.subscription_id} starting ${iso(record.period_start)}: ${USAGE_BOUND_REASON}`

type AddedTotal = UsageGroup & { readonly added: BigDecimal.BigDecimal; readonly total: BigDecimal.BigDecimal }

export const make = Effect.gen(function* () {
  const repo = yield* UsageRepo
  const subscriptions = yield* SubscriptionRepo
  const log = yield* EventLog
  const transactor = yield* Transactor
  const provided = Effect.provide(Context.make(UsageRepo, repo).pipe(Context.add(SubscriptionRepo, subscriptions)))

  /** Usage comes from the channel's systems: the platform, distributors and partners, not viewers. */
  const mayReport = (caller: Principal) =>
    Effect.zipRight(
      requireKind(caller, ["platform", "distributor", "partner"], "report usage"),
      requireWrite(caller)
    )

  /**
   * One batch (at most `MAX_USAGE_BATCH`): each record read and checked on its own, the context
   * loaded in one query, the good records inserted and the running totals of their SKUs with
   * thresholds kept in one statement (a record that would bring its total to `USAGE_BOUND`
   * refused there), late records' drafts locked and flagged, the thresholds
   * crossed raised, all in one transaction. `offset` is the position of the batch's first
   * record in the whole input, for the rejections' indexes. The loops avoid per-record closures
   * and `DateTime` arithmetic: this is the hot path of every door.
   */
  const ingestBatch = (caller: Principal, raw: ReadonlyArray<unknown>, offset: number) =>
    Effect.gen(function* () {
      const receivedAt = yield* now
      const rejected: Array<UsageRejection> = []
      const reject: Reject = (index, code, message) => {
        rejected.push(new UsageRejection({ index: offset + index, code, message }))
      }
      const finish = (accepted: number, duplicates: number) =>
        new IngestResult({ accepted, duplicates, rejected: Arr.sort(rejected, byIndex) })

      const read = readBatch(raw, receivedAt.epochMillis, reject)
      if (read.decoded.length === 0) return finish(0, 0)
      const context = yield* repo.loadBatchContext([...read.subscriptionIds], [...read.skuRefs], DateTime.unsafeMake(read.since))
      const { candidates, checks, invoiceStatusOf, late } = planBatch(caller, read.decoded, context, receivedAt.epochMillis, reject)
      if (candidates.length === 0) return finish(0, 0)

      const withThresholds = context.skus.filter((sku) => sku.thresholds.length > 0).map((sku) => sku.id)
      // The rejections of an attempt are kept once it commits: one run again (overflowed) rejects afresh.
      const attempt = (exact: boolean) => Effect.gen(function* () {
        const later: Array<Parameters<Reject>> = []
        const rejectLater: Reject = (...rejection) => {
          later.push(rejection)
        }
        // Late records: their periods may be billed by now. Lock and read again (lateChecks).
        const { drafts, insertable } = late
          ? yield* lateChecks(candidates, invoiceStatusOf, rejectLater)
          : { drafts: [], insertable: candidates }
        if (insertable.length === 0) return { inserted: 0, duplicates: 0, later }
        const stored = yield* repo.insertRecords(insertable.map((c) => c.record), receivedAt, {
          withThresholds,
          drafts,
          bound: USAGE_BOUND,
          exact
        })
        if (stored.overflowed) return yield* Effect.fail(overflowed)
        for (const { position, total } of stored.refused) {
          const { index, record } = insertable[position]!
          rejectLater(index, "invalid_quantity", totalMessage(record, total))
        }
        if (stored.totals.length > 0) yield* raiseThresholds(stored.totals, context.skus, checks)
        return { inserted: stored.inserted, duplicates: insertable.length - stored.inserted - stored.refused.length, later }
      })
      const run = (exact: boolean, runs: number): Effect.Effect<Effect.Effect.Success<ReturnType<typeof attempt>>, IngestError> =>
        transactor.withTransaction(attempt(exact)).pipe(
          Effect.catchIf(
            (error): error is typeof overflowed => error === overflowed,
            () => runs < MAX_EXACT_RUNS ? run(true, runs + 1) : Effect.die(new Error("usage totals raced past the bound too often"))
          )
        )
      const { duplicates, inserted, later } = yield* run(false, 0)
      for (const rejection of later) reject(...rejection)
      return finish(inserted, duplicates)
    })

  /**
   * The late candidates of a batch, in its transaction: their subscriptions share-locked and
   * their periods' invoices read again (a run may have billed them since the load), the drafts
   * among those locked so none is finalized while this usage joins its period, and flagged for
   * re-rating (by the insert, if their periods take a record). Answers the candidates that may
   * be inserted (the others are rejected) and those drafts.
   */
  const lateChecks = (
    candidates: ReadonlyArray<Candidate>,
    invoiceStatusOf: Map<string, string>,
    reject: Reject
  ) =>
    Effect.gen(function* () {
      const lateOnes = candidates.filter((c) => c.late)
      const periods = lateOnes.map((c) => ({ subscription_id: c.record.subscription_id, period_start: c.record.period_start }))
      const billed = yield* repo.lockLatePeriods([...new Set(lateOnes.map((c) => c.subscription.id))], periods)
      for (const p of billed) invoiceStatusOf.set(periodKey(p.subscription_id, DateTime.toEpochMillis(p.period_start)), p.invoice_status)
      const inDraft = [...new Map(
        candidates
          .filter((c) => invoiceStatusOf.get(c.key) === "draft")
          .map((c) => [c.key, { subscription_id: c.record.subscription_id, period_start: c.record.period_start }] as const)
      )]
      const draftInvoiceOf = new Map<string, string>()
      if (inDraft.length > 0) {
        for (const p of yield* repo.lockDraftPeriods(inDraft.map(([, period]) => period))) {
          draftInvoiceOf.set(periodKey(p.subscription_id, DateTime.toEpochMillis(p.period_start)), p.invoice_id)
        }
      }
      const insertable = candidates.filter((c) => {
        const status = invoiceStatusOf.get(c.key)
        if (status !== undefined && (status !== "draft" || !draftInvoiceOf.has(c.key))) {
          reject(c.index, "period_closed", closedMessage(c.record.subscription_id, c.record.period_start))
          return false
        }
        return true
      })
      const drafts = inDraft.flatMap(([key, period]) => {
        const invoice_id = draftInvoiceOf.get(key)
        return invoice_id === undefined ? [] : [{ ...period, invoice_id }]
      })
      return { drafts, insertable }
    })

  /**
   * Each threshold crossed by the quantities just added, once per subscription, SKU and period:
   * the totals' rows are held until the transaction ends (so two batches of one group count
   * each other), and a crossing recorded before is not raised again.
   */
  const raiseThresholds = (
    totals: ReadonlyArray<AddedTotal>,
    skus: ReadonlyArray<UsageSku>,
    checks: ReadonlyMap<string, SubscriptionCheck | null>
  ) =>
    Effect.gen(function* () {
      const skuById = new Map(skus.map((sku) => [sku.id, sku]))
      const crossings: Array<ThresholdCrossing> = []
      const events: Array<StoredEvent> = []
      for (const { added, total, ...group } of totals) {
        const sku = skuById.get(group.sku_id)!
        const subscription = checks.get(group.subscription_id)!.subscription
        for (const threshold of crossedThresholds(sku.thresholds, BigDecimal.subtract(total, added), total)) {
          const event = yield* newEvent(
            "usage.threshold_crossed",
            { customer_id: subscription.customer_id, lineage: subscription.lineage },
            {
              subscription_id: group.subscription_id,
              customer_id: subscription.customer_id,
              sku_id: group.sku_id,
              sku_code: sku.code,
              threshold,
              period_start: iso(group.period_start),
              usage: formatDecimal(BigDecimal.normalize(total))
            }
          )
          events.push(event)
          crossings.push({ ...group, threshold, event_id: event.event.id })
        }
      }
      if (crossings.length === 0) return
      const recorded = new Set(yield* repo.insertCrossings(crossings, yield* now))
      const raised = events.filter((e) => recorded.has(e.event.id))
      if (raised.length > 0) yield* log.append(raised)
    })

  /** Chunks of `MAX_USAGE_BATCH`, one transaction each, the results added up. */
  function ingest(caller: Principal, records: ReadonlyArray<unknown>): Effect.Effect<IngestResult, IngestError>
  function ingest<E, R>(caller: Principal, records: Stream.Stream<unknown, E, R>): Effect.Effect<IngestResult, IngestError | E, R>
  function ingest<E, R>(
    caller: Principal,
    records: ReadonlyArray<unknown> | Stream.Stream<unknown, E, R>
  ): Effect.Effect<IngestResult, IngestError | E, R> {
    // A few batches at once, each its own transaction on its own connection: the database
    // works on one while the next is read and checked. Inserts take their keys in order, so two
    // batches never wait on each other in a cycle.
    if (Array.isArray(records)) {
      const all = records as ReadonlyArray<unknown>
      const starts = Array.from({ length: Math.ceil(all.length / MAX_USAGE_BATCH) }, (_, n) => n * MAX_USAGE_BATCH)
      return Effect.zipRight(
        mayReport(caller),
        Effect.map(
          Effect.forEach(starts, (start) => ingestBatch(caller, all.slice(start, start + MAX_USAGE_BATCH), start), {
            concurrency: CONCURRENT_BATCHES
          }),
          (results) => results.reduce(addResults, emptyResult)
        )
      )
    }
    return Effect.zipRight(
      mayReport(caller),
      (records as Stream.Stream<unknown, E, R>).pipe(
        Stream.grouped(MAX_USAGE_BATCH),
        Stream.zipWithIndex,
        Stream.mapEffect(([chunk, n]) => ingestBatch(caller, Chunk.toReadonlyArray(chunk), n * MAX_USAGE_BATCH), {
          concurrency: CONCURRENT_BATCHES
        }),
        Stream.runFold(emptyResult, addResults)
      )
    )
  }

  return { ingest, summary: (caller: Principal, query: UsageSummaryQuery) => summary(caller, query).pipe(provided) } as const
})

type IngestError = Forbidden | PersistenceError

const byIndex = (a: UsageRejection, b: UsageRejection) => (a.index < b.index ? -1 : a.index > b.index ? 1 : 0)


export class UsageService extends Context.Tag("@provisio/core/UsageService")<
  UsageService,
  Effect.Effect.Success<typeof make>
>() {
  static readonly layer = Layer.effect(UsageService, make)
}
