import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * The delivery engine at speed (docs/push.md, "The delivery engine"):
 * - wake-ups: a committed insert into the outbox (`events`) or into `deliveries` notifies channel
 *   `provisio_work` (payload `events` or `deliveries`), so idle workers start at once instead of
 *   polling. A statement-level trigger: one notice per statement, folded into one per transaction.
 * - stats: the recent attempts and the dead deliveries by index.
 * - circuits: a target (product or webhook) that keeps failing is backed off as a whole: while
 *   `open_until` is ahead its calls wait; past it, one probe call decides whether it closes.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`
    create function provisio_notify_work() returns trigger language plpgsql as $$
    begin
      perform pg_notify('provisio_work', tg_argv[0]);
      return null;
    end $$`)
  yield* sql`
    create trigger events_notify_work after insert on events
      for each statement execute function provisio_notify_work('events')`
  yield* sql`
    create trigger deliveries_notify_work after insert on deliveries
      for each statement execute function provisio_notify_work('deliveries')`
  yield* sql`
    create table delivery_circuits (
      target text primary key,
      kind text not null,
      failures integer not null default 0,
      opened integer not null default 0,
      open_until timestamptz,
      last_error text,
      updated_at timestamptz not null
    )`
  // Claims walk the due deliveries in the order they are taken (oldest due, then oldest), so a
  // claim reads the few rows it takes rather than sorting every queued one.
  yield* sql`drop index deliveries_due`
  yield* sql`create index deliveries_due on deliveries (next_attempt_at, seq) where status in ('pending', 'retrying')`
  // A claim only sets `lease_until`, which no index holds: with room left on each page that write
  // is a HOT update, which adds no index entry (a full page makes it write one in every index).
  // The unique index on `seq` was one more entry per write for nothing: identity values are unique.
  yield* sql`alter table deliveries set (fillfactor = 60)`
  yield* sql`drop index deliveries_seq`
  // GET /deliveries/stats: the attempts of the last minute, and the dead deliveries per target.
  yield* sql`create index delivery_attempts_at on delivery_attempts (at)`
  yield* sql`create index deliveries_dead on deliveries (target) where status = 'dead'`
})
