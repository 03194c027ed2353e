import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * The delivery engine: one row per call to make (a provisioning push or a webhook), each attempt
 * it took, and the service configuration a provider answered for a subscription.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // `seq` orders the deliveries of one `ordering_key` (the order of their events); a delivery is
  // claimable when it is the head of its key: no earlier pending or retrying delivery shares it.
  // `lineage` and `customer_id` are the event's scope (who sees the delivery).
  yield* sql`
    create table deliveries (
      id text primary key,
      seq bigint generated always as identity,
      event_id text not null,
      event_type text not null,
      kind text not null check (kind in ('provisioning', 'webhook')),
      target text not null,
      url text not null,
      method text not null,
      body text not null,
      timeout_ms integer not null,
      ordering_key text,
      status text not null check (status in ('pending', 'retrying', 'delivered', 'dead')),
      attempts integer not null default 0,
      next_attempt_at timestamptz not null,
      lease_until timestamptz,
      last_error text,
      quantity_request_id text,
      subscription_id text,
      customer_id text,
      lineage text[] not null,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  yield* sql`create unique index deliveries_seq on deliveries (seq)`
  yield* sql`create index deliveries_due on deliveries (next_attempt_at) where status in ('pending', 'retrying')`
  yield* sql`create index deliveries_key on deliveries (ordering_key, seq) where status in ('pending', 'retrying')`
  yield* sql`create index deliveries_lineage on deliveries using gin (lineage)`
  yield* sql`create index deliveries_subscription on deliveries (subscription_id, seq)`
  yield* sql`
    create table delivery_attempts (
      delivery_id text not null references deliveries (id) on delete cascade,
      number integer not null,
      status_code integer,
      latency_ms integer not null,
      response_excerpt text,
      error text,
      at timestamptz not null,
      primary key (delivery_id, number)
    )`
  yield* sql`
    create table subscription_configurations (
      subscription_id text primary key,
      configuration jsonb not null,
      delivery_id text not null,
      updated_at timestamptz not null
    )`
})
