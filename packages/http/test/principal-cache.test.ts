import { describe, expect, it } from "@effect/vitest"
import { PRINCIPAL_CACHE_BOUND } from "@provisio/core/auth/principal-cache"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import { call, channel, expectData, expectError, serverOver, sharedDatabase } from "./harness"

/**
 * A process answers an API key's principal from memory for at most `PRINCIPAL_CACHE_BOUND` (1 s)
 * after reading it (docs/security.md): a key deleted, or an account suspended, through another
 * process is refused within the bound; through the same process at once. Two servers over one
 * database stand for two processes: each builds its own repositories and remembers on its own.
 */

const BOUND_MS = Duration.toMillis(PRINCIPAL_CACHE_BOUND)

const me = (key: string) => call("GET", "/api/v1/me", { key })

const twoServers = Effect.gen(function* () {
  const database = yield* sharedDatabase
  const first = yield* Layer.build(serverOver(database))
  const second = yield* Layer.build(serverOver(database))
  return {
    onFirst: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provide(effect, first),
    onSecond: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provide(effect, second)
  }
})

describe("the principal cache", () => {
  it.scoped("a key deleted through one server is refused there at once, and by another within the bound", () =>
    Effect.gen(function* () {
      const { onFirst, onSecond } = yield* twoServers
      const { partner } = yield* onFirst(channel())
      const created = expectData(
        yield* onFirst(call("POST", "/api/v1/api-keys", { body: { account_id: partner.id, role: "viewer" } })),
        201
      )
      // Both servers read the key's principal now, and remember it.
      expectData(yield* onFirst(me(created.secret)))
      expectData(yield* onSecond(me(created.secret)))

      expect((yield* onFirst(call("DELETE", `/api/v1/api-keys/${created.id}`))).status).toBe(204)
      // The server that deleted it forgot it at once.
      expectError(yield* onFirst(me(created.secret)), 401, "unauthorized")
      // The other may still answer from memory, for less than the bound after its read...
      yield* TestClock.adjust(BOUND_MS - 1)
      expect((yield* onSecond(me(created.secret))).status).toBe(200)
      // ...and not once the bound has passed.
      yield* TestClock.adjust(1)
      expectError(yield* onSecond(me(created.secret)), 401, "unauthorized")
      expectError(yield* onFirst(me(created.secret)), 401, "unauthorized")
    }))

  it.scoped("an account suspended through one server is refused by another within the bound", () =>
    Effect.gen(function* () {
      const { onFirst, onSecond } = yield* twoServers
      const { partner, partnerKey } = yield* onFirst(channel())
      expectData(yield* onSecond(me(partnerKey)))
      expectData(yield* onFirst(call("PUT", `/api/v1/partners/${partner.id}`, { body: { status: "suspended" } })))
      expectError(yield* onFirst(me(partnerKey)), 403, "account_suspended")
      yield* TestClock.adjust(BOUND_MS)
      expectError(yield* onSecond(me(partnerKey)), 403, "account_suspended")
    }))

  it.scoped("a key made through one server works on another at once: unknown keys are not remembered", () =>
    Effect.gen(function* () {
      const { onFirst, onSecond } = yield* twoServers
      const { partner } = yield* onFirst(channel())
      const created = expectData(
        yield* onFirst(call("POST", "/api/v1/api-keys", { body: { account_id: partner.id, role: "viewer" } })),
        201
      )
      expectData(yield* onSecond(me(created.secret)))
    }))
})
