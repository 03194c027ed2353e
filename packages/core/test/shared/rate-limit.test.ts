import * as Either from "effect/Either"
import { describe, expect, it } from "vitest"
import { parseRateLimit } from "../../src/shared/rate-limit"

describe("rate limit settings", () => {
  const parse = (text: string) => Either.getOrThrowWith(parseRateLimit(text), (message) => new Error(message))

  it("reads <requests>/<unit>", () => {
    expect(parse("600/minute")).toEqual({ capacity: 600, refillPerSecond: 10 })
    expect(parse("3/minutes")).toEqual({ capacity: 3, refillPerSecond: 0.05 })
    expect(parse(" 10 / s ")).toEqual({ capacity: 10, refillPerSecond: 10 })
    expect(parse("7200/hour")).toEqual({ capacity: 7200, refillPerSecond: 2 })
    expect(parse("100/10s")).toEqual({ capacity: 100, refillPerSecond: 10 })
    expect(parse("86400/day")).toEqual({ capacity: 86400, refillPerSecond: 1 })
    expect(parse("off")).toBeUndefined()
  })

  it("refuses what it cannot read, saying how to write it", () => {
    for (const text of ["", "600", "0/minute", "-1/minute", "600/fortnight", "1.5/second", "600/ms"]) {
      const result = parseRateLimit(text)
      expect(Either.isLeft(result), text).toBe(true)
      if (Either.isLeft(result)) expect(result.left).toContain("600/minute")
    }
  })
})
