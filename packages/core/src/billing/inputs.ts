import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import type { BillableSubscription, HistoryRow, PlanPrice, SkuPricing, SubscriptionPeriod, UsageToRate } from "./build.js"
import { monthBounds } from "./months.js"
import { BillingInputRepo, type PeriodKey, type PricedHistoryRow, type UsageTotal } from "./ports.js"

/** Reading what build.ts needs for a set of subscription periods, and indexing it. */

/** A map key of two strings. */
export const key = (a: string, b: string) => `${a}\u0000${b}`

/** build.ts's inputs for a set of subscription periods, indexed by subscription and period. */
export interface BillingInputs {
  readonly historyOf: (subscriptionId: string) => ReadonlyArray<HistoryRow>
  readonly usageOf: (subscriptionId: string, start: DateTime.Utc) => ReadonlyArray<UsageToRate>
  /**
   * The plan prices of one subscription's period: its customer's (price lists resolved, docs/channel.md),
   * which differ from one customer to the next.
   */
  readonly planPriceFor: (subscriptionId: string) => (planId: string, version: number) => PlanPrice
}

const planKey = (subscriptionId: string, planId: string, version: number) => `${subscriptionId}\u0000${planId}\u0000${version}`

/** The history, usage totals and SKUs of a set of periods, indexed. */
export const indexInputs = (
  history: ReadonlyArray<PricedHistoryRow>,
  usage: ReadonlyArray<UsageTotal>,
  skus: ReadonlyArray<SkuPricing>
): BillingInputs => {
  const rows = new Map<string, Array<HistoryRow>>()
  const plans = new Map<string, PlanPrice>()
  for (const h of history) {
    const list = rows.get(h.subscription_id) ?? []
    list.push(h.row)
    rows.set(h.subscription_id, list)
    plans.set(planKey(h.subscription_id, h.plan.plan_id, h.plan.version), h.plan)
  }
  const skuById = new Map(skus.map((s) => [s.id, s]))
  const usageOf = new Map<string, Array<UsageToRate>>()
  for (const u of usage) {
    const sku = u.pricing ?? skuById.get(u.sku_id)
    if (sku === undefined) continue
    const k = key(u.subscription_id, String(DateTime.toEpochMillis(u.period_start)))
    const list = usageOf.get(k) ?? []
    list.push(u.costs === undefined ? { sku, quantity: u.quantity } : { sku, quantity: u.quantity, costs: u.costs })
    usageOf.set(k, list)
  }
  return {
    historyOf: (subscriptionId) => rows.get(subscriptionId) ?? [],
    usageOf: (subscriptionId, start) => usageOf.get(key(subscriptionId, String(DateTime.toEpochMillis(start)))) ?? [],
    planPriceFor: (subscriptionId) => (planId, version) => {
      const plan = plans.get(planKey(subscriptionId, planId, version))
      if (plan === undefined) throw new RangeError(`plan ${planId} v${version} has no stored version`)
      return plan
    }
  }
}

/** build.ts's inputs for these periods: the history given, their usage totals and the SKUs pricing them. */
export const inputsWithUsage = (periods: ReadonlyArray<PeriodKey>, history: ReadonlyArray<PricedHistoryRow>) =>
  Effect.gen(function* () {
    const reads = yield* BillingInputRepo
    const usage = yield* reads.usageOf(periods)
    // SKUs a price list prices for the customer come with their usage; the catalog prices the rest.
    return indexInputs(history, usage, yield* reads.skus([...new Set(usage.filter((u) => u.pricing === undefined).map((u) => u.sku_id))]))
  })

export const periodKey = (subscription: BillableSubscription, period: SubscriptionPeriod): PeriodKey => ({
  subscription_id: subscription.id,
  period_start: period.start,
  period_end: period.end
})

/** How far back a period ending in a month may start (a yearly one), with a day of slack for time zones. */
export const searchWindow = (month: string) => {
  const bounds = monthBounds(month, "UTC")
  return {
    from: DateTime.subtract(bounds.start, { days: 368 }),
    to: DateTime.add(bounds.end, { days: 2 })
  }
}
