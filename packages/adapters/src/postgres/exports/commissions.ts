import type { SqlClient } from "@effect/sql/SqlClient"
import { COMMISSION_COLUMNS, type CommissionColumn, type ExportBatch, type ExportQuery, type ExportRow } from "@provisio/core/exports/model"
import type { PersistenceError } from "@provisio/core/shared/errors"
import * as Effect from "effect/Effect"
import { ruleInForce } from "../commissions.js"
import { creditedLines, notSpentInvoiceCredit } from "../credited-lines.js"
import { orPersistenceError } from "../persistence.js"
import { afterKey, LINE_NUMBER_SQL, lineBatch, ROWS_PER_BATCH, selectList } from "./keyset.js"

/**
 * Commission entries: each line of the month's finalized and paid invoices, once for every
 * distributor and partner of the caller's scope above its customer, at that account's rule in
 * force on the month's first day (`ruleInForce`, the summary's own). Keyed by invoice, line and account.
 * Then the month's credit notes (`creditedLines`, as the summary takes them off): one negative
 * entry per note, line credited and account, keyed by note, line and account after a first
 * element `CREDITS` that says the invoices are done.
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
  statement_id: "st.id",
  credit_note_id: "null"
}

/** The same columns for a credit note's entry: `l` is a row of `creditedLines`, `i` its invoice. */
const CREDIT_EXPRESSIONS: Record<CommissionColumn, string> = {
  ...EXPRESSIONS,
  period: "l.period",
  currency: "l.currency",
  line_number: "l.line::text",
  credit_note_id: "l.credit_note_id"
}

const CREDIT_SELECT = selectList(CREDIT_EXPRESSIONS, COMMISSION_COLUMNS)

const CREDITS = "~credits"

const SELECT = selectList(EXPRESSIONS, COMMISSION_COLUMNS)

type EntryRow = ExportRow & { readonly position: number }

type CreditRow = ExportRow & { readonly line: number }

/** A batch of the month's credit note entries after `after` (a `CREDITS` key). */
const creditBatch = (sql: SqlClient, query: ExportQuery, after: ReadonlyArray<string | number>) =>
  orPersistenceError(Effect.map(
    sql<CreditRow>`
      select ${sql.literal(CREDIT_SELECT)}, l.line
        from (${creditedLines(sql, query.period)}) l
        join invoices i on i.id = l.invoice_id
        cross join lateral unnest(l.lineage) as above (account_id)
        join accounts a on a.id = above.account_id
         and a.kind in ('distributor', 'partner') and a.lineage @> array[${query.within}]::text[]
        ${ruleInForce(sql, query.period)}
        left join commission_statements st
          on st.account_id = a.id and st.period = l.period and st.currency = l.currency
         and (st.status = 'open' or l.credited_at <= st.settled_at)
       where l.lineage @> array[${query.within}]::text[]
         and ${afterKey(sql, ["l.credit_note_id", "l.line", "a.id"], after.slice(1))}
       order by l.credit_note_id, l.line, a.id limit ${ROWS_PER_BATCH}`,
    (rows): ExportBatch<ExportRow> => ({
      rows,
      next: rows.length === ROWS_PER_BATCH ? [CREDITS, rows[rows.length - 1]!["credit_note_id"]!, rows[rows.length - 1]!.line, rows[rows.length - 1]!["account_id"]!] : null
    })
  ))

export const commissionBatch = (sql: SqlClient, query: ExportQuery): Effect.Effect<ExportBatch<ExportRow>, PersistenceError> =>
  query.after !== null && query.after[0] === CREDITS
    ? creditBatch(sql, query, query.after)
    : Effect.map(invoiceBatch(sql, query), (batch) => ({ rows: batch.rows, next: batch.next ?? [CREDITS, "", 0, ""] }))

const invoiceBatch = (sql: SqlClient, query: ExportQuery) =>
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
           and (st.status = 'open' or i.finalized_at <= st.settled_at)
         where i.id = any(${ids}::text[]) and ${notSpentInvoiceCredit(sql)}
           and ${afterKey(sql, ["l.invoice_id", "l.position", "a.id"], query.after)}
         order by l.invoice_id, l.position, a.id limit ${limit}`,
    keyOf: (row) => [row["invoice_id"]!, row.position, row["account_id"]!],
    pastInvoice: (id) => [id, 2_147_483_647, ""]
  })
