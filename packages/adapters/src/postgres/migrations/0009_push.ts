import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * Push targets and webhooks (the delivery engine's configuration). Secrets are kept as given:
 * they are HMAC keys the engine signs with, so they cannot be hashed (docs/security.md).
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // One target per product. `previous_secret` signs beside `secret` until
  // `previous_secret_expires_at` (a rotation's overlap).
  yield* sql`
    create table provisioning_targets (
      product_id text primary key references products (id) on delete cascade,
      base_url text not null,
      endpoints text[] not null
        check (cardinality(endpoints) > 0 and endpoints <@ array['subscriptions', 'networks', 'ssids', 'devices']),
      timeout_ms integer not null check (timeout_ms between 100 and 60000),
      secret text not null,
      previous_secret text,
      previous_secret_expires_at timestamptz,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      check ((previous_secret is null) = (previous_secret_expires_at is null))
    )`
  // `account_id` names an account or a customer; `lineage` is its lineage (scope checks, lists).
  yield* sql`
    create table webhooks (
      id text primary key,
      account_id text not null,
      lineage text[] not null,
      url text not null,
      events text[] not null check (cardinality(events) > 0),
      description text,
      enabled boolean not null,
      secret text not null,
      previous_secret text,
      previous_secret_expires_at timestamptz,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      check ((previous_secret is null) = (previous_secret_expires_at is null))
    )`
  yield* sql`create index webhooks_lineage on webhooks using gin (lineage)`
  // The engine finds an event's webhooks by the accounts in the event's lineage.
  yield* sql`create index webhooks_account on webhooks (account_id) where enabled`
})
