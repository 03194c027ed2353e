import type { SqlClient } from "@effect/sql/SqlClient"
import type { ExportKind, ExportQuery } from "@provisio/core/exports/model"
import type { PersistenceError } from "@provisio/core/shared/errors"
import * as Effect from "effect/Effect"
import { orPersistenceError } from "../persistence.js"
import { invoiceScope } from "./keyset.js"

/**
 * How many rows an export will have, for a progress bar: one aggregate over the same rows the
 * batches read (rated usage: its distinct days per usage line).
 */
export const exportCount = (sql: SqlClient, kind: ExportKind, query: ExportQuery): Effect.Effect<number, PersistenceError> => {
  const counted = (() => {
    switch (kind) {
      case "invoices":
        return sql<{ readonly n: string }>`
          select ((select count(*) from invoices i where ${invoiceScope(sql, query)})
                + (select count(*) from upstream_invoices i where ${invoiceScope(sql, query)}))::text as n`
      case "invoice-lines":
        return sql<{ readonly n: string }>`
          select ((select count(*) from invoices i join invoice_lines l on l.invoice_id = i.id where ${invoiceScope(sql, query)})
                + (select count(*) from upstream_invoices i join upstream_invoice_lines l on l.invoice_id = i.id
                    where ${invoiceScope(sql, query)}))::text as n`
      case "rated-usage":
        return sql<{ readonly n: string }>`
          select coalesce(sum(greatest(d.days, 1)), 0)::text as n
            from invoices i join invoice_lines l on l.invoice_id = i.id and l.kind = 'usage'
            cross join lateral (
              select count(distinct (r.occurred_at at time zone 'UTC')::date) as days from usage_records r
               where r.subscription_id = l.subscription_id and r.sku_id = l.sku_id and r.period_start = l.period_start
                 and r.occurred_at >= l.period_start and r.occurred_at < coalesce(l.period_end, 'infinity'::timestamptz)
            ) d
           where ${invoiceScope(sql, query)}`
      case "commissions":
        return sql<{ readonly n: string }>`
          select count(*)::text as n
            from invoices i join invoice_lines l on l.invoice_id = i.id
            cross join lateral unnest(i.lineage) as above (account_id)
            join accounts a on a.id = above.account_id
             and a.kind in ('distributor', 'partner') and a.lineage @> array[${query.within}]::text[]
           where ${invoiceScope(sql, query)} and i.status in ('finalized', 'paid')`
    }
  })()
  return orPersistenceError(Effect.map(counted, (rows) => Number(rows[0]?.n ?? 0)))
}
