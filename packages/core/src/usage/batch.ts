import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import type { Principal } from "../identity/model.js"
import { canReach } from "../identity/policy.js"
import { periodAt } from "../subscriptions/periods.js"
import {
  type NewUsageRecord,
  type RejectionCode,
  USAGE_BOUND,
  USAGE_BOUND_MESSAGE,
  type UsageBatchContext,
  type UsageSku,
  type UsageSubscription
} from "./model.js"
import { type ReadRecord, readRecord } from "./records.js"

/**
 * The pure part of ingesting a batch: each record read and checked against the clock, then
 * against its subscription, SKU and period as loaded in one query, into the candidates to insert.
 * The loops avoid per-record closures and `DateTime` arithmetic: this is the hot path of every door.
 */

/** How far ahead of the clock a record may be dated: the senders' clocks are not ours. */
const FUTURE_TOLERANCE_MILLIS = 5 * 60 * 1000

/**
 * A billing run may bill a period once it has ended. Usage for a period that has ended, or ends
 * within this margin, is late: it takes a share lock on its subscription, which a run holds
 * exclusively while it reads usage, so a period is never billed without usage committed for it.
 */
const LATE_MARGIN_MILLIS = 60 * 60 * 1000

export const iso = DateTime.formatIso
export const periodKey = (subscriptionId: string, periodStartMillis: number) => `${subscriptionId}|${periodStartMillis}`

export const closedMessage = (subscriptionId: string, periodStart: DateTime.Utc) =>
  `occurred_at: the period of subscription ${subscriptionId} starting ${iso(periodStart)} is invoiced and closed`

/** Records a rejection of the record at `index` in the batch. */
export type Reject = (index: number, code: RejectionCode, message: string) => void

/** A subscription of a batch with the instants its records are checked against, in epoch milliseconds. */
export interface SubscriptionCheck {
  readonly subscription: UsageSubscription
  /** Usage is usually stamped to the second: a record of the second it started is inside it. */
  readonly startedAt: number
  /** When it stopped; Infinity while it runs. */
  readonly endedAt: number
  readonly currentStart: number
  readonly currentEnd: number
  /**
   * Whether a record inside the current period belongs to it. An add-on's first period starts
   * when it was created, inside its parent's period, while billing counts that period from the
   * anchored start: then the period is computed from the anchor.
   */
  readonly fastPeriod: boolean
  /** Its current period has ended or ends within the late margin: its records are late. */
  readonly endsSoon: boolean
}

const subscriptionCheck = (s: UsageSubscription, nowMillis: number): SubscriptionCheck => {
  const currentStart = DateTime.toEpochMillis(s.current_period_start)
  const currentEnd = DateTime.toEpochMillis(s.current_period_end)
  return {
    subscription: s,
    startedAt: DateTime.toEpochMillis(DateTime.startOf(s.started_at, "second")),
    endedAt: s.ended_at === null ? Infinity : DateTime.toEpochMillis(s.ended_at),
    currentStart,
    currentEnd,
    fastPeriod: DateTime.Equivalence(s.current_period_start, s.billing_anchor) ||
      !DateTime.Equivalence(s.current_period_start, s.started_at),
    endsSoon: currentEnd <= nowMillis + LATE_MARGIN_MILLIS
  }
}

export interface Candidate {
  /** Position in the batch. */
  readonly index: number
  /** Its subscription period (`periodKey`). */
  readonly key: string
  /** Its period has ended, ends soon or is billed by a draft: `lateChecks` decides. */
  readonly late: boolean
  readonly record: NewUsageRecord
  readonly subscription: UsageSubscription
}

