import type { SqlClient } from "@effect/sql/SqlClient"
import { COMMISSION_COLUMNS, type CommissionColumn, type ExportBatch, type ExportQuery, type ExportRow } from "@provisio/core/exports/model"
import type { PersistenceError } from "@provisio/core/shared/errors"
import type * as Effect from "effect/Effect"
import { ruleInForce } from "../commissions.js"
import { afterKey, LINE_NUMBER_SQL, lineBatch, selectList } from "./keyset.js"

/**
 * Commission entries: each line of the month's finalized and paid invoices, once for every
 * distributor and partner of the caller's scope above its customer, at that account's rule in
 * force on the month's first day (`ruleInForce`, the summary's own). Keyed by invoice, line and account.
 */

const EXPRESSIONS: Record<CommissionColumn, string> = {
  account_id: "a.id",
  account_kind: "a.kind",
  account_name: "a.name",
  period: "i.period",
  currency: "i.currency",
  invoice_id: "i.id",
  invoice_number: "i.number",
  invoice_status: "i.status",
  customer_id: "i.customer_id",
  line_number: `${LINE_NUMBER_SQL}::text`,
  product_id: "l.product_id",
  plan_id: "l.plan_id",
  net_amount: "l.amount::text",
  rule_id: "r.id",
  percentage: "coalesce(r.percentage, 0)::text",
  commission_exact: "coalesce(l.amount * r.percentage * 0.01, 0)::text",
  statement_id: "st.id"
}

const SELECT = selectList(EXPRESSIONS, COMMISSION_COLUMNS)

type EntryRow = ExportRow & { readonly position: number }

export const commissionBatch = (sql: SqlClient, query: ExportQuery): Effect.Effect<ExportBatch<ExportRow>, PersistenceError> =>
  lineBatch<EntryRow>(sql, query, {
    statuses: ["finalized", "paid"],
    readRows: (ids, limit) =>
      sql<EntryRow>`
        select ${sql.literal(SELECT)}, l.position
          from invoices i
          join invoice_lines l on l.invoice_id = i.id
          cross join lateral unnest(i.lineage) as above (account_id)
          join accounts a on a.id = above.account_id
           and a.kind in ('distributor', 'partner') and a.lineage @> array[${query.within}]::text[]
          ${ruleInForce(sql, query.period)}
          left join commission_statements st
            on st.account_id = a.id and st.period = i.period and st.currency = i.currency
         where i.id = any(${ids}::text[])
           and ${afterKey(sql, ["l.invoice_id", "l.position", "a.id"], query.after)}
         order by l.invoice_id, l.position, a.id limit ${limit}`,
    keyOf: (row) => [row["invoice_id"]!, row.position, row["account_id"]!],
    pastInvoice: (id) => [id, 2_147_483_647, ""]
  })
