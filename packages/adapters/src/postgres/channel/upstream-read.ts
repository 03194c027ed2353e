import type * as SqlClient from "@effect/sql/SqlClient"
import type * as Statement from "@effect/sql/Statement"
import type { StoredUpstreamInvoice, UpstreamListFilter } from "@provisio/core/channel/model"
import { UpstreamInvoice } from "@provisio/core/invoices/model"
import { type PageRequest, toPage } from "@provisio/core/shared/pagination"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { isoSql, minorUnitsSql, moneySql, parseJson } from "../json.js"
import { pageClause } from "../pagination.js"

/**
 * Upstream invoices read in the invoice shape (`UpstreamInvoice`, what `GET /invoices` and
 * `/channel/upstream-invoices` answer), written by the database from the row `u` and its lines:
 * a line is `recurring` for a plan and `usage` for a SKU, with no subscription or period of its
 * own; nothing of collection (no finalizes_at, collection method, dispute or payment attempts).
 */
export const upstreamJson = (u: string) => `json_build_object(
  'id', ${u}.id, 'number', ${u}.number, 'customer_id', null, 'issuer_account_id', ${u}.issuer_account_id,
  'bill_to_account_id', ${u}.bill_to_account_id, 'status', ${u}.status, 'currency', ${u}.currency, 'period', ${u}.period,
  'billing_run_id', ${u}.billing_run_id,
  'lines', coalesce((select json_agg(json_build_object(
             'kind', case when l.sku_id is null then 'recurring' else 'usage' end,
             'description', l.description, 'subscription_id', null, 'product_id', null, 'plan_id', l.plan_id,
             'sku_id', l.sku_id, 'period_start', null, 'period_end', null, 'quantity', l.quantity::text, 'unit_price', null,
             'amount', round(l.amount, ${minorUnitsSql(`${u}.currency`)})::text, 'details', '{}'::json,
             'order_item_id', null, 'credit_note_id', null,
             'tax_rate', l.tax_rate::text, 'tax_category', l.tax_category) order by l.position)
           from upstream_invoice_lines l where l.invoice_id = ${u}.id), '[]'),
  'subtotal', ${moneySql(`${u}.subtotal`, `${u}.currency`)},
  'tax', coalesce((select json_agg(json_build_object(
             'category', t->>'category', 'rate', t->>'rate',
             'taxable_amount', json_build_object('amount', t->>'taxable_amount', 'currency', ${u}.currency),
             'tax_amount', json_build_object('amount', t->>'tax_amount', 'currency', ${u}.currency),
             'exemption_reason', t->>'exemption_reason') order by n)
           from jsonb_array_elements(${u}.tax) with ordinality as x(t, n)), '[]'),
  'tax_total', ${moneySql(`${u}.tax_total`, `${u}.currency`)},
  'total', ${moneySql(`${u}.total`, `${u}.currency`)},
  'amount_paid', ${moneySql(`${u}.amount_paid`, `${u}.currency`)},
  'amount_due', ${moneySql(`${UPSTREAM_DUE(u)}`, `${u}.currency`)},
  'finalizes_at', null, 'finalized_at', ${isoSql(`${u}.finalized_at`)},
  'paid_at', ${isoSql(`${u}.paid_at`)}, 'voided_at', ${isoSql(`${u}.voided_at`)},
  'due_at', ${isoSql(`${u}.due_at`)}, 'due_date', ${u}.due_date::text, 'collection_method', null,
  'payment_reference', provisio_creditor_reference(${u}.number), 'disputed', false, 'payment_attempts', '[]'::json,
  'created_at', ${isoSql(`${u}.created_at`)}, 'updated_at', ${isoSql(`${u}.updated_at`)})`

/** What an upstream invoice still owes: nothing once void. */
export const UPSTREAM_DUE = (u: string) => `(case when ${u}.status = 'void' then 0 else ${u}.total - ${u}.amount_paid end)`

const Rows = Schema.Array(Schema.Struct({ invoice: UpstreamInvoice, lineage: Schema.Array(Schema.String) }))

export const decodeUpstream = (rows: ReadonlyArray<{ readonly invoice: unknown; readonly lineage: unknown }>) =>
  Schema.decodeUnknown(Rows)(rows.map((r) => ({ invoice: parseJson(r.invoice), lineage: r.lineage })))

export const selectUpstream = (sql: SqlClient.SqlClient, where: Statement.Fragment) =>
  Effect.flatMap(
    sql<{ readonly invoice: unknown; readonly lineage: unknown }>`
      select ${sql.unsafe(upstreamJson("u"))} as invoice, u.lineage from upstream_invoices u ${where}`,
    decodeUpstream
  )

/**
 * The upstream invoices whose lineage (the billed account's) holds `accountId`: those it issued,
 * those billed to it and those of the accounts below it, by id, with `GET /invoices`'s filters.
 */
export const listUpstream = (sql: SqlClient.SqlClient, accountId: string, filter: UpstreamListFilter, page: PageRequest) =>
  Effect.map(
    selectUpstream(sql, sql`where u.lineage @> array[${accountId}]::text[]
      ${filter.period === undefined ? sql`` : sql`and u.period = ${filter.period}`}
      ${filter.before === undefined ? sql`` : sql`and u.id < ${filter.before}`}
      ${filter.status === undefined ? sql`` : filter.status === "overdue"
        ? sql`and u.status = 'finalized' and u.total > u.amount_paid and u.due_at < ${
          filter.as_of === undefined ? sql`now()` : sql`${DateTime.formatIso(filter.as_of)}::timestamptz`}`
        : sql`and u.status = ${filter.status}`}
      ${pageClause(sql, page, "u.id", filter.newest_first === true)}`),
    (rows) => {
      const paged = toPage(rows.map((r) => ({ id: r.invoice.id, stored: r })), page)
      return { ...paged, items: paged.items.map((i): StoredUpstreamInvoice => i.stored) }
    }
  )
