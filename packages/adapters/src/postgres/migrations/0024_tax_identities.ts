import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * Who sells to whom, for tax and documents (issue "Order-to-cash II"): a customer's tax id and
 * exemption, and an issuing account's legal details (its settings' `legal` section).
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    alter table customers
      add column tax_id text,
      add column tax_exempt text not null default 'none' check (tax_exempt in ('none', 'exempt', 'reverse_charge'))`
  yield* sql`alter table account_settings add column legal jsonb not null default '{}'`
})
