import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import { PlainStatements, plainRead } from "@provisio/adapters/postgres/plain-statements"
import { TestDatabase } from "@provisio/adapters/testing/database"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/**
 * The hottest reads skip `@effect/sql` for the pool underneath (plain-statements.ts). What must
 * not change: a read inside a transaction sees that transaction's own writes, on the embedded
 * database's pool of one (where a read sent to the pool would wait for the transaction holding its
 * only connection) as on a server's pool.
 */
describe("plain reads", () => {
  it.layer(TestDatabase)((it) => {
    it.scoped("outside a transaction they go to the pool; inside one they see its uncommitted rows", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const { pool } = yield* PlainStatements
        const read = yield* plainRead
        yield* sql`create table plain_read_probe (id text primary key)`
        yield* sql`insert into plain_read_probe values ('committed')`

        const sent: Array<string> = []
        const query = pool.query.bind(pool)
        yield* Effect.acquireRelease(
          Effect.sync(() => {
            pool.query = ((...args: Array<any>) => {
              sent.push(String(args[0]))
              return (query as any)(...args)
            }) as typeof pool.query
          }),
          () => Effect.sync(() => (pool.query = query))
        )
        expect(yield* read("select id from plain_read_probe where id = $1", ["committed"])).toEqual([{ id: "committed" }])
        expect(sent).toEqual(["select id from plain_read_probe where id = $1"])

        const inside = yield* sql.withTransaction(Effect.gen(function* () {
          yield* sql`insert into plain_read_probe values ('uncommitted')`
          return yield* read("select id from plain_read_probe where id = $1", ["uncommitted"])
        })).pipe(Effect.timeout("10 seconds"))
        expect(inside).toEqual([{ id: "uncommitted" }])
        expect(sent).toHaveLength(1)
      }))

    it.effect("a failing read is a SqlError, as through the SqlClient", () =>
      Effect.gen(function* () {
        const read = yield* plainRead
        const failed = yield* Effect.either(read("select * from no_such_table where id = $1", ["x"]))
        expect(Option.getOrUndefined(Option.map(Option.getLeft(failed), (error) => error._tag))).toBe("SqlError")
      }))
  })
})
