import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import type { PersistenceError } from "./errors.js"
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
 * Once half a lease is spent the next is taken in the background, so a busy key does not stall
 * on the database every `leaseSize` requests.
 */
export const leasedRateLimiter = (
  shared: RateLimiter["Type"],
  sizeOf: (limit: RateLimit) => number = leaseSize
): RateLimiter["Type"] => {
  // Tokens leased and not spent yet, per bucket key.
  const leased = new Map<string, number>()
  // The lease being taken for a key: requests that find its tokens gone wait for it rather than
  // each taking a lease of their own (64 at once would otherwise write 64 times).
  const refilling = new Map<string, Deferred.Deferred<Take, PersistenceError>>()

  const spend = (key: string, wanted: number): number => {
    const held = leased.get(key) ?? 0
    const granted = Math.min(wanted, held)
    if (held - granted > 0) leased.set(key, held - granted)
    else leased.delete(key)
    return granted
  }

  /** Takes a lease from the shared bucket for `key`, the one in flight for it; waiters hear its outcome. */
  const refill = (key: string, limit: RateLimit, now: Parameters<RateLimiter["Type"]["take"]>[2], size: number) => {
    const done = Deferred.unsafeMake<Take, PersistenceError>(FiberId.none)
    refilling.set(key, done)
    return shared.take(key, limit, now, size).pipe(
      Effect.tap((taken) => {
        if (taken._tag === "Allowed") leased.set(key, (leased.get(key) ?? 0) + taken.granted)
      }),
      // Whatever happens to the request that took it (an answer, a failure, the client gone), the waiters hear.
      Effect.onExit((exit) =>
        Effect.suspend(() => {
          refilling.delete(key)
          return Deferred.done(done, exit)
        }))
    )
  }

  const take: RateLimiter["Type"]["take"] = (key, limit, now, wanted = 1) =>
    Effect.suspend(() => {
      const held = leased.get(key) ?? 0
      const size = sizeOf(limit)
      if (held >= wanted) {
        const allowed = Effect.succeed(Take.Allowed({ remaining: held - spend(key, wanted), granted: wanted }))
        // Half the lease spent: the next one is taken in the background, so the requests that
        // come when this one is gone do not wait for the database (one lease's tokens at most
        // are held ahead; small buckets, taken a token at a time, stay exact).
        if (size === 1 || held - wanted > size / 2 || refilling.has(key)) return allowed
        return Effect.zipRight(Effect.forkDaemon(Effect.ignore(refill(key, limit, now, size))), allowed)
      }
      const pending = refilling.get(key)
      if (pending !== undefined) {
        return Effect.flatMap(Deferred.await(pending), (taken) =>
          taken._tag === "Limited" ? Effect.succeed(taken) : take(key, limit, now, wanted))
      }
      return Effect.map(refill(key, limit, now, Math.max(wanted, size)), (taken) =>
        taken._tag === "Limited" ? taken : Take.Allowed({ remaining: taken.remaining, granted: spend(key, wanted) }))
    })

  return RateLimiter.of({ take })
}
