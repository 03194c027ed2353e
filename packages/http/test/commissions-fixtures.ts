import { SqlClient } from "@effect/sql"
import { makeId } from "@provisio/core/shared/ids"
import { Effect } from "effect"

/**
 * Invoices written straight into the tables, as a billing run and finalization would leave them
 * (the commission tests only need their lines, status and period): lineage and issuer from the
 * customer, subtotal = the lines but credits, total = every line.
 */

export interface FixtureLine {
  readonly kind?: "recurring" | "proration" | "installment" | "usage" | "one_off" | "credit"
  readonly amount: string
  readonly product_id?: string
  readonly plan_id?: string
}

export interface FixtureInvoice {
  readonly customer_id: string
  readonly period: string
  readonly status?: "draft" | "finalized" | "paid" | "void"
  readonly currency?: string
  readonly lines: ReadonlyArray<FixtureLine>
}

/** Inserts one invoice with its lines; answers its id. */
export const insertInvoice = (invoice: FixtureInvoice) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const id = yield* makeId("inv")
    const status = invoice.status ?? "finalized"
    const lines = invoice.lines.map((line) => ({
      kind: line.kind ?? (line.amount.startsWith("-") ? "credit" : "recurring"),
      amount: line.amount,
      product_id: line.product_id ?? null,
      plan_id: line.plan_id ?? null
    }))
    yield* sql`
      with line as (
        select * from jsonb_to_recordset(${JSON.stringify(lines)}::jsonb)
          as l (kind text, amount numeric, product_id text, plan_id text)
      )
      insert into invoices (id, customer_id, lineage, issuer_account_id, status, currency, period,
                            subtotal, total, amount_paid, amount_due, finalized_at, created_at, updated_at)
      select ${id}, c.id, c.lineage, c.partner_id, ${status}, ${invoice.currency ?? "EUR"}, ${invoice.period},
             coalesce((select sum(amount) from line where kind <> 'credit'), 0),
             coalesce((select sum(amount) from line), 0),
             0, coalesce((select sum(amount) from line), 0),
             case when ${status} = 'draft' then null else now() end, now(), now()
      from customers c where c.id = ${invoice.customer_id}`
    yield* sql`
      insert into invoice_lines (invoice_id, position, kind, description, product_id, plan_id, quantity, unit_price, amount)
      select ${id}, l.position, l.kind, l.kind || ' line', l.product_id, l.plan_id,
             case when l.kind = 'credit' then null else 1 end, case when l.kind = 'credit' then null else l.amount end, l.amount
      from rows from (jsonb_to_recordset(${JSON.stringify(lines)}::jsonb)
          as (kind text, amount numeric, product_id text, plan_id text)) with ordinality
        as l (kind, amount, product_id, plan_id, position)`
    return id
  }).pipe(Effect.orDie)

/** The sum of the invoices' stored totals, as Postgres writes it. */
export const sumOfTotals = (ids: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ readonly total: string }>`
      select coalesce(sum(total), 0)::text as total from invoices where id = any(${ids}::text[])`
    return rows[0]!.total
  }).pipe(Effect.orDie)
