import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import { INTERVAL_MONTHS, type Plan } from "../catalog/model.js"
import { type Money, multiplyMoney, roundMoney } from "../shared/money.js"
import { type Schedule, type StoredSubscription, Subscription } from "./model.js"
import { installmentSchedule, periodBounds } from "./periods.js"

/**
 * The life-cycle rules of a subscription that need no storage: its term, what happens when its
 * period ends, its installments. The service applies them; the scheduler calls `dueStep`.
 */

/** Billing periods per term: the commitment's (12 monthly periods for 12 months), else 1. */
export const periodsPerTerm = (schedule: Schedule): number =>
  schedule.commitment_months === null ? 1 : schedule.commitment_months / INTERVAL_MONTHS[schedule.interval]

/** 0 for the first term (the first commitment, or the first period of plans without one). */
export const termIndex = (schedule: Schedule): number => Math.floor(schedule.period_index / periodsPerTerm(schedule))

/** Whether the current period is the last of its term: where a subscription without auto-renew expires. */
export const endsTerm = (schedule: Schedule): boolean => (schedule.period_index + 1) % periodsPerTerm(schedule) === 0

/** What the end of a period did to a subscription. */
export type DueOutcome = "renewed" | "expired" | "cancelled"

/**
 * The subscription once its current period has ended (`current_period_end <= now`): cancelled if
 * that was asked for, expired at the end of its term when auto-renew is off, else renewed into
 * its next period. `undefined` when nothing is due.
 */
export const dueStep = (
  stored: StoredSubscription,
  now: DateTime.Utc
): { readonly outcome: DueOutcome; readonly stored: StoredSubscription } | undefined => {
  const { schedule, subscription } = stored
  if (subscription.status !== "active" || DateTime.greaterThan(subscription.current_period_end, now)) return undefined
  const end = subscription.current_period_end
  if (subscription.cancel_at_period_end) {
    return {
      outcome: "cancelled",
      stored: { ...stored, subscription: endWith(subscription, "cancelled", end, now) }
    }
  }
  if (!subscription.auto_renew && endsTerm(schedule)) {
    return {
      outcome: "expired",
      stored: { ...stored, subscription: endWith(subscription, "expired", end, now) }
    }
  }
  const next = schedule.period_index + 1
  const bounds = periodBounds(schedule.anchor, schedule.time_zone, schedule.interval, next)
  return {
    outcome: "renewed",
    stored: {
      ...stored,
      schedule: { ...schedule, period_index: next },
      subscription: new Subscription({
        ...subscription,
        current_period_start: bounds.start,
        current_period_end: bounds.end,
        updated_at: now
      })
    }
  }
}

/** The subscription ended at `at` (cancelled or expired); `now` is when the change is written. */
export const endWith = (
  subscription: Subscription,
  status: "cancelled" | "expired",
  at: DateTime.Utc,
  now: DateTime.Utc
): Subscription =>
  new Subscription({
    ...subscription,
    status,
    cancelled_at: status === "cancelled" ? at : subscription.cancelled_at,
    expired_at: status === "expired" ? at : subscription.expired_at,
    updated_at: now
  })

/** A plan's price for `quantity` units for one interval, rounded once. */
export const priceOf = (price: Money, quantity: number): Money =>
  roundMoney(multiplyMoney(price, BigDecimal.make(BigInt(quantity), 0)))

/** The current term of a committed subscription: its bounds and the due date of each installment. */
export const currentTerm = (schedule: Schedule) => {
  if (schedule.commitment_months === null) return undefined
  const perTerm = periodsPerTerm(schedule)
  const term = termIndex(schedule)
  const first = term * perTerm
  // installmentSchedule counts from the anchor; a later term's installments are the periods
  // of that term, computed from the same anchor so month-end clamping stays right.
  const installments = installmentSchedule(
    schedule.anchor,
    schedule.time_zone,
    schedule.interval,
    schedule.commitment_months
  ).map((installment) => ({
    number: installment.number,
    due: term === 0
      ? installment.due
      : periodBounds(schedule.anchor, schedule.time_zone, schedule.interval, first + installment.number - 1).start
  }))
  return {
    term: term + 1,
    start: periodBounds(schedule.anchor, schedule.time_zone, schedule.interval, first).start,
    end: periodBounds(schedule.anchor, schedule.time_zone, schedule.interval, first + perTerm - 1).end,
    installments
  }
}

/** The fields of a plan version a subscription's schedule copies. */
export const scheduleOf = (
  plan: Pick<Plan, "billing_interval" | "commitment_months">,
  anchor: DateTime.Utc,
  timeZone: string,
  periodIndex: number
): Schedule => ({
  anchor,
  time_zone: timeZone,
  interval: plan.billing_interval,
  period_index: periodIndex,
  commitment_months: plan.commitment_months
})
