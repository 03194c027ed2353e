import { describe, expect, it } from "@effect/vitest"
import { makeId, makeIds } from "@provisio/core/shared/ids"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"

describe("ids", () => {
  it.effect("made one by one or in a batch, in one millisecond or across several, they strictly increase", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2026, 11, 3))
      const first = yield* makeId("inv")
      const batch = yield* makeIds("inv", 500)
      const next = yield* makeId("inv")
      yield* TestClock.adjust("1 millis")
      const later = yield* makeIds("inv", 3)
      const all = [first, ...batch, next, ...later]
      expect(all.every((id) => /^inv_[0-9a-z]{26}$/.test(id))).toBe(true)
      expect(new Set(all).size).toBe(all.length)
      expect([...all].sort()).toEqual(all)
      expect(yield* makeIds("inv", 0)).toEqual([])
    }))
})
