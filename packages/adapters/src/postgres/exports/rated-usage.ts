import type { SqlClient } from "@effect/sql/SqlClient"
import type { ExportBatch, ExportQuery, RatedUsageLine } from "@provisio/core/exports/model"
import type { PersistenceError } from "@provisio/core/shared/errors"
import type { Currency } from "@provisio/core/shared/money"
import * as BigDecimal from "effect/BigDecimal"
import * as Effect from "effect/Effect"
import { afterKey, LINE_NUMBER_SQL, lineBatch } from "./keyset.js"

/**
 * Usage lines of the month's invoices, each with its UTC days: the quantity of its records per
 * day, summed from the records of that subscription, SKU and billing period (the same records
 * whose running total the line was rated on). A line spans at most a period's days, so a batch
 * of lines is a bounded number of rows.
 */

/**
 * Usage lines per batch: with up to 31 days each, about the 1,000 rows of the other exports'
 * batches. Larger batches read no faster and leave more garbage in the old generation (a
 * batch's objects outlive the young collections while its query runs).
 */
const LINES_PER_BATCH = 32

interface UsageLineRow {
  readonly invoice_id: string
  readonly position: number
  readonly line_number: number
  readonly invoice_number: string | null
  readonly invoice_status: string
  readonly subscription_id: string | null
  readonly customer_id: string | null
  readonly partner_id: string | null
  readonly sku_id: string | null
  readonly sku_code: string | null
  readonly sku_name: string | null
  readonly unit: string | null
  readonly product_id: string | null
  readonly currency: string
  readonly amount: string
  readonly first_day: string
  readonly days: ReadonlyArray<string> | null
  readonly quantities: ReadonlyArray<string> | null
}

const toLine = (r: UsageLineRow): RatedUsageLine => ({
  row: {
    subscription_id: r.subscription_id,
    customer_id: r.customer_id,
    partner_id: r.partner_id,
    sku_id: r.sku_id,
    sku_code: r.sku_code,
    sku_name: r.sku_name,
    unit: r.unit,
    product_id: r.product_id,
    currency: r.currency,
    invoice_id: r.invoice_id,
    invoice_number: r.invoice_number,
    invoice_status: r.invoice_status,
    line_number: String(r.line_number)
  },
  currency: r.currency as Currency,
  amount: BigDecimal.unsafeFromString(r.amount),
  first_day: r.first_day,
  days: (r.days ?? []).map((date, i) => ({ date, quantity: BigDecimal.unsafeFromString(r.quantities![i]!) }))
})

export const ratedUsageBatch = (sql: SqlClient, query: ExportQuery): Effect.Effect<ExportBatch<RatedUsageLine>, PersistenceError> =>
  Effect.map(
    lineBatch<UsageLineRow>(sql, query, {
      rowsPerBatch: LINES_PER_BATCH,
      readRows: (ids, limit) =>
        sql<UsageLineRow>`
          with lines as (
            select l.invoice_id, l.position, ${sql.literal(LINE_NUMBER_SQL)}::int as line_number, i.number as invoice_number, i.status as invoice_status,
                   l.subscription_id, i.customer_id, c.partner_id, l.sku_id, l.product_id,
                   i.currency, l.amount, l.period_start, l.period_end
              from invoice_lines l
              join invoices i on i.id = l.invoice_id
              left join customers c on c.id = i.customer_id
             where l.invoice_id = any(${ids}::text[]) and l.kind = 'usage'
               and ${afterKey(sql, ["l.invoice_id", "l.position"], query.after)}
             order by l.invoice_id, l.position limit ${limit}
          )
          select lines.invoice_id, lines.position, lines.line_number, lines.invoice_number, lines.invoice_status, lines.subscription_id,
                 lines.customer_id, lines.partner_id, lines.sku_id, s.code as sku_code, s.name as sku_name, s.unit,
                 lines.product_id, lines.currency, lines.amount::text as amount,
                 (lines.period_start at time zone 'UTC')::date::text as first_day,
                 d.days, d.quantities
            from lines
            left join skus s on s.id = lines.sku_id
            left join lateral (
              select array_agg(day order by day) as days, array_agg(quantity::text order by day) as quantities
                from (select (r.occurred_at at time zone 'UTC')::date::text as day, sum(r.quantity) as quantity
                        from usage_records r
                       where r.subscription_id = lines.subscription_id and r.sku_id = lines.sku_id
                         and r.period_start = lines.period_start
                         and r.occurred_at >= lines.period_start
                         and r.occurred_at < coalesce(lines.period_end, 'infinity'::timestamptz)
                       group by 1) per_day
            ) d on true
           order by lines.invoice_id, lines.position`,
      keyOf: (row) => [row.invoice_id, row.position]
    }),
    (batch) => ({ rows: batch.rows.map(toLine), next: batch.next })
  )
