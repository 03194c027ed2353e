import { describe, expect, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as fc from "effect/FastCheck"
import { type PushResponse, PushTransportError } from "../../src/provisioning/push"
import {
  classify,
  decide,
  DEFAULT_RETRY_POLICY,
  DEFAULT_RETRY_SCHEDULE,
  maxAttempts,
  MIN_DELAY,
  nextAttemptAt,
  parseRetryAfter,
  parseRetrySchedule,
  retryCap,
  retryDelay,
  type RetryPolicy
} from "../../src/provisioning/retry"

const answer = (status: number, fields: Partial<PushResponse> = {}): PushResponse => ({
  status,
  latency_ms: 3,
  body_excerpt: "",
  retry_after: null,
  configuration: null,
  ...fields
})

const NOW = DateTime.unsafeMake("2026-11-23T10:00:00Z")
const ms = (d: Duration.Duration) => Duration.toMillis(d)

describe("classify", () => {
  it("2xx is delivered, with the configuration when there is one", () => {
    expect(classify(answer(200, { configuration: { a: 1 } }))).toMatchObject({ _tag: "Delivered", configuration: { a: 1 } })
    expect(classify(answer(204))).toMatchObject({ _tag: "Delivered", configuration: null })
    expect(classify(answer(299))._tag).toBe("Delivered")
  })

  it("408, 429, 5xx, time-outs and connection errors retry; Retry-After is passed on", () => {
    for (const status of [408, 429, 500, 502, 503, 504, 599]) expect(classify(answer(status))._tag, String(status)).toBe("Retry")
    expect(classify(answer(503, { retry_after: 7 }))).toMatchObject({ _tag: "Retry", retry_after: 7, reason: "answered 503" })
    for (const kind of ["timeout", "connection"] as const) {
      expect(classify(new PushTransportError({ kind, message: "x", latency_ms: 1 }))._tag).toBe("Retry")
    }
  })

  it("any other 4xx (and a redirect) is dead at once", () => {
    for (const status of [400, 401, 403, 404, 405, 409, 410, 413, 422, 301, 302, 304]) {
      expect(classify(answer(status)), String(status)).toMatchObject({ _tag: "Dead", reason: `answered ${status}` })
    }
  })
})

describe("Retry-After", () => {
  const now = Date.parse("2026-11-23T10:00:00Z")
  it("reads delta-seconds and HTTP dates", () => {
    expect(parseRetryAfter("7", now)).toBe(7)
    expect(parseRetryAfter(" 0 ", now)).toBe(0)
    expect(parseRetryAfter("Mon, 23 Nov 2026 10:02:00 GMT", now)).toBe(120)
    expect(parseRetryAfter("Mon, 23 Nov 2026 09:00:00 GMT", now)).toBe(0)
  })
  it("ignores what it cannot read", () => {
    for (const value of [undefined, null, "", "-1", "1.5", "soon", "12345678901"]) expect(parseRetryAfter(value, now), String(value)).toBeNull()
  })
})

describe("the retry schedule", () => {
  it("defaults to about three days over ten retries, bases never decreasing", () => {
    expect(DEFAULT_RETRY_SCHEDULE.map(Duration.format)).toEqual(
      ["30s", "2m", "10m", "30m", "1h", "3h", "6h", "12h", "1d", "1d"]
    )
    const total = DEFAULT_RETRY_SCHEDULE.reduce((sum, d) => sum + ms(d), 0)
    expect(total).toBe(((2 * 24 + 22) * 60 + 42) * 60_000 + 30_000) // 2 days 22 h 42 min 30 s
    expect(maxAttempts(DEFAULT_RETRY_POLICY)).toBe(11)
    expect(ms(retryCap(DEFAULT_RETRY_POLICY))).toBe(ms(Duration.hours(24)))
    DEFAULT_RETRY_SCHEDULE.forEach((d, i) => {
      if (i > 0) expect(ms(d)).toBeGreaterThanOrEqual(ms(DEFAULT_RETRY_SCHEDULE[i - 1]!))
    })
  })

  it("reads a configured schedule and refuses a decreasing or unreadable one", () => {
    const read = parseRetrySchedule("5s, 1m, 1 hour, 2h, 1d")
    expect(Either.map(read, (p) => p.schedule.map(ms))).toEqual(Either.right([5_000, 60_000, 3_600_000, 7_200_000, 86_400_000]))
    for (const text of ["", "1m, 30s", "0s", "8d", "5", "5 fortnights", "1m,,2m", Array(51).fill("1s").join(",")]) {
      expect(Either.isLeft(parseRetrySchedule(text)), text).toBe(true)
    }
  })

  const scheduleArb = fc.array(fc.integer({ min: 1, max: 7 * 86_400 }), { minLength: 1, maxLength: 12 })
    .map((seconds) => ({ schedule: [...seconds].sort((a, b) => a - b).map(Duration.seconds) }) satisfies RetryPolicy)
  const unitArb = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })
  const retryAfterArb = fc.option(fc.integer({ min: 0, max: 30 * 86_400 }), { nil: null })

  it("never waits past the cap, nor longer than the attempt's base unless Retry-After says so", () => {
    fc.assert(fc.property(scheduleArb, unitArb, retryAfterArb, fc.nat(), (policy, unit, retryAfter, n) => {
      const attempt = 1 + (n % policy.schedule.length)
      const delay = ms(Option.getOrThrow(retryDelay(policy, attempt, unit, retryAfter)))
      const base = ms(policy.schedule[attempt - 1]!)
      const cap = ms(retryCap(policy))
      expect(delay).toBeLessThanOrEqual(cap)
      expect(delay).toBeLessThanOrEqual(Math.max(base, Math.min(cap, (retryAfter ?? 0) * 1000)))
      expect(delay).toBeGreaterThanOrEqual(Math.min(ms(MIN_DELAY), base))
    }))
  })

  it("respects Retry-After (up to the cap)", () => {
    fc.assert(fc.property(scheduleArb, unitArb, fc.integer({ min: 0, max: 30 * 86_400 }), fc.nat(), (policy, unit, retryAfter, n) => {
      const attempt = 1 + (n % policy.schedule.length)
      const delay = ms(Option.getOrThrow(retryDelay(policy, attempt, unit, retryAfter)))
      expect(delay).toBeGreaterThanOrEqual(Math.min(retryAfter * 1000, ms(retryCap(policy))))
    }))
  })

  it("jitters over the whole base: the draw spans [min delay, base]", () => {
    const policy = DEFAULT_RETRY_POLICY
    expect(ms(Option.getOrThrow(retryDelay(policy, 2, 0)))).toBe(1_000)
    expect(ms(Option.getOrThrow(retryDelay(policy, 2, 0.5)))).toBe(60_500)
    expect(ms(Option.getOrThrow(retryDelay(policy, 2, 0.999999)))).toBe(119_999)
    expect(Option.isNone(retryDelay(policy, 11, 0.5))).toBe(true)
  })

  it.effect("draws from Random: the same seed schedules the same instants", () =>
    Effect.gen(function* () {
      const run = Effect.forEach([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], (attempt) => nextAttemptAt(DEFAULT_RETRY_POLICY, attempt, NOW))
      const a = yield* Effect.withRandom(run, Random.make("push-retry"))
      const b = yield* Effect.withRandom(run, Random.make("push-retry"))
      const c = yield* Effect.withRandom(run, Random.make("another seed"))
      expect(a).toEqual(b)
      expect(a).not.toEqual(c)
      expect(Option.isNone(a[10]!)).toBe(true)
      a.slice(0, 10).forEach((at, i) => {
        const delay = DateTime.distance(NOW, Option.getOrThrow(at))
        expect(delay).toBeGreaterThanOrEqual(1_000)
        expect(delay).toBeLessThanOrEqual(ms(DEFAULT_RETRY_SCHEDULE[i]!))
      })
    }))

  it.effect("decides: delivered, retry at an instant honouring Retry-After, dead when spent or refused", () =>
    Effect.gen(function* () {
      expect(yield* decide(DEFAULT_RETRY_POLICY, 1, answer(200, { configuration: { x: 1 } }), NOW))
        .toMatchObject({ _tag: "Delivered", configuration: { x: 1 } })
      const retry = yield* decide(DEFAULT_RETRY_POLICY, 1, answer(503, { retry_after: 90 }), NOW)
      expect(retry._tag).toBe("RetryAt")
      if (retry._tag === "RetryAt") expect(DateTime.distance(NOW, retry.at)).toBeGreaterThanOrEqual(90_000)
      expect(yield* decide(DEFAULT_RETRY_POLICY, 3, answer(400), NOW)).toMatchObject({ _tag: "Dead", reason: "answered 400" })
      expect(yield* decide(DEFAULT_RETRY_POLICY, 11, new PushTransportError({ kind: "timeout", message: "10000 ms", latency_ms: 10_000 }), NOW))
        .toMatchObject({ _tag: "Dead", reason: expect.stringContaining("gave up after 11 attempts") })
    }).pipe(Effect.withRandom(Random.make(42))))
})
