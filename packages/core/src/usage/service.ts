import {
  Array as Arr,
  BigDecimal,
  Chunk,
  Context,
  DateTime,
  Effect,
  Either,
  Layer,
  Option,
  ParseResult,
  Schema,
  Stream
} from "effect"
import { crossedThresholds } from "../catalog/thresholds"
import { EventLog } from "../events/ports"
import { newEvent } from "../events/service"
import type { StoredEvent } from "../events/model"
import type { Principal } from "../identity/model"
import { canReach, requireKind, requireWrite } from "../identity/policy"
import { type Forbidden, NotFound, type PersistenceError, ValidationError } from "../shared/errors"
import { formatDecimal } from "../shared/money"
import { Transactor } from "../shared/transactor"
import { SubscriptionRepo } from "../subscriptions/ports"
import { periodAt } from "../subscriptions/periods"
import {
  IngestResult,
  MAX_USAGE_BATCH,
  type NewUsageRecord,
  type RejectionCode,
  type ThresholdCrossing,
  type UsageGroup,
  UsageRecordInput,
  UsageRejection,
  type UsageSku,
  type UsageSubscription,
  UsageSummary,
  type UsageSummaryQuery
} from "./model"
import { UsageRepo } from "./ports"

/** How far ahead of the clock a record may be dated: the senders' clocks are not ours. */
const FUTURE_TOLERANCE = { minutes: 5 } as const

const decodeRecord = Schema.decodeUnknownEither(UsageRecordInput)

/** "quantity: must be ..." for the first problem of a record that does not decode. */
const describeInvalid = (error: ParseResult.ParseError): string => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  const path = issue?.path.map(String).join(".") ?? ""
  return issue === undefined || path === ""
    ? "the record must be an object with transaction_id, subscription_id, sku_id, quantity and occurred_at"
    : `${path}: ${issue.message}`
}

const iso = DateTime.formatIso
const periodKey = (subscriptionId: string, periodStart: DateTime.Utc) =>
  `${subscriptionId}|${DateTime.toEpochMillis(periodStart)}`
const groupKey = (g: UsageGroup) => `${periodKey(g.subscription_id, g.period_start)}|${g.sku_id}`

const emptyResult = new IngestResult({ accepted: 0, duplicates: 0, rejected: [] })

const addResults = (a: IngestResult, b: IngestResult) =>
  new IngestResult({
    accepted: a.accepted + b.accepted,
    duplicates: a.duplicates + b.duplicates,
    rejected: [...a.rejected, ...b.rejected]
  })

/** The period of the subscription `at` falls in: mostly the current one, else computed from the anchor. */
/**
 * The start of the billing period `at` falls in. An add-on's first period starts when it was
 * created, inside its parent's period, while billing counts that period from the anchored start:
 * only an anchored current period takes the fast path.
 */
const periodStartOf = (subscription: UsageSubscription, at: DateTime.Utc): DateTime.Utc => {
  const current = subscription.current_period_start
  const anchored = DateTime.Equivalence(current, subscription.billing_anchor) ||
    !DateTime.Equivalence(current, subscription.started_at)
  return anchored && DateTime.greaterThanOrEqualTo(at, current) && DateTime.lessThan(at, subscription.current_period_end)
    ? current
    : periodAt(subscription.billing_anchor, subscription.time_zone, subscription.billing_interval, at).start
}

/**
 * A billing run may bill a period once it has ended. Usage for a period that has ended, or ends
 * within this margin, is late: it takes a share lock on its subscription, which a run holds
 * exclusively while it reads usage, so a period is never billed without usage committed for it.
 */
const LATE_MARGIN = { hours: 1 } as const

/** How many batches of one ingestion are in flight at once. */
const CONCURRENT_BATCHES = 4

interface Candidate {
  /** Position in the batch. */
  readonly index: number
  readonly record: NewUsageRecord
  readonly subscription: UsageSubscription
  readonly sku: UsageSku
}

