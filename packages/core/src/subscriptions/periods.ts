import * as DateTime from "effect/DateTime"

/**
 * Billing periods of a subscription (issue 5): pure rules, no clock and no storage.
 *
 * A subscription's periods are anchored on the LOCAL wall-clock date and time at which it started,
 * in the customer's IANA time zone (`"UTC"` when the customer has none). Period `k` starts `k`
 * intervals after the anchor, on the anchor's local day-of-month and local time-of-day:
 *
 * - Month-end clamping: the day is clamped to the last day of the target month, and every start is
 *   computed from the anchor, never from the previous (clamped) start. A subscription started on
 *   Jan 31 renews Feb 28 (Feb 29 in a leap year), then Mar 31, Apr 30, May 31, ... A yearly one
 *   started on Feb 29 renews on Feb 28 in common years and on Feb 29 in leap years.
 * - Daylight-saving gap (spring forward): a local time that does not exist that day is moved
 *   forward by the length of the gap, as Temporal's "compatible" disambiguation does: 02:30 on
 *   8 Mar 2026 in America/New_York becomes 03:30 EDT (the same instant as 02:30 EST would be). The
 *   next period goes back to 02:30: only the period starting on that day is shifted.
 * - Daylight-saving overlap (fall back): a local time that happens twice that day resolves to the
 *   earlier of the two instants (01:30 on 1 Nov 2026 in America/New_York is 01:30 EDT, 05:30 UTC).
 * - Period 0 starts at the anchor instant itself, even when the anchor is the later of two
 *   ambiguous instants.
 *
 * `end` of period `k` is `start` of period `k + 1`: periods are half-open `[start, end)`,
 * contiguous and strictly increasing.
 *
 * Programming errors throw: an unknown time zone (`IllegalArgumentException`, from
 * `DateTime.zoneUnsafeMakeNamed`; validate customer input with `isValidTimeZone` from
 * `shared/time`), a negative or fractional index, a commitment that is not a positive whole number
 * of intervals (`RangeError`).
 */

export type BillingInterval = "month" | "year"

/** A billing period, half-open: `start` is in it, `end` (the next period's start) is not. */
export interface BillingPeriod {
  readonly start: DateTime.Utc
  readonly end: DateTime.Utc
}

const intervalMonths = (interval: BillingInterval): number => (interval === "year" ? 12 : 1)

// A named zone holds an `Intl.DateTimeFormat`, slow to make: one per zone name, made once.
const zones = new Map<string, DateTime.TimeZone.Named>()
export const zone = (timeZone: string): DateTime.TimeZone.Named => {
  let named = zones.get(timeZone)
  if (named === undefined) {
    named = DateTime.zoneUnsafeMakeNamed(timeZone)
    zones.set(timeZone, named)
  }
  return named
}

/** The wall-clock parts of `instant` in `tz`. */
// UTC has no offsets to look up: most customers are in it, so it skips `Intl` altogether.
export const isUtc = (tz: DateTime.TimeZone): boolean => tz._tag === "Named" && (tz.id === "UTC" || tz.id === "Etc/UTC")

export const localParts = (instant: DateTime.Utc, tz: DateTime.TimeZone): DateTime.DateTime.PartsWithWeekday =>
  isUtc(tz) ? DateTime.toPartsUtc(instant) : DateTime.toParts(DateTime.unsafeMakeZoned(instant, { timeZone: tz }))

/**
 * Epoch milliseconds of a UTC wall-clock time (`month` 1..12). Not `Date.UTC`, which reads years
 * 0..99 as 1900..1999.
 */
const utcMillis = (year: number, month: number, day: number, hours = 0, minutes = 0, seconds = 0, millis = 0): number => {
  if (year >= 100) return Date.UTC(year, month - 1, day, hours, minutes, seconds, millis)
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hours, minutes, seconds, millis)
  return date.getTime()
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** 28..31: the number of days of a calendar month (`month` 1..12), proleptic Gregorian as `Date`. */
const daysInMonth = (year: number, month: number): number =>
  month === 2 && ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0) ? 29 : MONTH_DAYS[month - 1]!

const DAY_MILLIS = 24 * 60 * 60 * 1000

/** The local calendar date of `instant` in `tz`, as a day number (days since 1970-01-01). */
const localDayNumber = (instant: DateTime.Utc, tz: DateTime.TimeZone): number => {
  if (isUtc(tz)) return Math.floor(DateTime.toEpochMillis(instant) / DAY_MILLIS)
  const { day, month, year } = localParts(instant, tz)
  return Math.round(utcMillis(year, month, day) / DAY_MILLIS)
}

const requireIndex = (index: number): void => {
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new RangeError(`A billing period index is a whole number >= 0, got ${index}`)
  }
}

/**
 * The start of period `index` (`index >= 0`) of the periods anchored on `anchor` in `tz`:
 * the anchor's local day (clamped to the month's end) and time, `index` intervals later.
 */
