import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * Rate limits from leases (issue "The request path at the physical limit"): a process takes
 * several tokens of a bucket at once and spends them in memory. A take answers how many it got:
 * kept on the row, since a RETURNING clause sees the row as updated, not as it was.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`alter table rate_limit_buckets add column granted integer not null default 0`
})
