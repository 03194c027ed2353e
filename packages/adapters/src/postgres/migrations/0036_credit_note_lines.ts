import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * What each credit note credited of each invoice line (docs/billing.md "Credit notes"): a line is
 * never credited beyond what is left of it across the invoice's notes, and commissions take a
 * credit off the rule of the line it credits. `line` is the line's place (from 1) in the
 * invoice's `lines`, as the API names it. A note without rows (a gross amount, a refund, or a
 * note written before this table) is spread over the invoice's lines in proportion to their net.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    create table credit_note_lines (
      credit_note_id text not null references credit_notes (id),
      invoice_id text not null,
      line integer not null,
      amount numeric not null,
      quantity numeric,
      primary key (credit_note_id, line)
    )`
  yield* sql`create index credit_note_lines_invoice on credit_note_lines (invoice_id, line)`
})
