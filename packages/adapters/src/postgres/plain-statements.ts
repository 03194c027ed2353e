import * as SqlClient from "@effect/sql/SqlClient"
import type * as Statement from "@effect/sql/Statement"
import { SqlError } from "@effect/sql/SqlError"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type pg from "pg"
import { isUniqueViolation, reportElsewhere } from "./persistence.js"

/**
 * The `pg` pool under the `SqlClient`, for the hottest statements (the GET of one subscription or
 * one customer; a new customer, and its idempotency key's claim and kept answer). `@effect/sql` wraps every statement in a Scope, a span and its own connection
 * plumbing: ~40 us of this process's CPU on a primary-key SELECT, as much as `pg` itself takes
 * (docs/performance.md, "Third step" and "Sixth step"). A statement sent here skips that and goes to
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

/** What a statement sends: `pg` sends an object as JSON, an array as a PostgreSQL array. */
type Value = unknown

/**
 * A statement of `text` with `values` (`$1`, ...), or one `sql` built (`Statement.compile`),
 * answered as rows. On the pool when the database layer gave one and the caller is outside a
 * transaction (a write then commits on its own, as through the `SqlClient`); inside one it must
 * see, and be part of, the transaction, so it goes through the `SqlClient` like any statement (and
 * so does every statement where there is no pool: another `SqlClient`).
 */
export const plainStatement = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const plain = yield* Effect.serviceOption(PlainStatements)
  const viaClient = (text: string, values: ReadonlyArray<Value>) => sql.unsafe(text, values)
  const run = Option.match(plain, {
    onNone: () => viaClient,
    onSome: ({ pool }) => {
      const onPool = (text: string, values: ReadonlyArray<Value>) =>
        Effect.async<ReadonlyArray<unknown>, SqlError>((resume) => {
          // Not `pool.query`: it drops the connection after any failed statement (a taken key is
          // one), which costs a server a new connection and breaks the embedded database's bridge.
          // As `@effect/sql-pg` does: a connection is dropped only when it reports an error itself.
          pool.connect((connectError, client, release) => {
            if (connectError || client === undefined) {
              return resume(Effect.fail(new SqlError({ cause: connectError, message: "Failed to acquire connection" })))
            }
            let broken: Error | undefined
            const onError = (error: Error) => void (broken = error)
            client.once("error", onError)
            client.query(text, values as Array<unknown>, (cause, result) => {
              client.off("error", onError)
              release(broken)
              resume(cause ? Effect.fail(new SqlError({ cause, message: "Failed to execute statement" })) : Effect.succeed(result.rows))
            })
          })
        })
      return (text: string, values: ReadonlyArray<Value>) =>
        Effect.flatMap(Effect.serviceOption(SqlClient.TransactionConnection), (transaction) =>
          Option.isSome(transaction) ? viaClient(text, values) : onPool(text, values))
    }
  })
  const built = (statement: Statement.Statement<unknown>) => {
    const [text, values] = statement.compile()
    return run(text, values)
  }
  return Object.assign(run, {
    /** Whether statements outside a transaction go to the pool (else all go through the `SqlClient`). */
    onPool: Option.isSome(plain),
    /** A statement `sql` built, sent as `run` sends text. */
    built,
    /**
     * A write `sql` built that takes the rider waiting in this fiber (`withRider`), if any and
     * outside a transaction: the two go as one statement, the rider first in its `WITH`.
     */
    carrying: (statement: Statement.Statement<unknown>) =>
      Effect.flatMap(waitingRider, (rider) => {
        if (rider === undefined) return built(statement)
        return Effect.flatMap(Effect.serviceOption(SqlClient.TransactionConnection), (transaction) => {
          if (Option.isSome(transaction)) return built(statement)
          const [text, values] = statement.compile()
          rider.state = "sent"
          return run(withRiderText(rider, text, values.length), [...values, ...Object.values(rider.row)]).pipe(
            Effect.tapBoth({
              onFailure: (failure) => Effect.sync(() => settleRider(rider, { failure })),
              onSuccess: () => Effect.sync(() => settleRider(rider, undefined))
            })
          )
        })
      })
  })
})

/**
 * A row to insert (an idempotency key's claim) with the next write that can take it
 * (`plainStatement.carrying`, `groupedInsert`), in the same statement: PostgreSQL keeps both or
 * neither. Its values are JSON values, as a grouped statement sends them.
 */
export interface Rider {
  readonly table: string
  readonly row: Readonly<Record<string, unknown>>
  /** The unique constraint whose violation means the rider's row exists already (a key in use). */
  readonly conflict: string
  state: "waiting" | "sent" | "carried" | "refused"
}

const CurrentRider = FiberRef.unsafeMake<Rider | undefined>(undefined)

/** `effect` with `rider` waiting for its first write that can carry it; the rider's state tells how that went. */
export const withRider = <A, E, R>(rider: Rider, effect: Effect.Effect<A, E, R>) => Effect.locally(effect, CurrentRider, rider)

/** The rider waiting in this fiber for a write to carry it, if any. */
export const waitingRider = Effect.map(FiberRef.get(CurrentRider), (rider) => rider?.state === "waiting" ? rider : undefined)

/** How a statement that carried `rider` went: refused when its key was taken (the retry of a request, not a database failure). */
export const settleRider = (rider: Rider, outcome: { readonly failure: unknown } | undefined) => {
  if (outcome === undefined) return void (rider.state = "carried")
  rider.state = "refused"
  if (isUniqueViolation(outcome.failure, rider.conflict)) reportElsewhere(outcome.failure as object)
}

const LEADING_WITH = /^\s*with\s/i

/** `text` with `rider` as its first common table expression, the rider's placeholders after its own `count`. */
const withRiderText = (rider: Rider, text: string, count: number) => {
  const columns = Object.keys(rider.row)
  const riderText = `insert into ${rider.table} (${columns.join(", ")}) values (${columns.map((_, i) => `$${count + i + 1}`).join(", ")})`
  const match = LEADING_WITH.exec(text)
  return match === null
    ? `with provisio_rider as (${riderText}) ${text}`
    : `with provisio_rider as (${riderText}), ${text.slice(match[0].length)}`
}
