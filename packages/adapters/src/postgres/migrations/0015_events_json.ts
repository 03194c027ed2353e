import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * Events are written once and read whole (by the outbox and `GET /events`), never queried inside:
 * their data is `json`, kept as written, rather than `jsonb`, which parses and re-encodes every
 * document on insert. A billing run writes thousands of them, each an invoice with its lines.
 * Where the server has it, lz4 compresses them (several times faster than the default pglz);
 * PGlite has no lz4 and keeps the default.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`alter table events alter column data type json using data::json`
  yield* sql.unsafe(`
    do $$
    begin
      alter table events alter column data set compression lz4;
    exception when feature_not_supported then
      null;
    end
    $$`)
})
