import { describe, expect, it } from "@effect/vitest"
import { groupedStatement } from "@provisio/adapters/postgres/grouped-statement"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"

/**
 * `groupedStatement` (grouped-statement.ts), which keeps the answers of concurrent keyed POSTs in
 * one statement: a lone caller's item goes at once; those that arrive while a statement is in
 * flight go together in the next; every caller gets its statement's outcome.
 */
describe("grouped statements", () => {
  it.scoped("items arriving while one statement is in flight go in one statement after it", () =>
    Effect.gen(function* () {
      const sent: Array<ReadonlyArray<number>> = []
      const gate = yield* Deferred.make<void>()
      const send = yield* groupedStatement((items: ReadonlyArray<number>) =>
        Effect.zipRight(Effect.sync(() => sent.push(items)), items[0] === 1 ? Deferred.await(gate) : Effect.void))

      const first = yield* Effect.fork(send(1))
      yield* Effect.yieldNow()
      while (sent.length === 0) yield* Effect.yieldNow()
      const others = yield* Effect.fork(Effect.all([2, 3, 4, 5].map(send), { concurrency: "unbounded" }))
      for (let i = 0; i < 10; i++) yield* Effect.yieldNow()
      // The first statement is still in flight: the others wait for it.
      expect(sent).toEqual([[1]])
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(first)
      yield* Fiber.join(others)
      expect(sent).toEqual([[1], [2, 3, 4, 5]])
    }))

  it.scoped("a failed statement fails every item it held, and the next statement goes on", () =>
    Effect.gen(function* () {
      let calls = 0
      const send = yield* groupedStatement((items: ReadonlyArray<string>) =>
        ++calls === 1 ? Effect.fail(`refused ${items.join(",")}`) : Effect.void)
      const failed = yield* Effect.either(send("a"))
      expect(failed._tag === "Left" && failed.left).toBe("refused a")
      expect((yield* Effect.either(send("b")))._tag).toBe("Right")
    }))
})