/** The records that read well and are not dated in the future, and what to load for them. */
export const readBatch = (raw: ReadonlyArray<unknown>, nowMillis: number, reject: Reject) => {
  const latest = nowMillis + FUTURE_TOLERANCE_MILLIS
  const decoded: Array<{ readonly index: number; readonly input: ReadRecord }> = []
  const subscriptionIds = new Set<string>()
  const skuRefs = new Set<string>()
  let since = Infinity
  for (let index = 0; index < raw.length; index++) {
    const read = readRecord(raw[index])
    if (Either.isLeft(read)) {
      reject(index, "invalid_record", read.left)
      continue
    }
    const input = read.right
    const at = DateTime.toEpochMillis(input.occurred_at)
    if (BigDecimal.isNegative(input.quantity)) {
      reject(index, "invalid_quantity", "quantity: must not be negative")
    } else if (BigDecimal.greaterThanOrEqualTo(input.quantity, USAGE_BOUND)) {
      reject(index, "invalid_quantity", `quantity: ${USAGE_BOUND_MESSAGE}`)
    } else if (at > latest) {
      reject(index, "future_timestamp", `occurred_at: ${iso(input.occurred_at)} is more than 5 minutes ahead of now`)
    } else {
      decoded.push({ index, input })
      subscriptionIds.add(input.subscription_id)
      skuRefs.add(input.sku_id)
      if (at < since) since = at
    }
  }
  return { decoded, subscriptionIds, skuRefs, since }
}

/** The subscription checks of a batch (null: out of the caller's scope) and its SKUs by id and code. */
const indexContext = (caller: Principal, context: UsageBatchContext, nowMillis: number) => {
  const checks = new Map<string, SubscriptionCheck | null>()
  for (const s of context.subscriptions) checks.set(s.id, canReach(caller, s.lineage) ? subscriptionCheck(s, nowMillis) : null)
  const skuByRef = new Map<string, UsageSku>()
  for (const sku of context.skus) {
    skuByRef.set(sku.id, sku)
    skuByRef.set(sku.code.toLowerCase(), sku)
  }
  const invoiceStatusOf = new Map<string, string>()
  for (const p of context.billed_periods) {
    invoiceStatusOf.set(periodKey(p.subscription_id, DateTime.toEpochMillis(p.period_start)), p.invoice_status)
  }
  return { checks, skuByRef, invoiceStatusOf }
}

/**
 * Each read record checked against its subscription (in scope, running at its date), its SKU
 * (metered under the plan) and its period (not invoiced and closed), into a candidate; whether
 * any is late (`lateChecks` locks and reads those again in the transaction).
 */
export const planBatch = (
  caller: Principal,
  decoded: ReadonlyArray<{ readonly index: number; readonly input: ReadRecord }>,
  context: UsageBatchContext,
  nowMillis: number,
  reject: Reject
) => {
  const { checks, invoiceStatusOf, skuByRef } = indexContext(caller, context, nowMillis)
  const candidates: Array<Candidate> = []
  let late = false
  for (const { index, input } of decoded) {
    // Missing and out of scope read the same: the caller learns nothing about others' subscriptions.
    const check = checks.get(input.subscription_id)
    if (check === undefined || check === null) {
      reject(index, "unknown_subscription", `subscription_id: subscription ${input.subscription_id} not found`)
      continue
    }
    const subscription = check.subscription
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
    const at = DateTime.toEpochMillis(input.occurred_at)
    if (at < check.startedAt) {
      reject(index, "outside_subscription", `occurred_at: ${iso(input.occurred_at)} is before subscription ${subscription.id} started (${iso(subscription.started_at)})`)
      continue
    }
    if (at >= check.endedAt) {
      reject(index, "outside_subscription", `occurred_at: ${iso(input.occurred_at)} is after subscription ${subscription.id} ended (${iso(subscription.ended_at!)})`)
      continue
    }
    const periodStart = check.fastPeriod && at >= check.currentStart && at < check.currentEnd
      ? subscription.current_period_start
      : periodAt(subscription.billing_anchor, subscription.time_zone, subscription.billing_interval, input.occurred_at).start
    const key = periodKey(subscription.id, DateTime.toEpochMillis(periodStart))
    const status = invoiceStatusOf.get(key)
    if (status !== undefined && status !== "draft") {
      reject(index, "period_closed", closedMessage(subscription.id, periodStart))
      continue
    }
    const isLate = check.endsSoon || DateTime.toEpochMillis(periodStart) < check.currentStart || status === "draft"
    if (isLate) late = true
    candidates.push({
      index,
      key,
      late: isLate,
      subscription,
      record: {
        customer_id: subscription.customer_id,
        transaction_id: input.transaction_id,
        subscription_id: subscription.id,
        sku_id: sku.id,
        quantity: input.quantity,
        occurred_at: input.occurred_at,
        period_start: periodStart
      }
    })
  }
  return { candidates, checks, invoiceStatusOf, late }
}
