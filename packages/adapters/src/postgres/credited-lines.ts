import type * as SqlClient from "@effect/sql/SqlClient"
import type * as Statement from "@effect/sql/Statement"

/**
 * What the credit notes of kind `invoice` and `refund` issued in `period` took off the lines of
 * their invoices (finalized or paid: a voided invoice's revenue is gone already), one row per note
 * and line, `amount` the negative net. A note counts in the month it was issued (UTC), never in its
 * invoice's, so a month already paid out stays as it was. A note that named lines
 * (credit_note_lines) takes what it named; one that named none (a gross amount, a refund, a note
 * written before those rows were kept) its net spread over the invoice's charges in proportion to
 * theirs, as the credit-note plan counts it (packages/core/src/credit-notes/plan.ts), to 12
 * decimal places. Columns:
 * credit_note_id, invoice_id, customer_id, lineage, issuer_account_id, currency, line (its place,
 * from 1), kind, product_id, plan_id, sku_id, amount, period (the note's month), credited_at (when
 * the note was issued).
 */
export const creditedLines = (sql: SqlClient.SqlClient, period: string): Statement.Fragment => {
  const first = `${period}-01`
  return sql`
    select c.id as credit_note_id, i.id as invoice_id, i.customer_id, i.lineage, i.issuer_account_id, i.currency,
           n.line, n.kind, n.product_id, n.plan_id, n.sku_id, -x.amount as amount, ${period}::text as period,
           c.created_at as credited_at
      from credit_notes c
      join invoices i on i.id = c.invoice_id and i.status in ('finalized', 'paid')
      cross join lateral (
        select l.kind, l.product_id, l.plan_id, l.sku_id, l.amount, row_number() over (order by l.position) as line
          from invoice_lines l where l.invoice_id = i.id
      ) n
      cross join lateral (
        select cl.amount from credit_note_lines cl where cl.credit_note_id = c.id and cl.line = n.line
        union all
        -- Its share to 12 places, far finer than any currency, with no trailing zeros: the exact
        -- quotient has 20, and a commission's percentage on top of it overflowed what an amount
        -- holds (20 places), failing the month's summary and statements.
        select trim_scale(round(coalesce(c.subtotal, c.amount) * n.amount / i.subtotal, 12))
         where n.kind <> 'credit' and i.subtotal <> 0
           and not exists (select 1 from credit_note_lines cl where cl.credit_note_id = c.id)
      ) x
     where c.kind in ('invoice', 'refund')
       and c.created_at >= ${first}::date::timestamp at time zone 'UTC'
       and c.created_at < (${first}::date + interval '1 month') at time zone 'UTC'`
}

/**
 * Not a credit line made of an `invoice` note's remaining (a settled invoice's credit spent on a
 * later one): that note already counts, as `creditedLines`, in the month it was issued. `l` is
 * the invoice line.
 */
export const notSpentInvoiceCredit = (sql: SqlClient.SqlClient): Statement.Fragment =>
  sql`(l.credit_note_id is null
       or not exists (select 1 from credit_notes cn where cn.id = l.credit_note_id and cn.kind in ('invoice', 'refund')))`
