import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // Cities are created the first time a product's availability names one: one per country and
  // name whatever its case (the first spelling stays).
  yield* sql`
    create table cities (
      id text primary key,
      country text not null,
      name text not null,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  yield* sql`create unique index cities_country_name on cities (country, lower(name))`
  yield* sql`
    create table products (
      id text primary key,
      name text not null,
      type text not null check (type in ('phone_number', 'connection', 'license', 'service')),
      characteristics jsonb not null default '[]',
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  yield* sql`create unique index products_name_unique on products (lower(name))`
  // Where each product is offered, in the order given: a whole country (city_id null) or a city.
  yield* sql`
    create table product_availability (
      product_id text not null references products (id) on delete cascade,
      position integer not null,
      country text not null,
      city_id text references cities (id),
      primary key (product_id, position)
    )`
  // /countries and /countries/{code}/cities answer from these.
  yield* sql`create index product_availability_country on product_availability (country, city_id)`
  yield* sql`
    create table skus (
      id text primary key,
      code text not null,
      name text not null,
      unit text not null,
      currency text not null,
      model text not null check (model in ('per_unit', 'graduated', 'volume', 'package')),
      unit_price numeric,
      package_size integer,
      thresholds numeric[] not null default '{}',
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  yield* sql`create unique index skus_code_unique on skus (lower(code))`
  yield* sql`
    create table sku_tiers (
      sku_id text not null references skus (id) on delete cascade,
      position integer not null,
      up_to numeric,
      unit_price numeric not null,
      flat_fee numeric,
      primary key (sku_id, position)
    )`
  // A plan, and one row per version of it. The plan row carries what spans versions: the name
  // (its latest version's, unique whatever its case), the latest and the published version, and
  // it is the row locked while a version is added or published.
  yield* sql`
    create table plans (
      id text primary key,
      product_id text not null references products (id),
      name text not null,
      latest_version integer not null,
      published_version integer,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  yield* sql`create unique index plans_name_unique on plans (lower(name))`
  yield* sql`create index plans_product on plans (product_id, id)`
  yield* sql`
    create table plan_versions (
      plan_id text not null references plans (id) on delete cascade,
      version integer not null check (version > 0),
      name text not null,
      status text not null check (status in ('draft', 'published', 'retired')),
      price_amount numeric not null,
      price_currency text not null,
      billing_interval text not null check (billing_interval in ('month', 'year')),
      commitment_months integer,
      addon_plan_ids text[] not null default '{}',
      sku_ids text[] not null default '{}',
      created_at timestamptz not null,
      updated_at timestamptz not null,
      primary key (plan_id, version)
    )`
  // At most one version of a plan is the one new subscriptions get.
  yield* sql`create unique index plan_versions_one_published on plan_versions (plan_id) where status = 'published'`
  yield* sql`create index plan_versions_sku_ids on plan_versions using gin (sku_ids)`
})
