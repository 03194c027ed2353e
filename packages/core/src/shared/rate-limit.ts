import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import type * as Effect from "effect/Effect"
import type { PersistenceError } from "./errors.js"

/**
 * A token bucket: it holds at most `capacity` requests and refills continuously at
 * `refillPerSecond`. A bucket that nobody has used yet is full.
 */
export interface RateLimit {
  readonly capacity: number
  readonly refillPerSecond: number
}

export type Take = Data.TaggedEnum<{
  /** `granted` tokens taken (at least one, at most as many as asked); `remaining` whole tokens are left. */
  Allowed: { readonly remaining: number; readonly granted: number }
  /** The bucket is empty; a token will be there in `retryAfterSeconds` (whole seconds, rounded up). */
  Limited: { readonly retryAfterSeconds: number }
}>

export const Take = Data.taggedEnum<Take>()

/**
 * The buckets, kept where every process serving the API sees them, so a limit holds however
 * many processes share the storage. Time comes from the caller (`now`, from `Clock`).
 */
export class RateLimiter extends Context.Tag("@provisio/core/RateLimiter")<RateLimiter, {
  /**
   * Refills the bucket `key` for the time since its last use, then takes `wanted` tokens (one by
   * default), or as many whole ones as it holds; Limited when it holds none.
   */
  readonly take: (
    key: string,
    limit: RateLimit,
    now: DateTime.Utc,
    wanted?: number
  ) => Effect.Effect<Take, PersistenceError>
}>() {}

const UNITS: Record<string, number> = {
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hour: 3600,
  hours: 3600,
  d: 86400,
  day: 86400,
  days: 86400
}

/**
 * Reads a limit as configured: `"600/minute"` is a bucket of 600 refilled over a minute (also
 * `second`, `hour`, `day`, their plurals and `s`, `m`, `h`, `d`, and a count of units such as
 * `"100/10s"`). `"off"` means no limit (`Right(undefined)`).
 */
export const parseRateLimit = (text: string): Either.Either<RateLimit | undefined, string> => {
  const trimmed = text.trim().toLowerCase()
  if (trimmed === "off" || trimmed === "none" || trimmed === "unlimited") return Either.right(undefined)
  const match = /^(\d+)\s*\/\s*(\d*)\s*([a-z]+)$/.exec(trimmed)
  const unit = match === null ? undefined : UNITS[match[3]!]
  const count = match === null || match[2] === "" ? 1 : Number(match[2])
  const capacity = match === null ? NaN : Number(match[1])
  if (match === null || unit === undefined || !Number.isSafeInteger(capacity) || capacity < 1 || count < 1) {
    return Either.left(`"${text}" is not a rate limit: write it as <requests>/<unit>, e.g. "600/minute", or "off"`)
  }
  return Either.right({ capacity, refillPerSecond: capacity / (count * unit) })
}
