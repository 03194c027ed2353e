import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * Billing runs at scale (issue 7, second part).
 *
 * - A run is cut into chunks of customers when it starts; any number of executors (fibers of one
 *   process, or several processes) claim pending chunks with `SKIP LOCKED`, each chunk one
 *   transaction, so a run spreads over workers without a coordinator and a crash loses only the
 *   chunk in flight. The chunk's row is marked done in the transaction that bills it.
 * - The usage of a subscription period is summed from an index that carries the quantity, so a
 *   chunk reads its periods' records from the index alone (no heap visits).
 * - A run writes lines and billed periods by the ten thousand, and a foreign key checks every row
 *   by a query of its own (half the cost of inserting a line). Both are written only with the
 *   invoice they belong to, in its transaction (billing and invoices adapters), so the keys go;
 *   what their `on delete cascade` did, one statement-level trigger on invoices does.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  // Customers (first_customer, last_customer] in id order; the last chunk is open-ended, so a
  // customer created while the run works is billed by it too.
  yield* sql`
    create table billing_run_chunks (
      run_id text not null references billing_runs (id) on delete cascade,
      chunk integer not null,
      after_customer text,
      last_customer text,
      done_at timestamptz,
      primary key (run_id, chunk)
    )`
  yield* sql`create index billing_run_chunks_pending on billing_run_chunks (run_id, chunk) where done_at is null`
  yield* sql`alter table billing_runs drop column cursor`

  yield* sql`alter table invoice_lines drop constraint invoice_lines_invoice_id_fkey`
  yield* sql`alter table billed_periods drop constraint billed_periods_invoice_id_fkey`
  yield* sql.unsafe(`
    create function invoices_deleted() returns trigger language plpgsql as $body$
    begin
      delete from invoice_lines where invoice_id in (select id from gone);
      delete from billed_periods where invoice_id in (select id from gone);
      return null;
    end
    $body$`)
  yield* sql.unsafe(`
    create trigger invoices_deleted after delete on invoices
    referencing old table as gone for each statement execute function invoices_deleted()`)

  yield* sql`create index usage_records_billing on usage_records (subscription_id, period_start, sku_id) include (quantity)`
  yield* sql`drop index usage_records_period`
})
