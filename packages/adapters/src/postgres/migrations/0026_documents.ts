import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * Documents (issue "Order-to-cash II"): a customer may ask for e-invoices, and its invoice emails
 * then carry the UBL e-invoice beside the PDF. Documents themselves are not stored: they are
 * rendered from the finalized invoice, the same bytes every time (docs/documents.md).
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`alter table customers add column e_invoicing boolean not null default false`
})
