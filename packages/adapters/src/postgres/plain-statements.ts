import * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type pg from "pg"

/**
 * The `pg` pool under the `SqlClient`, for the hottest reads (the GET of one subscription or one
 * customer). `@effect/sql` wraps every statement in a Scope, a span and its own connection
 * plumbing: ~40 us of this process's CPU on a primary-key SELECT, as much as `pg` itself takes
 * (docs/performance.md, "Third step" and "Sixth step"). A read sent here skips that and goes to
 * `pool.query`, prepared as every statement is (`PreparingClient`), with the pool's own type parsers.
 */
export class PlainStatements extends Context.Tag("@provisio/adapters/PlainStatements")<
  PlainStatements,
  { readonly pool: pg.Pool }
>() {}

/** The `SqlClient` (and `PgClient`) over `pool`, with `PlainStatements` on the same pool; the pool's life is the caller's. */
export const poolLayer = (pool: pg.Pool) =>
  Layer.merge(
    PgClient.layerFromPool({ acquire: Effect.succeed(pool) }),
    Layer.succeed(PlainStatements, { pool })
  )

type Value = string | number | boolean | null

/**
 * A read of `text` with `values` (`$1`, ...), answered as rows. On the pool when the database
 * layer gave one and the caller is outside a transaction; inside one it must see the transaction's
 * own writes, so it goes through the `SqlClient` like any statement (and so does every read where
 * there is no pool: another `SqlClient`).
 */
export const plainRead = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const plain = yield* Effect.serviceOption(PlainStatements)
  if (Option.isNone(plain)) return (text: string, values: ReadonlyArray<Value>) => sql.unsafe(text, values)
  const { pool } = plain.value
  const onPool = (text: string, values: ReadonlyArray<Value>) =>
    Effect.async<ReadonlyArray<unknown>, SqlError>((resume) => {
      pool.query(text, values as Array<Value>, (cause, result) => {
        resume(cause ? Effect.fail(new SqlError({ cause, message: "Failed to execute statement" })) : Effect.succeed(result.rows))
      })
    })
  return (text: string, values: ReadonlyArray<Value>) =>
    Effect.flatMap(Effect.serviceOption(SqlClient.TransactionConnection), (transaction) =>
      Option.isSome(transaction) ? sql.unsafe(text, values) : onPool(text, values))
})
