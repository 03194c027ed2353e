import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * Emails go through the delivery engine (kind `email`, target `smtp`), and a customer names
 * the language its emails and documents are written in (`en` unless set).
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // The check on kind, whatever its name.
  yield* sql.unsafe(`
    do $$ declare c record; begin
      for c in select conname from pg_constraint
                where conrelid = 'deliveries'::regclass and contype = 'c' and pg_get_constraintdef(oid) like '%kind%'
      loop execute format('alter table deliveries drop constraint %I', c.conname); end loop;
    end $$`)
  yield* sql`alter table deliveries add constraint deliveries_kind_check check (kind in ('provisioning', 'webhook', 'email'))`
  yield* sql`alter table customers add column language text not null default 'en'`
})