const periodStart = (
  anchor: DateTime.Utc,
  tz: DateTime.TimeZone.Named,
  interval: BillingInterval,
  index: number
): DateTime.Utc => {
  if (index === 0) return anchor
  const local = localParts(anchor, tz)
  const months = local.month - 1 + index * intervalMonths(interval)
  const year = local.year + Math.floor(months / 12)
  const month = (months % 12) + 1
  const day = Math.min(local.day, daysInMonth(year, month))
  if (isUtc(tz)) {
    return DateTime.unsafeMake(utcMillis(year, month, day, local.hours, local.minutes, local.seconds, local.millis))
  }
  const start = DateTime.unsafeMakeZoned(
    { year, month, day, hours: local.hours, minutes: local.minutes, seconds: local.seconds, millis: local.millis },
    // "compatible": a time in a gap moves forward by the gap, a repeated time takes the earlier instant.
    { timeZone: tz, adjustForTimeZone: true, disambiguation: "compatible" }
  )
  return DateTime.toUtc(start)
}

/**
 * Period number `index` (0 = the first) of a subscription that started at `anchor`, billed every
 * `interval`, for a customer in the IANA time zone `timeZone`. See the module comment for the
 * rules (local anchoring, month-end clamping, daylight-saving gaps and overlaps).
 */
export const periodBounds = (
  anchor: DateTime.Utc,
  timeZone: string,
  interval: BillingInterval,
  index: number
): { start: DateTime.Utc; end: DateTime.Utc } => {
  requireIndex(index)
  const tz = zone(timeZone)
  return { start: periodStart(anchor, tz, interval, index), end: periodStart(anchor, tz, interval, index + 1) }
}

/**
 * The period containing `at` (`start <= at < end`). An `at` before the anchor gives period 0
 * (the subscription's first period, which has not started yet).
 */
export const periodAt = (
  anchor: DateTime.Utc,
  timeZone: string,
  interval: BillingInterval,
  at: DateTime.Utc
): { index: number; start: DateTime.Utc; end: DateTime.Utc } => {
  const tz = zone(timeZone)
  const from = localParts(anchor, tz)
  const to = localParts(at, tz)
  // A first guess from the local calendar months between the two; it is off by at most one.
  const months = (to.year - from.year) * 12 + (to.month - from.month)
  let index = Math.max(0, Math.floor(months / intervalMonths(interval)))
  let start = periodStart(anchor, tz, interval, index)
  while (index > 0 && DateTime.greaterThan(start, at)) {
    index -= 1
    start = periodStart(anchor, tz, interval, index)
  }
  let end = periodStart(anchor, tz, interval, index + 1)
  while (DateTime.lessThanOrEqualTo(end, at)) {
    index += 1
    start = end
    end = periodStart(anchor, tz, interval, index + 1)
  }
  return { index, start, end }
}

/**
 * Whole-day proration of `period` for the span `[from, to)`, counted by LOCAL calendar dates in
 * `timeZone` (the customer's, the same one the period was computed in).
 *
 * - `periodDays` is the number of local dates from the period start's date (included) to the
 *   period end's date (excluded): 28..31 for a month, 365 or 366 for a year.
 * - `from` and `to` are first clamped into `[period.start, period.end]`; `days` is then the number
 *   of local dates from `from`'s date (included: a day is charged in full however late in it the
 *   change happens) to `to`'s date (excluded). 0 when `to` is not after `from`.
 *
 * So a change at any time on Apr 10 of a period running Apr 1 -> May 1 charges the rest of the
 * period as 21/30 (Apr 10..Apr 30); one made on the period's first date charges `periodDays` in
 * full. Counts add up: `days(a, b) + days(b, c) = days(a, c)` for `a <= b <= c`, and
 * `days(start, end) = periodDays`. Both are integers: callers compute money with `BigDecimal`.
 */
export const prorationFraction = (
  period: { readonly start: DateTime.Utc; readonly end: DateTime.Utc },
  from: DateTime.Utc,
  to: DateTime.Utc,
  timeZone: string
): { days: number; periodDays: number } => {
  const tz = zone(timeZone)
  const clamp = DateTime.clamp({ minimum: period.start, maximum: period.end })
  const first = localDayNumber(period.start, tz)
  const periodDays = localDayNumber(period.end, tz) - first
  const fromDay = localDayNumber(clamp(from), tz)
  const toDay = localDayNumber(clamp(to), tz)
  return { days: Math.max(0, toDay - fromDay), periodDays }
}

/**
 * The installments of a committed plan billed every `interval`: `commitmentMonths /
 * intervalMonths` of them (12 months paid monthly: 12; 24 months paid yearly: 2), numbered from 1,
 * each due at the start of its period (installment 1 at the anchor). `commitmentMonths` must be a
 * positive whole number of intervals.
 */
export const installmentSchedule = (
  anchor: DateTime.Utc,
  timeZone: string,
  interval: BillingInterval,
  commitmentMonths: number
): Array<{ number: number; due: DateTime.Utc }> => {
  const step = intervalMonths(interval)
  if (!Number.isSafeInteger(commitmentMonths) || commitmentMonths < step || commitmentMonths % step !== 0) {
    const unit = step === 12 ? "years (12, 24, ... months)" : "months"
    throw new RangeError(
      `A commitment billed per ${interval} is a positive whole number of ${unit}, got ${commitmentMonths} months`
    )
  }
  const tz = zone(timeZone)
  return Array.from({ length: commitmentMonths / step }, (_, k) => ({
    number: k + 1,
    due: periodStart(anchor, tz, interval, k)
  }))
}
