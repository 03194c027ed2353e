import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * Webhooks get a time-out of their own, as provisioning targets have: one receiver may need
 * longer than another. Existing webhooks keep the 10 s every webhook call had until now, and the
 * check is the targets' (0009), so the database refuses what the API would.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    alter table webhooks
      add column timeout_ms integer not null default 10000 check (timeout_ms between 100 and 60000)`
})
