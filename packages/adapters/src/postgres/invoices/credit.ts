import type * as SqlClient from "@effect/sql/SqlClient"
import type * as Statement from "@effect/sql/Statement"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import { pgArray } from "../arrays.js"
import { minorUnitsSql } from "../json.js"

/**
 * Credit from the customers' notes, oldest note first, up to each subtotal of the invoices
 * `subjects` selects: a credit line on the invoice and the note's remaining lowered.
 */
export const applyCustomerCredit = (sql: SqlClient.SqlClient, subjects: Statement.Fragment, at: DateTime.Utc) =>
  Effect.gen(function* () {
    const iso = DateTime.formatIso
    const notes = yield* sql<{ readonly id: string }>`
      select c.id from credit_notes c
       where c.remaining > 0
         and (c.customer_id, c.currency) in (select customer_id, currency from (${subjects}) s)
       order by c.id for update`
    if (notes.length > 0) {
      // Credit, oldest note first, up to each subtotal. Per customer and currency the invoices
      // (by id) and the notes (oldest first) each make a running total; an invoice takes from
      // a note what their two intervals on that line share.
      yield* sql`
        with charges as (
          select i.id, i.customer_id, i.currency,
                 -- Credit is applied after tax: up to the gross (net lines + their tax).
                 coalesce((select sum(l.amount) from invoice_lines l where l.invoice_id = i.id and l.kind <> 'credit'), 0)
                   + (select t.tax_total from provisio_invoice_tax(i.id, ${sql.unsafe(minorUnitsSql("i.currency"))}) t) as subtotal,
                 coalesce((select max(l.position) from invoice_lines l where l.invoice_id = i.id), 0) as last_position
            from (${subjects}) i
        ),
        needs as (
          select c.*, sum(c.subtotal) over w - c.subtotal as lower, sum(c.subtotal) over w as upper
            from charges c where c.subtotal > 0
          window w as (partition by c.customer_id, c.currency order by c.id)
        ),
        credits as (
          select n.id, n.customer_id, n.currency,
                 sum(n.remaining) over w - n.remaining as lower, sum(n.remaining) over w as upper
            from credit_notes n
           where n.id = any(${pgArray(notes.map((n) => n.id))}::text[]) and n.remaining > 0
          window w as (partition by n.customer_id, n.currency order by n.created_at, n.id)
        ),
        allocations as (
          select d.id as invoice_id, c.id as credit_note_id, d.last_position,
                 least(d.upper, c.upper) - greatest(d.lower, c.lower) as amount,
                 row_number() over (partition by d.id order by c.lower) as k
            from needs d
            join credits c on c.customer_id = d.customer_id and c.currency = d.currency
                          and c.lower < d.upper and d.lower < c.upper
        ),
        credit_lines as (
          insert into invoice_lines (invoice_id, position, kind, description, amount, details, credit_note_id)
          select invoice_id, last_position + k, 'credit', 'Credit note ' || credit_note_id, -amount, '{}', credit_note_id
            from allocations
        )
        update credit_notes n set remaining = n.remaining - a.amount, updated_at = ${iso(at)}
          from (select credit_note_id, sum(amount) as amount from allocations group by credit_note_id) a
         where n.id = a.credit_note_id`
    }
  })

