import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    create table customers (
      id text primary key,
      partner_id text not null references accounts (id),
      external_id text,
      name text not null,
      email text,
      phone text,
      status text not null check (status in ('prospect', 'active', 'suspended', 'closed')),
      timezone text not null,
      currency text,
      address jsonb,
      metadata jsonb not null default '{}',
      lineage text[] not null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      constraint customers_external_id_unique unique (partner_id, external_id)
    )`
  yield* sql`create index customers_lineage on customers using gin (lineage)`
  yield* sql`
    create table contacts (
      id text primary key,
      customer_id text not null references customers (id) on delete cascade,
      name text not null,
      email text,
      phone text,
      role text,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  yield* sql`create index contacts_customer on contacts (customer_id, id)`
  yield* sql`
    create table payment_methods (
      id text primary key,
      customer_id text not null references customers (id) on delete cascade,
      type text not null check (type in ('card', 'bank_account', 'sepa_debit', 'invoice')),
      gateway text,
      token text,
      brand text,
      last4 text,
      exp_month integer,
      exp_year integer,
      is_default boolean not null default false,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  yield* sql`create index payment_methods_customer on payment_methods (customer_id, id)`
  // At most one default payment method per customer.
  yield* sql`create unique index payment_methods_one_default on payment_methods (customer_id) where is_default`
  yield* sql`
    create table product_locations (
      id text primary key,
      customer_id text not null references customers (id) on delete cascade,
      name text not null,
      address jsonb,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  yield* sql`create index product_locations_customer on product_locations (customer_id, id)`
})
