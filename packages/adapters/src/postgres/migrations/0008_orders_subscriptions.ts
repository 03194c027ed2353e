import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/** The outbox of domain events, orders with their items, subscriptions and quantity requests. */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // Events are written in the transaction of the change they describe. `seq` is the order in
  // which delivery hands them out; `dispatched_at` is the delivery cursor: null until the delivery
  // workers (next issue) have turned the event into deliveries. No foreign keys: an event
  // outlives what it is about.
  yield* sql`
    create table events (
      id text primary key,
      seq bigint generated always as identity,
      type text not null,
      occurred_at timestamptz not null,
      customer_id text,
      lineage text[] not null,
      data jsonb not null,
      dispatched_at timestamptz
    )`
  yield* sql`create unique index events_seq on events (seq)`
  yield* sql`create index events_lineage on events using gin (lineage)`
  yield* sql`create index events_type on events (type, id)`
  yield* sql`create index events_undispatched on events (seq) where dispatched_at is null`
  yield* sql`
    create table orders (
      id text primary key,
      customer_id text not null references customers (id) on delete cascade,
      lineage text[] not null,
      status text not null check (status in ('draft', 'submitted', 'completed', 'failed', 'cancelled')),
      total_amount numeric,
      total_currency text,
      submitted_at timestamptz,
      completed_at timestamptz,
      cancelled_at timestamptz,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  yield* sql`create index orders_lineage on orders using gin (lineage)`
  yield* sql`create index orders_customer on orders (customer_id, id)`
  // `action` is plain text: number orders add their own.
  yield* sql`
    create table order_items (
      id text primary key,
      order_id text not null references orders (id) on delete cascade,
      position integer not null,
      action text not null,
      plan_id text,
      plan_version integer,
      sku_id text,
      quantity integer not null check (quantity > 0),
      subscription_id text,
      parent_subscription_id text,
      characteristics jsonb not null default '{}',
      status text not null check (status in ('pending', 'completed', 'failed', 'cancelled')),
      error text,
      unit_price_amount numeric,
      unit_price_currency text,
      amount numeric,
      amount_currency text,
      constraint order_items_position unique (order_id, position)
    )`
  // A subscription keeps what its periods are computed from (periods.ts): the anchor, the time
  // zone it was anchored in, the interval, the current period's index and the commitment.
  yield* sql`
    create table subscriptions (
      id text primary key,
      customer_id text not null references customers (id) on delete cascade,
      lineage text[] not null,
      product_id text not null references products (id),
      plan_id text not null references plans (id),
      plan_version integer not null,
      name text,
      status text not null check (status in ('pending', 'active', 'suspended', 'cancelled', 'expired')),
      quantity integer not null check (quantity > 0),
      auto_renew boolean not null default true,
      current_period_start timestamptz not null,
      current_period_end timestamptz not null,
      cancel_at_period_end boolean not null default false,
      cancelled_at timestamptz,
      expired_at timestamptz,
      parent_subscription_id text references subscriptions (id) on delete cascade,
      characteristics jsonb not null default '{}',
      custom_fields jsonb not null default '{}',
      order_id text,
      billing_anchor timestamptz not null,
      time_zone text not null,
      billing_interval text not null check (billing_interval in ('month', 'year')),
      period_index integer not null check (period_index >= 0),
      commitment_months integer,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  yield* sql`create index subscriptions_lineage on subscriptions using gin (lineage)`
  yield* sql`create index subscriptions_customer on subscriptions (customer_id, id)`
  yield* sql`create index subscriptions_parent on subscriptions (parent_subscription_id) where parent_subscription_id is not null`
  // What the scheduler claims: active subscriptions by the end of their period.
  yield* sql`create index subscriptions_due on subscriptions (current_period_end) where status = 'active'`
  yield* sql`
    create table quantity_requests (
      id text primary key,
      subscription_id text not null references subscriptions (id) on delete cascade,
      from_quantity integer not null,
      to_quantity integer not null,
      state text not null check (state in ('pending', 'completed', 'failed')),
      reason text,
      completed_at timestamptz,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  yield* sql`create index quantity_requests_subscription on quantity_requests (subscription_id, id)`
  // At most one pending request per subscription.
  yield* sql`create unique index quantity_requests_one_pending on quantity_requests (subscription_id) where state = 'pending'`
})
