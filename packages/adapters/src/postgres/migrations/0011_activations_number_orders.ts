import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * Activations: the networks, SSIDs and devices a subscription's service runs on, one table for
 * the three kinds (their own fields in `attributes`). An SSID may name, a device must name, a
 * network of the same subscription; a network is deleted only once nothing names it.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    create table activations (
      id text primary key,
      kind text not null check (kind in ('network', 'ssid', 'device')),
      subscription_id text not null references subscriptions (id) on delete cascade,
      customer_id text not null,
      lineage text[] not null,
      network_id text references activations (id),
      name text not null,
      attributes jsonb not null default '{}',
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  yield* sql`create index activations_subscription on activations (subscription_id, kind, id)`
  yield* sql`create index activations_network on activations (network_id) where network_id is not null`
  // Number orders: an assigned (or porting) number belongs to a customer, at one of its product
  // locations, with the characteristics a change order gave it.
  yield* sql`alter table numbers add column customer_id text references customers (id) on delete set null`
  yield* sql`alter table numbers add column location_id text`
  yield* sql`alter table numbers add column characteristics jsonb not null default '{}'`
  yield* sql`alter table numbers add column carrier text`
  // A number order's item names its number.
  yield* sql`alter table order_items add column number text`
  yield* sql`create index numbers_customer on numbers (customer_id, product_id, number) where customer_id is not null`
})
