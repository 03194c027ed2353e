import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * The month's credit notes that take revenue off invoices (kinds `invoice` and `refund`), by the
 * instant they were issued: commissions, channel margins and the commission export read them
 * through `creditedLines` (credited-lines.ts) with `kind in ('invoice', 'refund')` and a
 * `created_at` range. Partial on that very predicate so the planner can prove the query implies it;
 * balance credit (most notes: overpayments, voids, POST /credits) stays out of it.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    create index credit_notes_credited_at on credit_notes (created_at)
     where kind in ('invoice', 'refund')`
})
