import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import { type PushOutcome, PushTransportError } from "./push.js"

/**
 * What happens after a delivery attempt (API.md, "Outbound push"): a 2xx is delivered; 408, 429,
 * 5xx, time-outs and connection errors are retried with exponential backoff and full jitter,
 * honouring `Retry-After`, along a schedule; any other answer, or the schedule's end, is dead.
 * Pure, but for the random draw, which comes from Effect's `Random` (seeded in tests).
 */

// Classification --------------------------------------------------------------------------------

export type Verdict = Data.TaggedEnum<{
  /** A 2xx: an acknowledgement (`configuration` null) or a service configuration. */
  Delivered: { readonly configuration: Record<string, unknown> | null }
  /** Worth another attempt; `retry_after` is the receiver's `Retry-After` in seconds, if any. */
  Retry: { readonly reason: string; readonly retry_after: number | null }
  /** Never worth another attempt. */
  Dead: { readonly reason: string }
}>

export const Verdict = Data.taggedEnum<Verdict>()

/** Statuses that say "later": request timeout, too many requests, and every 5xx. */
export const isRetryableStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500

export const classify = (outcome: PushOutcome): Verdict => {
  if (outcome instanceof PushTransportError) {
    return Verdict.Retry({
      reason: outcome.kind === "timeout" ? `no answer in time (${outcome.message})` : `connection failed (${outcome.message})`,
      retry_after: null
    })
  }
  if (outcome.status >= 200 && outcome.status < 300) return Verdict.Delivered({ configuration: outcome.configuration })
  if (isRetryableStatus(outcome.status)) {
    return Verdict.Retry({ reason: `answered ${outcome.status}`, retry_after: outcome.retry_after })
  }
  // Other 4xx (the receiver refuses the call as it is), and 1xx/3xx (a receiver must answer at its URL).
  return Verdict.Dead({ reason: `answered ${outcome.status}` })
}

// Retry-After -----------------------------------------------------------------------------------

/**
 * A `Retry-After` header in whole seconds from `nowMillis`: delta-seconds as given, an HTTP date
 * as the seconds until it (0 when past). Null when absent or unreadable.
 */
export const parseRetryAfter = (value: string | null | undefined, nowMillis: number): number | null => {
  if (value === null || value === undefined) return null
  const text = value.trim()
  if (/^\d{1,10}$/.test(text)) return Number(text)
  if (!/[a-z]/i.test(text)) return null
  const at = Date.parse(text)
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - nowMillis) / 1000))
}

// The schedule ------------------------------------------------------------------------------------

/**
 * The base delay before each retry: the first retry waits up to `schedule[0]` after the first
 * attempt, and so on. A delivery gets `schedule.length + 1` attempts; a failure after the last is
 * dead. Bases never decrease, and the last is the cap no delay exceeds.
 */
export interface RetryPolicy {
  readonly schedule: ReadonlyArray<Duration.Duration>
}

/** About three days: 30s, 2m, 10m, 30m, 1h, 3h, 6h, 12h, 24h, 24h (2 days 22 h 42 min 30 s in all), then dead. */
export const DEFAULT_RETRY_SCHEDULE: ReadonlyArray<Duration.Duration> = [
  Duration.seconds(30),
  Duration.minutes(2),
  Duration.minutes(10),
  Duration.minutes(30),
  Duration.hours(1),
  Duration.hours(3),
  Duration.hours(6),
  Duration.hours(12),
  Duration.hours(24),
  Duration.hours(24)
]

export const DEFAULT_RETRY_POLICY: RetryPolicy = { schedule: DEFAULT_RETRY_SCHEDULE }

/** The longest delay the policy ever waits (its last, largest base). */
export const retryCap = (policy: RetryPolicy): Duration.Duration =>
  policy.schedule.reduce((max, d) => Duration.max(max, d), Duration.zero)

export const maxAttempts = (policy: RetryPolicy): number => policy.schedule.length + 1

/** The base delay after failed attempt `attempt` (1 = the first), or none when the schedule is spent. */
export const baseDelay = (policy: RetryPolicy, attempt: number): Option.Option<Duration.Duration> =>
  Option.fromNullable(policy.schedule[attempt - 1])

/** No retry comes sooner than this (or the base, when smaller): a draw near 0 is not a hot loop. */
export const MIN_DELAY = Duration.seconds(1)

