import type { SqlClient } from "@effect/sql/SqlClient"
import {
  type ExportBatch,
  type ExportQuery,
  type ExportRow,
  INVOICE_COLUMNS,
  INVOICE_LINE_COLUMNS,
  type InvoiceColumn,
  type InvoiceLineColumn
} from "@provisio/core/exports/model"
import type { PersistenceError } from "@provisio/core/shared/errors"
import * as Effect from "effect/Effect"
import { isoSql, minorUnitsSql } from "../json.js"
import { UPSTREAM_DUE } from "../channel/upstream-read.js"
import { orPersistenceError } from "../persistence.js"
import { afterKey, invoiceScope, LINE_NUMBER_SQL, lineBatch, ROWS_PER_BATCH, selectList } from "./keyset.js"

/**
 * Every column as text: decimals exactly as stored, times ISO 8601 UTC. A customer's invoice
 * (`invoices i`, its customer and partner joined) has no `bill_to_account_id`; an upstream
 * invoice (`upstream_invoices i`, UPSTREAM_EXPRESSIONS) has no customer.
 */
const INVOICE_EXPRESSIONS: Record<InvoiceColumn, string> = {
  invoice_id: "i.id",
  number: "i.number",
  status: "i.status",
  period: "i.period",
  issuer_account_id: "i.issuer_account_id",
  customer_id: "i.customer_id",
  customer_external_id: "c.external_id",
  customer_name: "c.name",
  partner_id: "c.partner_id",
  partner_name: "p.name",
  currency: "i.currency",
  subtotal: "i.subtotal::text",
  tax_total: "i.tax_total::text",
  total: "i.total::text",
  amount_paid: "i.amount_paid::text",
  amount_due: "i.amount_due::text",
  created_at: isoSql("i.created_at"),
  finalized_at: isoSql("i.finalized_at"),
  due_date: "i.due_date::text",
  paid_at: isoSql("i.paid_at"),
  voided_at: isoSql("i.voided_at"),
  bill_to_account_id: "null::text"
}

/** An upstream invoice's row, from `upstream_invoices i`: no customer, the account billed. */
const UPSTREAM_EXPRESSIONS: Record<InvoiceColumn, string> = {
  ...INVOICE_EXPRESSIONS,
  customer_id: "null::text",
  customer_external_id: "null::text",
  customer_name: "null::text",
  partner_id: "null::text",
  partner_name: "null::text",
  amount_due: `${UPSTREAM_DUE("i")}::text`,
  bill_to_account_id: "i.bill_to_account_id"
}

const LINE_EXPRESSIONS: Record<InvoiceLineColumn, string> = {
  invoice_id: "i.id",
  invoice_number: "i.number",
  invoice_status: "i.status",
  period: "i.period",
  issuer_account_id: "i.issuer_account_id",
  customer_id: "i.customer_id",
  currency: "i.currency",
  line_number: `${LINE_NUMBER_SQL}::text`,
  kind: "l.kind",
  description: "l.description",
  subscription_id: "l.subscription_id",
  product_id: "l.product_id",
  plan_id: "l.plan_id",
  sku_id: "l.sku_id",
  period_start: isoSql("l.period_start"),
  period_end: isoSql("l.period_end"),
  quantity: "l.quantity::text",
  unit_price: "l.unit_price::text",
  amount: "l.amount::text",
  tax_rate: "l.tax_rate::text",
  tax_category: "l.tax_category",
  bill_to_account_id: "null::text"
}

/** An upstream invoice's lines (`upstream_invoice_lines l`), as `GET /invoices` shows them. */
const UPSTREAM_LINE_EXPRESSIONS: Record<InvoiceLineColumn, string> = {
  ...LINE_EXPRESSIONS,
  customer_id: "null::text",
  kind: "case when l.sku_id is null then 'recurring' else 'usage' end",
  subscription_id: "null::text",
  product_id: "null::text",
  period_start: "null::text",
  period_end: "null::text",
  unit_price: "null::text",
  amount: `round(l.amount, ${minorUnitsSql("i.currency")})::text`,
  // Written at once, from position 0 without gaps.
  line_number: "(l.position + 1)::text",
  bill_to_account_id: "i.bill_to_account_id"
}

const INVOICE_SELECT = selectList(INVOICE_EXPRESSIONS, INVOICE_COLUMNS)
const UPSTREAM_SELECT = selectList(UPSTREAM_EXPRESSIONS, INVOICE_COLUMNS)
const LINE_SELECT = selectList(LINE_EXPRESSIONS, INVOICE_LINE_COLUMNS)
const UPSTREAM_LINE_SELECT = selectList(UPSTREAM_LINE_EXPRESSIONS, INVOICE_LINE_COLUMNS)

/** The month's invoices, customers' and upstream ones, in id order, a batch after the last id. */
export const invoiceBatch = (sql: SqlClient, query: ExportQuery): Effect.Effect<ExportBatch<ExportRow>, PersistenceError> =>
  orPersistenceError(Effect.map(
    sql<ExportRow>`
      (select ${sql.literal(INVOICE_SELECT)}
         from invoices i
         left join customers c on c.id = i.customer_id
         left join accounts p on p.id = c.partner_id
        where ${invoiceScope(sql, query)} and ${afterKey(sql, ["i.id"], query.after)}
        order by i.id limit ${ROWS_PER_BATCH})
      union all
      (select ${sql.literal(UPSTREAM_SELECT)}
         from upstream_invoices i
        where ${invoiceScope(sql, query)} and ${afterKey(sql, ["i.id"], query.after)}
        order by i.id limit ${ROWS_PER_BATCH})
      order by 1 limit ${ROWS_PER_BATCH}`,
    (rows) => ({ rows, next: rows.length === ROWS_PER_BATCH ? [rows[rows.length - 1]!["invoice_id"]!] : null })
  ))

/** Key of a line row: its invoice and position (the row shows its place among the invoice's lines). */
type LineRow = ExportRow & { readonly position: number }

export const invoiceLineBatch = (sql: SqlClient, query: ExportQuery): Effect.Effect<ExportBatch<ExportRow>, PersistenceError> =>
  lineBatch<LineRow>(sql, query, {
    withUpstream: true,
    readRows: (ids, limit) =>
      sql<LineRow>`
        (select ${sql.literal(LINE_SELECT)}, l.position
           from invoice_lines l join invoices i on i.id = l.invoice_id
          where l.invoice_id = any(${ids}::text[]) and ${afterKey(sql, ["l.invoice_id", "l.position"], query.after)}
          order by l.invoice_id, l.position limit ${limit})
        union all
        (select ${sql.literal(UPSTREAM_LINE_SELECT)}, l.position
           from upstream_invoice_lines l join upstream_invoices i on i.id = l.invoice_id
          where l.invoice_id = any(${ids}::text[]) and ${afterKey(sql, ["l.invoice_id", "l.position"], query.after)}
          order by l.invoice_id, l.position limit ${limit})
        order by 1, position limit ${limit}`,
    keyOf: (row) => [row["invoice_id"]!, row.position]
  })
