import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import { PlainStatements, plainStatement } from "@provisio/adapters/postgres/plain-statements"
import { orPersistenceError } from "@provisio/adapters/postgres/persistence"
import { IdempotencyStoreLive } from "@provisio/adapters/postgres/request-guards"
import { TestDatabase } from "@provisio/adapters/testing/database"
import { IdempotencyStore, type IdempotentRequest } from "@provisio/core/shared/idempotency"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"

/**
 * `IdempotencyStore.claimAlong` (request-guards.ts): a key's claim sent in the statement of the
 * first write that can carry it (`plainStatement.carrying`). The claim and the write are kept
 * together or not at all, on both databases.
 */
const keyOf = (key: string): IdempotentRequest => ({ scope: "scope-a", key, method: "POST", path: "/api/v1/probe", fingerprint: "f" })
const AT = DateTime.unsafeMake("2026-12-07T10:00:00Z")

const StoreOverDatabase = IdempotencyStoreLive.pipe(Layer.provideMerge(TestDatabase))

/** The messages logged at ERROR while `effect` runs. */
const errorsLogged = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const logged: Array<string> = []
    const logger = Logger.make(({ logLevel, message }) => {
      if (logLevel._tag === "Error") logged.push(String(Array.isArray(message) ? message[0] : message))
    })
    const result = yield* Effect.provide(effect, Logger.replace(Logger.defaultLogger, logger))
    return { result, logged }
  })

/** A write that can carry a claim, as a repository writes: one row into the probe table. */
const probeWrite = (id: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const statement = yield* plainStatement
    return yield* orPersistenceError(statement.carrying(sql`insert into claim_along_probe ${sql.insert({ id })} returning id`))
  })

const probes = Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ id: string }>`select id from claim_along_probe order by id`)
const keys = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql<{ key: string; claim: string | null }>`select key, claim from idempotency_keys where scope = 'scope-a' order by key`)

describe("claimAlong", () => {
  it.layer(StoreOverDatabase)((it) => {
    it.scoped("the claim rides with the first write, in its statement; a taken key keeps neither", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const store = yield* IdempotencyStore
        const { pool } = yield* PlainStatements
        yield* sql`create table claim_along_probe (id text primary key)`

        // The statements sent on the pool's connections from here.
        const sent: Array<string> = []
        const connect = pool.connect.bind(pool)
        const spiedClients = new Map<any, unknown>()
        yield* Effect.acquireRelease(
          Effect.sync(() => {
            pool.connect = ((callback: (...args: Array<any>) => void) =>
              (connect as any)((error: unknown, client: any, release: unknown) => {
                if (client !== undefined && !spiedClients.has(client)) {
                  const query = client.query
                  spiedClients.set(client, query)
                  client.query = (...args: Array<any>) => (sent.push(String(args[0]?.text ?? args[0])), query.apply(client, args))
                }
                callback(error, client, release)
              })) as typeof pool.connect
          }),
          () => Effect.sync(() => {
            pool.connect = connect
            for (const [client, query] of spiedClients) client.query = query
          })
        )
        const probeStatements = () => sent.filter((text) => text.includes("claim_along_probe"))

        const first = yield* store.claimAlong(keyOf("k1"), "claim-1", AT, probeWrite("p1"))
        expect(first.claim).toBe("carried")
        expect(Exit.isSuccess(first.exit)).toBe(true)
        expect(probeStatements()).toHaveLength(1)
        expect(probeStatements()[0]).toMatch(/^with provisio_rider as \(insert into idempotency_keys/)
        expect(yield* keys).toEqual([{ key: "k1", claim: "claim-1" }])

        // The same key again: the statement fails, and the write it carried is not kept. A retry,
        // not a database failure: nothing is logged as one.
        const { result: again, logged } = yield* errorsLogged(store.claimAlong(keyOf("k1"), "claim-2", AT, probeWrite("p2")))
        expect(again.claim).toBe("refused")
        expect(logged).toEqual([])
        expect(Exit.isFailure(again.exit)).toBe(true)
        expect(yield* probes).toEqual([{ id: "p1" }])
        expect(yield* keys).toEqual([{ key: "k1", claim: "claim-1" }])

        // A write that fails on its own (a taken id) takes the claim down with it, and is logged.
        const { result: taken, logged: takenLogged } = yield* errorsLogged(store.claimAlong(keyOf("k3"), "claim-3", AT, probeWrite("p1")))
        expect(taken.claim).toBe("refused")
        expect(takenLogged).toEqual(["database failure"])
        expect(yield* keys).toEqual([{ key: "k1", claim: "claim-1" }])

        // The claim carried is a claim like `begin`'s: completed, then replayed.
        yield* store.complete(keyOf("k1"), "claim-1", { status: 201, contentType: "application/json", body: new Uint8Array([1, 2]) }, AT)
        const replay = yield* store.begin(keyOf("k1"), "claim-4", AT)
        expect(replay._tag).toBe("Replay")
      }))

    it.effect("an effect that fails before writing leaves the key free; one that succeeds without carrying it is a defect", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const store = yield* IdempotencyStore
        yield* sql`create table if not exists claim_along_probe (id text primary key)`
        const refused = yield* store.claimAlong(keyOf("k5"), "claim-5", AT, Effect.fail("invalid input"))
        expect(refused.claim).toBe("not_tried")
        expect(refused.exit).toEqual(Exit.fail("invalid input"))
        expect((yield* keys).map((row) => row.key)).not.toContain("k5")
        expect((yield* store.begin(keyOf("k5"), "claim-6", AT))._tag).toBe("Started")

        const uncarried = yield* Effect.exit(store.claimAlong(keyOf("k7"), "claim-7", AT, Effect.succeed("wrote elsewhere")))
        expect(Exit.isFailure(uncarried) && Exit.causeOption(uncarried)._tag === "Some").toBe(true)
        expect(Exit.isFailure(uncarried) ? String(uncarried.cause) : "").toMatch(/without carrying the claim/)
      }))

    it.effect("inside a transaction the write goes through the transaction, without the claim", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const store = yield* IdempotencyStore
        yield* sql`create table if not exists claim_along_probe (id text primary key)`
        const inside = yield* store.claimAlong(keyOf("k8"), "claim-8", AT, sql.withTransaction(probeWrite("p8")))
          .pipe(Effect.exit)
        // Not carried, and succeeded: a defect, so a route that writes in a transaction is found in its tests.
        expect(Exit.isFailure(inside)).toBe(true)
        expect((yield* keys).map((row) => row.key)).not.toContain("k8")
      }))
  })
})
