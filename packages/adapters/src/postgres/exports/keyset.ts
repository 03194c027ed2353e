import type { SqlClient } from "@effect/sql/SqlClient"
import type { Fragment } from "@effect/sql/Statement"
import type { ExportBatch, ExportKey, ExportQuery } from "@provisio/core/exports/model"
import type { PersistenceError } from "@provisio/core/shared/errors"
import * as Effect from "effect/Effect"
import { pgArray } from "../arrays.js"
import { orPersistenceError } from "../persistence.js"

/**
 * How exports read a month in keyset batches: each batch is a short query (or two) starting
 * where the last one stopped, so nothing holds a cursor or a connection between batches, and a
 * month of any size costs the same memory. Line-level exports first take a window of the
 * month's invoices in id order (the `invoices_period` index), then at most `ROWS_PER_BATCH` of
 * their lines after the key (the lines' primary key): a query per batch never sorts the month.
 */

export const ROWS_PER_BATCH = 1_000
export const INVOICES_PER_WINDOW = 200

/** Beyond any line position: a key that skips every line of its invoice. */
const PAST_LAST_LINE = 2_147_483_647

/** The select list `expression as "column"` of an export, in the columns' order. */
/**
 * A customer invoice line's `line_number` (`invoice_lines l`): its place among its invoice's lines,
 * from 1, as `GET /invoices/{id}` lists them. Not `position + 1`: billing writes an invoice's first
 * line at position 1 (after the last, or 0), and a re-rated draft's lines leave gaps.
 */
export const LINE_NUMBER_SQL =
  "(select count(*) from invoice_lines n where n.invoice_id = l.invoice_id and n.position <= l.position)"

export const selectList = (expressions: Readonly<Record<string, string>>, columns: ReadonlyArray<{ readonly name: string }>) =>
  columns.map((column) => `${expressions[column.name]} as "${column.name}"`).join(", ")

/** Where the caller reaches: an invoice whose lineage holds the caller's account. */
export const invoiceScope = (sql: SqlClient, query: ExportQuery, alias = "i") =>
  sql`${sql.literal(alias)}.period = ${query.period} and ${sql.literal(alias)}.lineage @> array[${query.within}]::text[]`

/** `(a, b, ...) > (key)` on the given columns, or nothing for the first batch. */
export const afterKey = (sql: SqlClient, columns: ReadonlyArray<string>, key: ExportKey | null): Fragment =>
  key === null
    ? sql`true`
    : sql`(${sql.literal(columns.join(", "))}) > (${sql.csv(key.map((value) => sql`${value}`))})`

/**
 * A batch of line-level rows: the window of invoices from the key's invoice on (`statuses`:
 * only those), then `readRows` of their lines after the key. When the rows fill a batch the next
 * starts after the last; otherwise after the window's last invoice, or nowhere if it was the last window.
 */
export const lineBatch = <Row>(
  sql: SqlClient,
  query: ExportQuery,
  options: {
    readonly statuses?: ReadonlyArray<string>
    /** Upstream invoices in the window too (their lines are `readRows`' to read): the invoice-lines export. */
    readonly withUpstream?: boolean
    readonly rowsPerBatch?: number
    readonly readRows: (invoiceIds: string, limit: number) => Effect.Effect<ReadonlyArray<Row>, any>
    readonly keyOf: (row: Row) => ExportKey
    /** The key that passes every row of an invoice (its id, then past every line). */
    readonly pastInvoice?: (invoiceId: string) => ExportKey
  }
): Effect.Effect<ExportBatch<Row>, PersistenceError> =>
  orPersistenceError(Effect.gen(function* () {
    const from = query.after === null ? null : String(query.after[0])
    const windowOf = (table: string) => sql`
      (select id from ${sql.literal(table)} i
        where ${invoiceScope(sql, query)}
          ${options.statuses === undefined ? sql`` : sql`and status = any(${pgArray(options.statuses)}::text[])`}
          ${from === null ? sql`` : sql`and id >= ${from}`}
        order by id limit ${INVOICES_PER_WINDOW})`
    const window = yield* sql<{ readonly id: string }>`
      select id from (${windowOf("invoices")}
                      ${options.withUpstream === true ? sql`union all ${windowOf("upstream_invoices")}` : sql``}) w
       order by id limit ${INVOICES_PER_WINDOW}`
    if (window.length === 0) return { rows: [], next: null }
    const limit = options.rowsPerBatch ?? ROWS_PER_BATCH
    const rows = yield* options.readRows(pgArray(window.map((w) => w.id)), limit)
    const lastInvoice = window[window.length - 1]!.id
    const next: ExportKey | null = rows.length === limit
      ? options.keyOf(rows[rows.length - 1]!)
      : window.length === INVOICES_PER_WINDOW
      ? (options.pastInvoice ?? ((id: string) => [id, PAST_LAST_LINE]))(lastInvoice)
      : null
    return { rows, next }
  }))
