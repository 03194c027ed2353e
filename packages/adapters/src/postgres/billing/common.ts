import type { SqlError } from "@effect/sql/SqlError"
import type { SqlClient } from "@effect/sql/SqlClient"
import type { PeriodKey } from "@provisio/core/billing/ports"
import * as DateTime from "effect/DateTime"
import type * as Cause from "effect/Cause"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { Column } from "../arrays.js"
import { epochMillisSql, fromEpochMillisSql } from "../json.js"

/**
 * What the billing repositories share. Every method of theirs is one statement over all the rows
 * it is given, passed as arrays (`unnest`) or one jsonb parameter (`jsonb_to_recordset`), so a
 * chunk of a run costs the same number of statements for 5 customers or 500. NUMERIC travels as text.
 */

export type Failure = SqlError | ParseResult.ParseError | Cause.NoSuchElementException

export const iso = (at: DateTime.Utc) => DateTime.formatIso(at)

export const instant = (millis: number) => DateTime.unsafeMake(millis)

export const decode = <A, I>(schema: Schema.Schema<A, I>) => (rows: ReadonlyArray<unknown>) =>
  Schema.decodeUnknown(Schema.Array(schema))(rows)

/** A timestamptz column as epoch milliseconds, and epoch milliseconds as a timestamptz. */
export const epochMillis = (sql: SqlClient) => ({
  millisOf: (column: string) => sql.unsafe(epochMillisSql(column)),
  fromMillis: (millis: string) => sql.unsafe(fromEpochMillisSql(millis))
})

/** Periods as the columns of a set (`unnestRows`): subscription_id, start_ms, end_ms. */
export const periodColumns = (periods: ReadonlyArray<PeriodKey>) => ({
  subscription_id: { type: "text", values: periods.map((p) => p.subscription_id) } satisfies Column<string>,
  start_ms: { type: "int8", values: periods.map((p) => DateTime.toEpochMillis(p.period_start)) } satisfies Column<number>,
  end_ms: { type: "int8", values: periods.map((p) => DateTime.toEpochMillis(p.period_end)) } satisfies Column<number>
})
