import * as DateTime from "effect/DateTime"
import { isUtc, localParts, periodAt, periodBounds, zone } from "../subscriptions/periods.js"
import type { BillableSubscription, SubscriptionPeriod } from "./build.js"

/** Calendar months in a time zone, and the subscription periods billed in them: pure, no clock. */

/** The first instant of a calendar month (`month` 1..12, may be 13: January of the next year) in `tz`. */
const monthStart = (year: number, month: number, tz: DateTime.TimeZone.Named): DateTime.Utc => {
  const y = month === 13 ? year + 1 : year
  const m = month === 13 ? 1 : month
  if (isUtc(tz)) return DateTime.unsafeMake({ year: y, month: m, day: 1 })
  return DateTime.toUtc(DateTime.unsafeMakeZoned({ year: y, month: m, day: 1 }, {
    timeZone: tz,
    adjustForTimeZone: true,
    disambiguation: "compatible"
  }))
}

export interface MonthBounds {
  readonly start: DateTime.Utc
  readonly end: DateTime.Utc
}

/** The calendar month `YYYY-MM` in `timeZone`, half-open: its first instant to the next month's first. */
export const monthBounds = (month: string, timeZone: string): MonthBounds => {
  const year = Number(month.slice(0, 4))
  const monthNumber = Number(month.slice(5, 7))
  const tz = zone(timeZone)
  return { start: monthStart(year, monthNumber, tz), end: monthStart(year, monthNumber + 1, tz) }
}

/**
 * `monthBounds`, remembered: a run asks for the same month in the same few zones for every
 * subscription of a chunk. One per use (a chunk), so nothing outlives it.
 */
export const monthBoundsMemo = (): typeof monthBounds => {
  const known = new Map<string, MonthBounds>()
  return (month, timeZone) => {
    const key = `${month} ${timeZone}`
    let bounds = known.get(key)
    if (bounds === undefined) {
      bounds = monthBounds(month, timeZone)
      known.set(key, bounds)
    }
    return bounds
  }
}

/** The month (`YYYY-MM`) a period ending at `end` is billed in: the one with `end` in (its start, its end]. */
export const billingMonthOf = (end: DateTime.Utc, timeZone: string): string => {
  const parts = localParts(DateTime.subtract(end, { millis: 1 }), zone(timeZone))
  return `${String(parts.year).padStart(4, "0")}-${String(parts.month).padStart(2, "0")}`
}

/**
 * The period of `subscription` billed in `month`: the one whose end lies in (start of the month,
 * end of the month] in the subscription's time zone. None when no period ends in that month (a
 * yearly plan's other months, or a subscription that starts later).
 */
export const periodEndingIn = (
  subscription: BillableSubscription,
  month: string,
  boundsOf: typeof monthBounds = monthBounds
): SubscriptionPeriod | undefined => {
  const { anchor, interval, time_zone } = subscription
  const bounds = boundsOf(month, time_zone)
  // The period containing the month's end; the one before it ends at its start.
  const containing = periodAt(anchor, time_zone, interval, bounds.end)
  if (containing.index === 0 || !DateTime.greaterThan(containing.start, bounds.start)) return undefined
  // It ends where the containing one starts.
  const { start } = periodBounds(anchor, time_zone, interval, containing.index - 1)
  return { index: containing.index - 1, start, end: containing.start }
}

/** The period of `subscription` containing `at` (the preview's "current" period). */
export const periodContaining = (subscription: BillableSubscription, at: DateTime.Utc): SubscriptionPeriod =>
  periodAt(subscription.anchor, subscription.time_zone, subscription.interval, at)