/**
 * The delay after failed attempt `attempt`, given a uniform draw `unit` in [0, 1): full jitter
 * over the attempt's base (from `MIN_DELAY` up to the base), raised to `Retry-After` when that is
 * larger, and never past the cap. None when the schedule is spent (the delivery is dead).
 */
export const retryDelay = (
  policy: RetryPolicy,
  attempt: number,
  unit: number,
  retryAfterSeconds?: number | null
): Option.Option<Duration.Duration> =>
  Option.map(baseDelay(policy, attempt), (base) => {
    const baseMillis = Duration.toMillis(base)
    const floor = Math.min(Duration.toMillis(MIN_DELAY), baseMillis)
    let millis = Math.floor(floor + unit * (baseMillis - floor))
    if (retryAfterSeconds !== null && retryAfterSeconds !== undefined) millis = Math.max(millis, retryAfterSeconds * 1000)
    return Duration.millis(Math.min(millis, Duration.toMillis(retryCap(policy))))
  })

/** When to try again after failed attempt `attempt` at `now`, or none when it is dead. The draw comes from `Random`. */
export const nextAttemptAt = (
  policy: RetryPolicy,
  attempt: number,
  now: DateTime.Utc,
  retryAfterSeconds?: number | null
): Effect.Effect<Option.Option<DateTime.Utc>> =>
  Effect.map(Random.next, (unit) =>
    Option.map(retryDelay(policy, attempt, unit, retryAfterSeconds), (delay) => DateTime.addDuration(now, delay)))

export type Decision = Data.TaggedEnum<{
  Delivered: { readonly configuration: Record<string, unknown> | null }
  RetryAt: { readonly at: DateTime.Utc; readonly reason: string }
  Dead: { readonly reason: string }
}>

export const Decision = Data.taggedEnum<Decision>()

/** The whole rule for one attempt's outcome: classify it, then schedule the retry or give up. */
export const decide = (policy: RetryPolicy, attempt: number, outcome: PushOutcome, now: DateTime.Utc) =>
  Verdict.$match(classify(outcome), {
    Delivered: ({ configuration }) => Effect.succeed(Decision.Delivered({ configuration })),
    Dead: ({ reason }) => Effect.succeed(Decision.Dead({ reason })),
    Retry: ({ reason, retry_after }) =>
      Effect.map(nextAttemptAt(policy, attempt, now, retry_after), Option.match({
        onNone: () => Decision.Dead({ reason: `gave up after ${attempt} attempts; the last ${reason}` }),
        onSome: (at) => Decision.RetryAt({ at, reason })
      }))
  })

// Configuration ---------------------------------------------------------------------------------

const UNITS: Record<string, number> = {
  s: 1_000,
  sec: 1_000,
  second: 1_000,
  seconds: 1_000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000
}

export const MAX_RETRIES = 50
const MAX_STEP = Duration.days(7)

/**
 * Reads a schedule as configured: comma-separated delays such as `"30s, 2m, 10m, 1h, 24h"` (units
 * s, m, h, d or their names), at least one, at most 50, each from 1 second to 7 days, never
 * decreasing.
 */
export const parseRetrySchedule = (text: string): Either.Either<RetryPolicy, string> => {
  const usage = `"${text}" is not a retry schedule: write comma-separated delays that never decrease, e.g. "30s, 2m, 10m, 1h, 24h"`
  const items = text.split(",").map((item) => item.trim().toLowerCase())
  if (items.length > MAX_RETRIES) return Either.left(`${usage} (at most ${MAX_RETRIES})`)
  const schedule: Array<Duration.Duration> = []
  for (const item of items) {
    const match = /^(\d+)\s*([a-z]+)$/.exec(item)
    const unit = match === null ? undefined : UNITS[match[2]!]
    if (match === null || unit === undefined) return Either.left(usage)
    const step = Duration.millis(Number(match[1]) * unit)
    if (Duration.lessThan(step, Duration.seconds(1)) || Duration.greaterThan(step, MAX_STEP)) {
      return Either.left(`${usage} (each from 1 second to 7 days)`)
    }
    const previous = schedule[schedule.length - 1]
    if (previous !== undefined && Duration.lessThan(step, previous)) return Either.left(usage)
    schedule.push(step)
  }
  return Either.right({ schedule })
}

