import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import { embeddedClient, serverClient } from "@provisio/adapters/postgres/database"
import { forgetNames, USES_BEFORE_NAMING } from "@provisio/adapters/postgres/prepared"
import { createScratchDatabase, dropDatabase } from "@provisio/adapters/testing/database"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as crypto from "node:crypto"

const url = process.env["DATABASE_URL"]

/**
 * A client of one connection (prepared statements are per connection): to a scratch database on
 * the server (DATABASE_URL), else to an embedded one in memory.
 */
const oneConnection = Effect.gen(function* () {
  // Names are counted per process, and other test files of this worker may have used them all.
  forgetNames()
  if (url === undefined) {
    const context = yield* Layer.build(embeddedClient("memory", { prepare: true }))
    return context.unsafeMap.get(SqlClient.SqlClient.key) as SqlClient.SqlClient
  }
  const name = `provisio_t_prepared_${crypto.randomBytes(4).toString("hex")}`
  const databaseUrl = yield* Effect.acquireRelease(
    createScratchDatabase(url!, name),
    () => dropDatabase(url!, name).pipe(Effect.orDie)
  )
  const context = yield* Layer.build(serverClient(Redacted.make(databaseUrl), { poolSize: 1, prepare: true }))
  return context.unsafeMap.get(SqlClient.SqlClient.key) as SqlClient.SqlClient
})

const prepared = (sql: SqlClient.SqlClient) =>
  sql<{ statement: string }>`select statement from pg_prepared_statements`.pipe(
    Effect.map((rows) => rows.map((row) => row.statement))
  )

describe("named statements (PreparingClient)", () => {
  it.scopedLive("a statement with parameters run again is prepared once and gives the same rows", () =>
    Effect.gen(function* () {
      const sql = yield* oneConnection
      const text = "select $1::int + 1 as n -- prepared.test"
      for (let i = 0; i < USES_BEFORE_NAMING + 2; i++) {
        expect(yield* sql.unsafe<{ n: number }>(text, [i])).toEqual([{ n: i + 1 }])
      }
      expect(yield* prepared(sql)).toContain(text)
      // Without parameters: sent as before (simple protocol), several commands allowed, never named.
      expect(yield* sql`select 1 as a; select 2 as b`).toEqual([[{ a: 1 }], [{ b: 2 }]])
      expect((yield* prepared(sql)).filter((s) => s.includes("select 1 as a"))).toEqual([])
    })
  )

  it.scopedLive("a table changed under a prepared select * is read again, not refused", () =>
    Effect.gen(function* () {
      const sql = yield* oneConnection
      yield* sql`create table notes (id int primary key, body text not null)`
      yield* sql`insert into notes values (1, 'kept')`
      const read = sql`select * from notes where id = ${1}`
      for (let i = 0; i < USES_BEFORE_NAMING + 1; i++) expect(yield* read).toEqual([{ id: 1, body: "kept" }])
      expect((yield* prepared(sql)).some((s) => s.startsWith("select * from notes"))).toBe(true)
      // PostgreSQL refuses a prepared statement whose result type changed ("cached plan must not
      // change result type"): outside a transaction the statement is run again, unnamed.
      yield* sql`alter table notes add column extra int`
      expect(yield* read).toEqual([{ id: 1, body: "kept", extra: null }])
      // And prepared again under a new name from then on.
      for (let i = 0; i < USES_BEFORE_NAMING + 1; i++) expect(yield* read).toEqual([{ id: 1, body: "kept", extra: null }])
      // Inside a transaction the refusal fails the transaction, as any error does; the next try works.
      yield* sql`alter table notes add column more int`
      const inTransaction = yield* sql.withTransaction(read).pipe(Effect.either)
      expect(inTransaction._tag).toBe("Left")
      expect(yield* sql.withTransaction(read)).toEqual([{ id: 1, body: "kept", extra: null, more: null }])
    })
  )
})
