import * as Effect from "effect/Effect"
import { type RateLimit, RateLimiter, Take } from "./rate-limit.js"

/**
 * How many tokens one process takes from a shared bucket at a time: a twentieth of the bucket,
 * at most 100, so a bucket of 1,200 a minute is written once per 60 requests, and small buckets
 * (under 40) are still taken one token at a time.
 */
export const leaseSize = (limit: RateLimit): number => Math.max(1, Math.min(100, Math.floor(limit.capacity / 20)))

/**
 * A limiter that spends tokens from leases: each process takes `leaseSize` tokens from the shared
 * bucket in one call (or what the bucket holds, when less), then spends them in memory until they
 * are gone. The tokens of a lease are taken from the shared bucket before they are spent, so
 * processes together never let more through than the limit; what they may do is let fewer through:
 * tokens a process leased and has not spent yet are not there for the others (at most `leaseSize`
 * per process and credential). Near exhaustion a lease shrinks to what is left, down to one token
 * per call: the shared bucket is then touched by every request, as it must be to stay exact.
 */
export const leasedRateLimiter = (
  shared: RateLimiter["Type"],
  sizeOf: (limit: RateLimit) => number = leaseSize
): RateLimiter["Type"] => {
  // Tokens leased and not spent yet, per bucket key.
  const leased = new Map<string, number>()
  return RateLimiter.of({
    take: (key, limit, now, wanted = 1) => {
      const held = leased.get(key) ?? 0
      if (held >= wanted) {
        if (held === wanted) leased.delete(key)
        else leased.set(key, held - wanted)
        return Effect.succeed(Take.Allowed({ remaining: held - wanted, granted: wanted }))
      }
      return Effect.map(shared.take(key, limit, now, Math.max(wanted, sizeOf(limit))), (taken) => {
        if (taken._tag === "Limited") return taken
        // Another fiber may have leased meanwhile: both leases are spent here.
        const total = (leased.get(key) ?? 0) + taken.granted
        const granted = Math.min(wanted, total)
        if (total - granted > 0) leased.set(key, total - granted)
        else leased.delete(key)
        return Take.Allowed({ remaining: taken.remaining, granted })
      })
    }
  })
}
