import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * An invoice's credit notes: every new credit note and refund on an invoice sums the notes before
 * it (`earlierCredits` in credit-notes.ts) under the invoice's lock, and `GET /credit-notes?invoice_id=`
 * lists them. Without an index each of those read every credit note of the database.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`create index credit_notes_invoice on credit_notes (invoice_id) where invoice_id is not null`
})
