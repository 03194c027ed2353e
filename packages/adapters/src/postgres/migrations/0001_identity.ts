import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    create table accounts (
      id text primary key,
      kind text not null check (kind in ('platform', 'distributor', 'partner')),
      parent_id text references accounts (id),
      name text not null,
      status text not null check (status in ('active', 'suspended')),
      edition text check (edition in ('free', 'standard')),
      lineage text[] not null,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  // One platform per database, even when two processes bootstrap at once.
  yield* sql`create unique index accounts_one_platform on accounts (kind) where kind = 'platform'`
  yield* sql`create index accounts_lineage on accounts using gin (lineage)`
  yield* sql`create index accounts_parent on accounts (parent_id)`
  yield* sql`
    create table api_keys (
      id text primary key,
      account_id text not null,
      role text not null check (role in ('admin', 'manager', 'viewer')),
      name text not null,
      prefix text not null,
      secret_hash text not null unique,
      last_used_at timestamptz,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  yield* sql`create index api_keys_account on api_keys (account_id)`
})
