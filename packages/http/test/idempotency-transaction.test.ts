import { describe, expect, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import {
  IdempotencyStore,
  type IdempotentRequest,
  Settlement,
  type StoredAnswer
} from "@provisio/core/shared/idempotency"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import { callAndTick as call, channel, expectData, TestServer } from "./harness"

// A key claimed in the transaction its handler writes in (IdempotencyStore.open): the claim, the
// handler's writes and the answer are one commit, or nothing is kept.

let keys = 0
const keyOf = (name: string): IdempotentRequest => ({
  scope: "test-scope",
  key: `tx-${name}-${process.pid}-${++keys}-${Math.random().toString(36).slice(2)}`,
  method: "POST",
  path: "/api/v1/things",
  fingerprint: "f1"
})
const at = (millis: number) => DateTime.unsafeMake(millis)
const T0 = 1_800_000_000_000
const answer = (bytes: Array<number>): StoredAnswer => ({ status: 201, contentType: "application/json", body: new Uint8Array(bytes) })

/** A handler's write, as the test sees it: a key row of its own (any table would do). */
const write = (marker: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`insert into idempotency_keys (scope, key, method, path, fingerprint, created_at, locked_at)
        values ('written', ${marker}, 'POST', '/', 'f', now(), now())`)
const written = (marker: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(sql`select 1 from idempotency_keys where scope = 'written' and key = ${marker}`, (rows) => rows.length > 0))

describe("a key claimed in its handler's transaction", () => {
  it.layer(TestServer)("the store", (it) => {
    it.effect("keeps the claim, the writes and the answer together, or none of them", () =>
      Effect.gen(function* () {
        const store = yield* IdempotencyStore
        const kept = keyOf("kept")
        yield* Effect.scoped(Effect.gen(function* () {
          const tx = yield* store.open(kept, "a", at(T0))
          yield* tx.run(write(kept.key))
          expect((yield* tx.begun)._tag).toBe("Started")
          yield* tx.end(Settlement.Keep({ answer: answer([1, 2]) }), at(T0 + 10))
        }))
        expect(yield* written(kept.key)).toBe(true)
        const replay = yield* store.begin(kept, "b", at(T0 + 20))
        expect(replay._tag).toBe("Replay")
        if (replay._tag === "Replay") expect(Array.from(replay.answer.body)).toEqual([1, 2])

        // Undone (a failure on our side), or never ended (the scope closed first): nothing is
        // kept and the key is free at once.
        for (const ending of ["undo", "scope"] as const) {
          const undone = keyOf(ending)
          yield* Effect.scoped(Effect.gen(function* () {
            const tx = yield* store.open(undone, "a", at(T0))
            yield* tx.run(write(undone.key))
            expect((yield* tx.begun)._tag).toBe("Started")
            if (ending === "undo") yield* tx.end(Settlement.Undo(), at(T0 + 10))
          }))
          expect(yield* written(undone.key)).toBe(false)
          expect((yield* store.begin(undone, "b", at(T0 + 20)))._tag).toBe("Started")
        }

        // Released (an answer that cannot be kept): the writes stay, the key is free.
        const released = keyOf("released")
        yield* Effect.scoped(Effect.gen(function* () {
          const tx = yield* store.open(released, "a", at(T0))
          yield* tx.run(write(released.key))
          yield* tx.end(Settlement.Release(), at(T0 + 10))
        }))
        expect(yield* written(released.key)).toBe(true)
        expect((yield* store.begin(released, "b", at(T0 + 20)))._tag).toBe("Started")
      }))

    // Two transactions at once: PostgreSQL only (the embedded database has one connection, so the
    // second would wait for the first to end).
    it.effect.skipIf(process.env["DATABASE_URL"] === undefined)("a second claim of a key in flight is in progress at once, and the answer replays once kept", () =>
      Effect.gen(function* () {
        const store = yield* IdempotencyStore
        const k = keyOf("concurrent")
        yield* Effect.scoped(Effect.gen(function* () {
          const first = yield* store.open(k, "a", at(T0))
          expect((yield* first.begun)._tag).toBe("Started")
          // The first transaction holds the key uncommitted: the second does not wait for it.
          const second = yield* Effect.scoped(Effect.gen(function* () {
            const tx = yield* store.open(k, "b", at(T0 + 1))
            yield* tx.run(write(`${k.key}-second`))
            const begun = yield* tx.begun
            yield* tx.end(Settlement.Undo(), at(T0 + 1))
            return begun
          })).pipe(Effect.timeout("10 seconds"))
          expect(second._tag).toBe("InProgress")
          yield* first.end(Settlement.Keep({ answer: answer([7]) }), at(T0 + 2))
        }))
        expect(yield* written(`${k.key}-second`)).toBe(false)
        const third = yield* Effect.scoped(Effect.gen(function* () {
          const tx = yield* store.open(k, "c", at(T0 + 3))
          const begun = yield* tx.begun
          yield* tx.end(Settlement.Undo(), at(T0 + 3))
          return begun
        }))
        expect(third._tag).toBe("Replay")
        const other = yield* Effect.scoped(Effect.gen(function* () {
          const tx = yield* store.open({ ...k, fingerprint: "f2" }, "d", at(T0 + 4))
          const begun = yield* tx.begun
          yield* tx.end(Settlement.Undo(), at(T0 + 4))
          return begun
        }))
        expect(other._tag).toBe("Mismatch")
      }))

    it.effect("a statement that failed in the transaction leaves its writes out and keeps the answer", () =>
      Effect.gen(function* () {
        const store = yield* IdempotencyStore
        const k = keyOf("failed")
        yield* Effect.scoped(Effect.gen(function* () {
          const tx = yield* store.open(k, "a", at(T0))
          yield* tx.run(write(k.key))
          // The same row again: a unique violation, and PostgreSQL ends the transaction with it.
          const failed = yield* Effect.either(tx.run(write(k.key)))
          expect(failed._tag).toBe("Left")
          expect((yield* tx.begun)._tag).toBe("Started")
          yield* tx.end(Settlement.Keep({ answer: { status: 409, contentType: "application/json", body: new Uint8Array([4]) } }), at(T0 + 10))
        }))
        expect(yield* written(k.key)).toBe(false)
        const replay = yield* store.begin(k, "b", at(T0 + 20))
        expect(replay._tag).toBe("Replay")
        if (replay._tag === "Replay") expect(replay.answer.status).toBe(409)
      }))

    it.effect("a key past its window is claimed again in the transaction", () =>
      Effect.gen(function* () {
        const store = yield* IdempotencyStore
        const k = keyOf("expired")
        yield* store.begin(k, "a", at(T0))
        yield* store.complete(k, "a", answer([1]), at(T0))
        const later = T0 + 25 * 3600_000
        yield* Effect.scoped(Effect.gen(function* () {
          const tx = yield* store.open({ ...k, fingerprint: "f2" }, "b", at(later))
          yield* tx.run(write(k.key))
          expect((yield* tx.begun)._tag).toBe("Started")
          yield* tx.end(Settlement.Keep({ answer: answer([2]) }), at(later))
        }))
        const replay = yield* store.begin({ ...k, fingerprint: "f2" }, "c", at(later + 1))
        expect(replay._tag).toBe("Replay")
        if (replay._tag === "Replay") expect(Array.from(replay.answer.body)).toEqual([2])
      }))

    it.effect("over HTTP: a replayed POST /customers runs in the transaction and is rolled back", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const headers = { "x-idempotency-key": `tx-http-${process.pid}-${++keys}` }
        const first = yield* call("POST", "/api/v1/customers", { key: partnerKey, body: { name: "One", external_id: "tx-1" }, headers })
        expectData(first, 201)
        // The retry's insert meets the first customer's external id (a 409 of its own), and is
        // answered the first answer.
        const again = yield* call("POST", "/api/v1/customers", { key: partnerKey, body: { name: "One", external_id: "tx-1" }, headers })
        expect(again.status).toBe(201)
        expect(again.text).toBe(first.text)
        expect(again.headers["idempotent-replayed"]).toBe("true")
        const list = yield* call("GET", "/api/v1/customers?limit=200", { key: partnerKey })
        expect(expectData(list).map((c: { name: string }) => c.name)).toEqual(["One"])
      }))
  })
})
