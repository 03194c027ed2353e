import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import { PlainStatements, plainStatement } from "@provisio/adapters/postgres/plain-statements"
import { TestDatabase } from "@provisio/adapters/testing/database"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"

/**
 * The hottest statements skip `@effect/sql` for the pool underneath (plain-statements.ts). What
 * must not change: a read inside a transaction sees that transaction's own writes, on the embedded
 * database's pool of one (where a read sent to the pool would wait for the transaction holding its
 * only connection) as on a server's pool.
 */
describe("plain statements", () => {
  it.layer(TestDatabase)((it) => {
    it.scoped("outside a transaction they go to the pool; inside one they see its uncommitted rows", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const { pool } = yield* PlainStatements
        // What goes through the SqlClient instead of the pool, seen by a SqlClient that says so.
        const viaClient: Array<string> = []
        const spied = Object.create(sql, {
          unsafe: { value: (text: string, values?: ReadonlyArray<unknown>) => (viaClient.push(text), sql.unsafe(text, values)) }
        }) as SqlClient.SqlClient
        const read = yield* plainStatement.pipe(Effect.provideService(SqlClient.SqlClient, spied))
        yield* sql`create table plain_read_probe (id text primary key)`
        yield* sql`insert into plain_read_probe values ('committed')`

        let connects = 0
        const connect = pool.connect.bind(pool)
        yield* Effect.acquireRelease(
          Effect.sync(() => {
            pool.connect = ((...args: Array<any>) => (connects++, (connect as any)(...args))) as typeof pool.connect
          }),
          () => Effect.sync(() => (pool.connect = connect))
        )
        expect(yield* read("select id from plain_read_probe where id = $1", ["committed"])).toEqual([{ id: "committed" }])
        expect(viaClient).toEqual([])
        expect(connects).toBe(1)

        const inside = yield* sql.withTransaction(Effect.gen(function* () {
          yield* sql`insert into plain_read_probe values ('uncommitted')`
          return yield* read("select id from plain_read_probe where id = $1", ["uncommitted"])
        })).pipe(Effect.timeout("10 seconds"))
        expect(inside).toEqual([{ id: "uncommitted" }])
        expect(viaClient).toEqual(["select id from plain_read_probe where id = $1"])
      }))

    it.effect("a statement that fails leaves the pool usable, on the embedded database's one connection too", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const statement = yield* plainStatement
        yield* sql`create table if not exists plain_write_probe (id text primary key)`
        const insert = (id: string) => Effect.either(statement("insert into plain_write_probe values ($1) returning id", [id]))
        for (let round = 0; round < 4; round++) {
          expect(yield* insert(`w${round}`)).toEqual(Either.right([{ id: `w${round}` }]))
          // Taken: PostgreSQL refuses it, and the next statement gets its own answer.
          expect(Either.isLeft(yield* insert(`w${round}`))).toBe(true)
        }
        expect(yield* statement("select count(*)::int as n from plain_write_probe", [])).toEqual([{ n: 4 }])
      }))

    it.effect("a failing read is a SqlError, as through the SqlClient", () =>
      Effect.gen(function* () {
        const read = yield* plainStatement
        const failed = yield* Effect.either(read("select * from no_such_table where id = $1", ["x"]))
        expect(Option.getOrUndefined(Option.map(Option.getLeft(failed), (error) => error._tag))).toBe("SqlError")
      }))
  })
})
