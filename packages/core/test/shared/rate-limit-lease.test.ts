import { describe, expect, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import { type RateLimit, RateLimiter, Take } from "../../src/shared/rate-limit"
import { leasedRateLimiter, leaseSize } from "../../src/shared/rate-limit-lease"

/** One shared bucket that never refills (the database's, for this test), counting its calls. */
const sharedBucket = (tokens: number) => {
  let left = tokens
  let calls = 0
  const limiter = RateLimiter.of({
    // A round trip's worth of waiting first, so requests at once overlap as they would.
    take: (_key, _limit, _now, wanted = 1) =>
      Effect.zipRight(Effect.yieldNow(), Effect.sync(() => {
        calls++
        const granted = Math.min(wanted, left)
        left -= granted
        return granted === 0 ? Take.Limited({ retryAfterSeconds: 60 }) : Take.Allowed({ remaining: left, granted })
      }))
  })
  return { limiter, calls: () => calls }
}

const LIMIT: RateLimit = { capacity: 100, refillPerSecond: 100 / 60 }
const NOW = DateTime.unsafeMake("2026-12-07T00:00:00Z")

describe("leased rate limiter", () => {
  it("takes a twentieth of a bucket at a time, at most 100, at least 1", () => {
    expect(leaseSize(LIMIT)).toBe(5)
    expect(leaseSize({ capacity: 1200, refillPerSecond: 20 })).toBe(60)
    expect(leaseSize({ capacity: 1_000_000, refillPerSecond: 1 })).toBe(100)
    expect(leaseSize({ capacity: 3, refillPerSecond: 1 })).toBe(1)
  })

  it.effect("two processes spending one bucket let exactly its tokens through, never more, with a shared call per lease", () =>
    Effect.gen(function* () {
      const shared = sharedBucket(100)
      const processes = [leasedRateLimiter(shared.limiter), leasedRateLimiter(shared.limiter)]
      let allowed = 0
      let limitedInARow = 0
      // Alternate between the two until both are refused twice running.
      for (let i = 0; limitedInARow < 2 && i < 1000; i++) {
        const taken = yield* processes[i % 2]!.take("key:k", LIMIT, NOW)
        if (taken._tag === "Allowed") {
          allowed++
          limitedInARow = 0
        } else limitedInARow++
      }
      expect(allowed).toBe(100)
      // 20 leases of 5, a lease taken ahead that found the bucket empty, and the two refusals:
      // not one call per request.
      expect(shared.calls()).toBe(23)
    }))

  it.effect("near exhaustion a lease is what the bucket holds", () =>
    Effect.gen(function* () {
      const shared = sharedBucket(3)
      const process = leasedRateLimiter(shared.limiter)
      for (let i = 0; i < 3; i++) expect((yield* process.take("key:k", LIMIT, NOW))._tag).toBe("Allowed")
      expect(yield* process.take("key:k", LIMIT, NOW)).toEqual(Take.Limited({ retryAfterSeconds: 60 }))
      expect(shared.calls()).toBe(2)
    }))

  it.effect("requests at once wait for the lease being taken instead of each taking their own", () =>
    Effect.gen(function* () {
      const shared = sharedBucket(100)
      const process = leasedRateLimiter(shared.limiter)
      const answers = yield* Effect.all(Array.from({ length: 64 }, () => process.take("key:k", LIMIT, NOW)), { concurrency: "unbounded" })
      expect(answers.filter((a) => a._tag === "Allowed")).toHaveLength(64)
      // 64 tokens in leases of 5: 13 takes, one at a time, and the next taken ahead.
      expect(shared.calls()).toBe(14)
    }))

  it.effect("the next lease is taken once half of one is spent, so a busy key does not wait for it", () =>
    Effect.gen(function* () {
      const shared = sharedBucket(100)
      const process = leasedRateLimiter(shared.limiter)
      // A lease of 5: the first take waits for it; 4, then 3 left, nothing more asked.
      for (let i = 0; i < 2; i++) expect((yield* process.take("key:k", LIMIT, NOW))._tag).toBe("Allowed")
      expect(shared.calls()).toBe(1)
      // 2 left, under half a lease: the next is taken in the background.
      expect((yield* process.take("key:k", LIMIT, NOW))._tag).toBe("Allowed")
      yield* Effect.yieldNow()
      yield* Effect.yieldNow()
      expect(shared.calls()).toBe(2)
      // 7 held: the requests that follow spend them without a call.
      for (let i = 0; i < 4; i++) expect((yield* process.take("key:k", LIMIT, NOW))._tag).toBe("Allowed")
      expect(shared.calls()).toBe(2)
    }))
})
