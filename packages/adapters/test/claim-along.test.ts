import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import { groupedInsert } from "@provisio/adapters/postgres/grouped-insert"
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
import type pg from "pg"

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

/** The texts of the statements sent on `pool`'s connections from now until the scope closes. */
const spiedStatements = (pool: pg.Pool) =>
  Effect.gen(function* () {
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
    return sent
  })

describe("claimAlong", () => {
  it.layer(StoreOverDatabase)((it) => {
    it.scoped("the claim rides with the first write, in its statement; a taken key keeps neither", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const store = yield* IdempotencyStore
        const { pool } = yield* PlainStatements
        yield* sql`create table claim_along_probe (id text primary key)`

        const sent = yield* spiedStatements(pool)
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

describe("groupedInsert", () => {
  it.layer(StoreOverDatabase)((it) => {
    /** Concurrent inserts into a probe table whose `note` has a default, each in `claimAlong` when it has a key. */
    const setUp = Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      yield* sql`create table if not exists grouped_probe (id text primary key, note text not null default 'by default', tags text[] not null, extra jsonb)`
      const insert = yield* groupedInsert({ table: "grouped_probe", key: "id", select: "select i.id, i.note, i.tags, i.extra from inserted i" })
      const store = yield* IdempotencyStore
      const { pool } = yield* PlainStatements
      const sent = yield* spiedStatements(pool)
      const keyed = (key: string, row: Record<string, unknown>) =>
        store.claimAlong(keyOf(key), `claim-${key}`, AT, orPersistenceError(insert(row)))
      return { sql, insert, keyed, sent: () => sent.filter((text) => text.includes("grouped_probe")) }
    })
    const rowsOf = (sql: SqlClient.SqlClient, prefix: string) =>
      sql<{ id: string; note: string }>`select id, note from grouped_probe where id like ${prefix + "%"} order by id`
    const keysOf = (sql: SqlClient.SqlClient, prefix: string) =>
      Effect.map(sql<{ key: string }>`select key from idempotency_keys where scope = 'scope-a' and key like ${prefix + "%"} order by key`,
        (rows) => rows.map((row) => row.key))

    it.scoped("concurrent rows go in fewer statements, each caller with its own row and its claim kept", () =>
      Effect.gen(function* () {
        const { keyed, sent, sql } = yield* setUp
        const ids = Array.from({ length: 20 }, (_, i) => `a${String(i).padStart(2, "0")}`)
        const results = yield* Effect.all(ids.map((id) =>
          keyed(id, { id, note: `note ${id}`, tags: ["x", id], extra: { id, n: 1 } })), { concurrency: "unbounded" })
        expect(results.map((result) => result.claim)).toEqual(ids.map(() => "carried"))
        expect(results.map((result) => Exit.isSuccess(result.exit) ? result.exit.value : undefined)).toEqual(
          ids.map((id) => ({ id, note: `note ${id}`, tags: ["x", id], extra: { id, n: 1 } })))
        expect(sent().length).toBeLessThan(ids.length)
        expect(sent().some((text) => text.includes("json_populate_recordset"))).toBe(true)
        expect((yield* rowsOf(sql, "a")).map((row) => row.id)).toEqual(ids)
        expect(yield* keysOf(sql, "a")).toEqual(ids)
      }))

    it.scoped("a group refused by one row is sent again a row at a time: only that caller fails", () =>
      Effect.gen(function* () {
        const { keyed, sql } = yield* setUp
        yield* keyed("b-taken", { id: "b-first", note: "n", tags: [], extra: null })
        const ids = ["b00", "b01", "b02", "b03", "b04", "b05"]
        const { result: results, logged } = yield* errorsLogged(Effect.all([
          ...ids.map((id) => keyed(id, { id, note: "n", tags: [], extra: null })),
          // A key in use: refused, nothing of it kept, and not a database failure.
          keyed("b-taken", { id: "b-retry", note: "n", tags: [], extra: null }),
          // An id in use: the row fails on its own, and takes its claim with it.
          keyed("b-dup", { id: "b00", note: "again", tags: [], extra: null })
        ], { concurrency: "unbounded" }))
        expect(results.map((result) => result.claim)).toEqual([...ids.map(() => "carried"), "refused", "refused"])
        expect(results.slice(0, ids.length).every((result) => Exit.isSuccess(result.exit))).toBe(true)
        expect(logged).toEqual(["database failure"])
        expect((yield* rowsOf(sql, "b")).map((row) => row.id)).toEqual(["b-first", ...ids].sort())
        expect(yield* keysOf(sql, "b")).toEqual(["b-taken", ...ids].sort())
      }))

    it.scoped("rows of other shapes in one burst: a column a row leaves out takes its default, not null", () =>
      Effect.gen(function* () {
        const { insert, sql } = yield* setUp
        const rows = yield* Effect.all([
          insert({ id: "c0", note: "set", tags: [], extra: null }),
          insert({ id: "c1", tags: [] }),
          insert({ id: "c2", note: "set", tags: [], extra: null }),
          insert({ id: "c3", tags: ["t"] })
        ], { concurrency: "unbounded" })
        expect(rows.map((row: any) => [row.id, row.note])).toEqual([["c0", "set"], ["c1", "by default"], ["c2", "set"], ["c3", "by default"]])
        expect(yield* rowsOf(sql, "c")).toEqual([
          { id: "c0", note: "set" }, { id: "c1", note: "by default" }, { id: "c2", note: "set" }, { id: "c3", note: "by default" }])
      }))
  })
})