export const make = Effect.gen(function* () {
  const repo = yield* UsageRepo
  const subscriptions = yield* SubscriptionRepo
  const log = yield* EventLog
  const transactor = yield* Transactor

  /** Usage comes from the channel's systems: the platform, distributors and partners, not viewers. */
  const mayReport = (caller: Principal) =>
    Effect.zipRight(
      requireKind(caller, ["platform", "distributor", "partner"], "report usage"),
      requireWrite(caller)
    )

  /**
   * One batch (at most `MAX_USAGE_BATCH`): decoded and checked record by record, the context
   * loaded in one query, the good records inserted in one statement, the drafts of their periods
   * flagged and the thresholds they crossed raised, all in one transaction. `offset` is the
   * position of the batch's first record in the whole input, for the rejections' indexes.
   */
  const ingestBatch = (caller: Principal, raw: ReadonlyArray<unknown>, offset: number) =>
    Effect.gen(function* () {
      const now = yield* DateTime.now
      const latest = DateTime.add(now, FUTURE_TOLERANCE)
      const rejected: Array<UsageRejection> = []
      const reject = (index: number, code: RejectionCode, message: string) => {
        rejected.push(new UsageRejection({ index: offset + index, code, message }))
      }

      const decoded: Array<{ readonly index: number; readonly input: UsageRecordInput }> = []
      raw.forEach((item, index) =>
        Either.match(decodeRecord(item, { errors: "first" }), {
          onLeft: (error) => reject(index, "invalid_record", describeInvalid(error)),
          onRight: (input) => {
            if (BigDecimal.isNegative(input.quantity)) {
              reject(index, "invalid_quantity", "quantity: must not be negative")
            } else if (DateTime.greaterThan(input.occurred_at, latest)) {
              reject(index, "future_timestamp", `occurred_at: ${iso(input.occurred_at)} is more than 5 minutes ahead of now`)
            } else {
              decoded.push({ index, input })
            }
          }
        }))

      const finish = (accepted: number, duplicates: number) =>
        new IngestResult({ accepted, duplicates, rejected: Arr.sort(rejected, byIndex) })
      if (decoded.length === 0) return finish(0, 0)

      const since = decoded.reduce((min, { input }) => DateTime.min(min, input.occurred_at), decoded[0]!.input.occurred_at)
      const context = yield* repo.loadBatchContext(
        [...new Set(decoded.map(({ input }) => input.subscription_id))],
        [...new Set(decoded.map(({ input }) => input.sku_id))],
        since
      )
      const subscriptionById = new Map(context.subscriptions.map((s) => [s.id, s]))
      const skuByRef = new Map<string, UsageSku>()
      for (const sku of context.skus) {
        skuByRef.set(sku.id, sku)
        skuByRef.set(sku.code.toLowerCase(), sku)
      }
      const invoiceStatusOf = new Map(
        context.billed_periods.map((p) => [periodKey(p.subscription_id, p.period_start), p.invoice_status])
      )

      const candidates: Array<Candidate> = []
      for (const { index, input } of decoded) {
        const subscription = subscriptionById.get(input.subscription_id)
        // Missing and out of scope read the same: the caller learns nothing about others' subscriptions.
        if (subscription === undefined || !canReach(caller, subscription.lineage)) {
          reject(index, "unknown_subscription", `subscription_id: subscription ${input.subscription_id} not found`)
          continue
        }
        const sku = skuByRef.get(input.sku_id) ?? skuByRef.get(input.sku_id.toLowerCase())
        if (sku === undefined || !subscription.sku_ids.includes(sku.id)) {
          reject(
            index,
            "unknown_sku",
            sku === undefined
              ? `sku_id: SKU ${input.sku_id} not found`
              : `sku_id: SKU ${input.sku_id} is not metered under the plan of subscription ${subscription.id}`
          )
          continue
        }
        const at = input.occurred_at
        // Usage is usually stamped to the second: a record of the second the subscription
        // started is inside it.
        if (DateTime.lessThan(at, DateTime.startOf(subscription.started_at, "second"))) {
          reject(index, "outside_subscription", `occurred_at: ${iso(at)} is before subscription ${subscription.id} started (${iso(subscription.started_at)})`)
          continue
        }
        if (subscription.ended_at !== null && DateTime.greaterThanOrEqualTo(at, subscription.ended_at)) {
          reject(index, "outside_subscription", `occurred_at: ${iso(at)} is after subscription ${subscription.id} ended (${iso(subscription.ended_at)})`)
          continue
        }
        const periodStart = periodStartOf(subscription, at)
        const status = invoiceStatusOf.get(periodKey(subscription.id, periodStart))
        if (status !== undefined && status !== "draft") {
          reject(index, "period_closed", closedMessage(subscription.id, periodStart))
          continue
        }
        candidates.push({
          index,
          subscription,
          sku,
          record: {
            customer_id: subscription.customer_id,
            transaction_id: input.transaction_id,
            subscription_id: subscription.id,
            sku_id: sku.id,
            quantity: input.quantity,
            occurred_at: at,
            period_start: periodStart
          }
        })
      }
      if (candidates.length === 0) return finish(0, 0)

      return yield* transactor.withTransaction(Effect.gen(function* () {
        // Periods a draft invoice already billed: lock those drafts first, so none is finalized
        // while this usage joins its period; one finalized since the load above closes it.
        const lateBefore = DateTime.add(now, LATE_MARGIN)
        const late = candidates.filter((c) =>
          DateTime.lessThanOrEqualTo(c.subscription.current_period_end, lateBefore) ||
          DateTime.lessThan(c.record.period_start, c.subscription.current_period_start)
        )
        if (late.length > 0) {
          // Read again under the lock: a run may have billed these periods since the load.
          const periods = late.map((c) => ({ subscription_id: c.record.subscription_id, period_start: c.record.period_start }))
          const billed = yield* repo.lockLatePeriods([...new Set(late.map((c) => c.subscription.id))], periods)
          for (const { index, invoice_status } of billed) {
            const period = periods[index]!
            invoiceStatusOf.set(periodKey(period.subscription_id, period.period_start), invoice_status)
          }
        }
        const inDraft = [...new Map(
          candidates
            .filter((c) => invoiceStatusOf.get(periodKey(c.record.subscription_id, c.record.period_start)) === "draft")
            .map((c) => [
              periodKey(c.record.subscription_id, c.record.period_start),
              { subscription_id: c.record.subscription_id, period_start: c.record.period_start }
            ] as const)
        ).values()]
        const draftInvoiceOf = new Map<string, string>()
        if (inDraft.length > 0) {
          for (const { index, invoice_id } of yield* repo.lockDraftPeriods(inDraft)) {
            const period = inDraft[index]!
            draftInvoiceOf.set(periodKey(period.subscription_id, period.period_start), invoice_id)
          }
        }
        const insertable = candidates.filter((c) => {
          const key = periodKey(c.record.subscription_id, c.record.period_start)
          const status = invoiceStatusOf.get(key)
          if (status !== undefined && (status !== "draft" || !draftInvoiceOf.has(key))) {
            reject(c.index, "period_closed", closedMessage(c.record.subscription_id, c.record.period_start))
            return false
          }
          return true
        })
        if (insertable.length === 0) return finish(0, 0)

        const inserted = (yield* repo.insertRecords(insertable.map((c) => c.record), now)).map((i) => insertable[i]!)

        const rerate = [...new Set(
          inserted.flatMap((c) => {
            const invoice = draftInvoiceOf.get(periodKey(c.record.subscription_id, c.record.period_start))
            return invoice === undefined ? [] : [invoice]
          })
        )]
        if (rerate.length > 0) yield* repo.flagForRerate(rerate)

        yield* raiseThresholds(inserted)
        return finish(inserted.length, insertable.length - inserted.length)
      }))
    })

  /**
   * Each threshold of a SKU crossed by the new records, once per subscription, SKU and period:
   * the groups are held while their totals are read (so two batches of one group count each
   * other), and a crossing recorded before is not raised again.
   */
  const raiseThresholds = (inserted: ReadonlyArray<Candidate>) =>
    Effect.gen(function* () {
      const groups = new Map<string, { group: UsageGroup; added: BigDecimal.BigDecimal; first: Candidate }>()
      for (const c of inserted) {
        if (c.sku.thresholds.length === 0) continue
        const group = { subscription_id: c.record.subscription_id, sku_id: c.record.sku_id, period_start: c.record.period_start }
        const key = groupKey(group)
        const known = groups.get(key)
        groups.set(key, {
          group,
          added: known === undefined ? c.record.quantity : BigDecimal.sum(known.added, c.record.quantity),
          first: known?.first ?? c
        })
      }
      if (groups.size === 0) return
      const entries = [...groups.values()]
      const totals = yield* repo.addToTotals(entries.map((e) => ({ ...e.group, added: e.added })))
      const crossings: Array<ThresholdCrossing> = []
      const events: Array<StoredEvent> = []
      for (const [i, { added, first, group }] of entries.entries()) {
        const after = totals[i]!
        for (const threshold of crossedThresholds(first.sku.thresholds, BigDecimal.subtract(after, added), after)) {
          const event = yield* newEvent(
            "usage.threshold_crossed",
            { customer_id: first.subscription.customer_id, lineage: first.subscription.lineage },
            {
              subscription_id: group.subscription_id,
              customer_id: first.subscription.customer_id,
              sku_id: group.sku_id,
              sku_code: first.sku.code,
              threshold,
              period_start: iso(group.period_start),
              usage: formatDecimal(BigDecimal.normalize(after))
            }
          )
          events.push(event)
          crossings.push({ ...group, threshold, event_id: event.event.id })
        }
      }
      if (crossings.length === 0) return
      const recorded = new Set(yield* repo.insertCrossings(crossings, yield* DateTime.now))
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
    const stream: Stream.Stream<unknown, E, R> = Array.isArray(records)
      ? Stream.fromIterable(records as ReadonlyArray<unknown>)
      : records as Stream.Stream<unknown, E, R>
    return Effect.zipRight(
      mayReport(caller),
      stream.pipe(
        Stream.grouped(MAX_USAGE_BATCH),
        Stream.zipWithIndex,
        // A few batches at once, each its own transaction on its own connection: the database
        // works on one while the next is decoded and checked. Inserts take their keys in order,
        // so two batches never wait on each other in a cycle.
        Stream.mapEffect(([chunk, n]) => ingestBatch(caller, Chunk.toReadonlyArray(chunk), n * MAX_USAGE_BATCH), {
          concurrency: CONCURRENT_BATCHES
        }),
        Stream.runFold(emptyResult, addResults)
      )
    )
  }

  const summary = (caller: Principal, query: UsageSummaryQuery) =>
    Effect.gen(function* () {
      const stored = yield* subscriptions.findById(query.subscription_id)
      if (Option.isNone(stored) || !canReach(caller, stored.value.lineage)) {
        return yield* NotFound.of("subscription", query.subscription_id)
      }
      if (query.from !== undefined && query.to !== undefined && !DateTime.lessThan(query.from, query.to)) {
        return yield* ValidationError.of("to", "must be after from")
      }
      const totals = yield* repo.summary(query)
      return new UsageSummary({
        subscription_id: query.subscription_id,
        group_by: query.group_by,
        from: query.from ?? null,
        to: query.to ?? null,
        totals
      })
    })

  return { ingest, summary } as const
})

type IngestError = Forbidden | PersistenceError

const byIndex = (a: UsageRejection, b: UsageRejection) => (a.index < b.index ? -1 : a.index > b.index ? 1 : 0)

const closedMessage = (subscriptionId: string, periodStart: DateTime.Utc) =>
  `occurred_at: the period of subscription ${subscriptionId} starting ${iso(periodStart)} is invoiced and closed`

export class UsageService extends Context.Tag("@provisio/core/UsageService")<
  UsageService,
  Effect.Effect.Success<typeof make>
>() {
  static readonly layer = Layer.effect(UsageService, make)
}
