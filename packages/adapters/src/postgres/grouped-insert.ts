import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import { groupedCalls } from "./grouped-statement.js"
import { isRefusedByDatabase } from "./persistence.js"
import { plainStatement, type Rider, settleRider, waitingRider, withRider } from "./plain-statements.js"

/** A row of JSON values: what `json_populate_recordset` takes apart into a table's columns. */
export type JsonRow = Readonly<Record<string, unknown>>

interface Insert {
  readonly row: JsonRow
  readonly rider: Rider | undefined
}

/**
 * Inserts of one row each into `table`, from concurrent callers outside a transaction, sent as one
 * statement (`groupedCalls`: a group commit), each row with the claim riding with its caller
 * (`withRider`), all in one `WITH`. The hottest write of all, `POST /customers` with an idempotency
 * key, then costs a fraction of a statement under load, where it cost one (docs/performance.md,
 * "Eighth step"). A lone caller's row goes as it would alone.
 *
 * PostgreSQL keeps all of a group or none of it. A group refused by one row (a key in use, a
 * duplicate) is sent again a row a statement, so each caller gets the outcome its row alone would
 * have. Each caller gets its own row back, found by `key`, as `select` answers it from the CTE of
 * the rows inserted (named `inserted`). Inside a transaction, or without the pool, a row goes alone
 * on the caller's connection.
 */
export const groupedInsert = (options: {
  readonly table: string
  /** The column that tells the rows apart (their primary key). */
  readonly key: string
  /** The statement's answer from `inserted`, the rows just inserted (`returning *`). */
  readonly select: string
}): Effect.Effect<(row: JsonRow) => Effect.Effect<unknown, SqlError>, never, SqlClient.SqlClient | Scope.Scope> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const statement = yield* plainStatement
    const { key, select, table } = options

    const alone = (row: JsonRow) =>
      Effect.flatMap(
        statement.carrying(sql`with inserted as (insert into ${sql(table)} ${sql.insert(row)} returning *) ${sql.unsafe(select)}`),
        (rows) => rows.length === 1 ? Effect.succeed(rows[0]) : Effect.dieMessage(`groupedInsert: ${rows.length} rows for one`))
    const aloneWith = ({ rider, row }: Insert) => rider === undefined ? alone(row) : withRider(rider, alone(row))

    const together = (inserts: ReadonlyArray<Insert>) => {
      const riders = inserts.flatMap(({ rider }) => rider === undefined ? [] : [rider])
      const columns = Object.keys(inserts[0]!.row)
      const values: Array<string> = [JSON.stringify(inserts.map(({ row }) => row))]
      // One CTE per table the riders go to, ahead of the rows' own, as a rider alone goes.
      const riderTables = [...new Set(riders.map((rider) => rider.table))].map((riderTable, i) => {
        const rows = riders.filter((rider) => rider.table === riderTable).map((rider) => rider.row)
        values.push(JSON.stringify(rows))
        return `provisio_rider_${i} as (${populate(riderTable, Object.keys(rows[0]!), values.length)})`
      })
      const text = `with ${[...riderTables, `inserted as (${populate(table, columns, 1)} returning *)`].join(", ")} ${select}`
      for (const rider of riders) rider.state = "sent"
      return Effect.matchEffect(statement(text, values), {
        onSuccess: (rows) => {
          for (const rider of riders) settleRider(rider, undefined)
          const byKey = new Map(rows.map((row) => [(row as Record<string, unknown>)[key], row]))
          return Effect.succeed(inserts.map(({ row }) =>
            byKey.has(row[key]) ? Exit.succeed(byKey.get(row[key])) : Exit.die(new Error(`groupedInsert: no row ${String(row[key])}`))))
        },
        onFailure: (error) => {
          // Not a statement PostgreSQL refused (a connection lost, say): what it kept is unknown,
          // and the riders stay sent, for their callers to settle as `claimAlong` says.
          if (!isRefusedByDatabase(error)) return Effect.succeed(inserts.map(() => Exit.fail(error)))
          for (const rider of riders) rider.state = "waiting"
          return Effect.forEach(inserts, (insert) => Effect.exit(aloneWith(insert)), { concurrency: "unbounded" })
        }
      })
    }

    // Rows of one shape go together: a column missing from a row would be null in it, where alone it takes its default.
    const send = yield* groupedCalls((inserts: ReadonlyArray<Insert>) => {
      const shapes = new Map<string, Array<number>>()
      inserts.forEach(({ row }, i) => {
        const shape = Object.keys(row).join(",")
        const same = shapes.get(shape)
        if (same === undefined) shapes.set(shape, [i])
        else same.push(i)
      })
      return Effect.map(
        Effect.forEach(shapes.values(), (indexes) => {
          const group = indexes.map((i) => inserts[i]!)
          return Effect.map(
            group.length === 1 ? Effect.map(Effect.exit(aloneWith(group[0]!)), (exit) => [exit]) : together(group),
            (exits) => exits.map((exit, j) => [indexes[j]!, exit] as const))
        }),
        (answered) => answered.flat().sort(([a], [b]) => a - b).map(([, exit]) => exit))
    })

    return (row: JsonRow) =>
      Effect.flatMap(Effect.serviceOption(SqlClient.TransactionConnection), (transaction) =>
        Option.isSome(transaction) || !statement.onPool
          ? alone(row)
          : Effect.flatMap(waitingRider, (rider) => send({ row, rider })))
  })

/** An insert of `columns` from the JSON array of rows in parameter `$n`, typed by `table`'s own row type. */
const populate = (table: string, columns: ReadonlyArray<string>, n: number) => {
  const list = columns.map((column) => `"${column}"`).join(", ")
  return `insert into ${table} (${list}) select ${list} from json_populate_recordset(null::${table}, $${n}::json)`
}
