import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // `account_id` names an account or a customer, like api_keys.account_id.
  yield* sql`
    create table users (
      id text primary key,
      account_id text not null,
      email text not null,
      name text not null,
      role text not null check (role in ('admin', 'manager', 'viewer')),
      status text not null check (status in ('active', 'disabled')),
      password_hash text,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  // One user per email whatever its case; sign-in looks emails up by lower(email).
  yield* sql`create unique index users_email_unique on users (lower(email))`
  yield* sql`create index users_account on users (account_id, id)`
  // Only the hash of a refresh token is kept; a family is one sign-in and its rotations.
  yield* sql`
    create table refresh_tokens (
      id text primary key,
      family_id text not null,
      user_id text not null references users (id) on delete cascade,
      token_hash text not null unique,
      expires_at timestamptz not null,
      used_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz not null
    )`
  yield* sql`create index refresh_tokens_family on refresh_tokens (family_id)`
  yield* sql`create index refresh_tokens_user on refresh_tokens (user_id)`
  // Failed sign-ins per email (lower case), for throttling; rows older than the window are purged.
  yield* sql`
    create table login_failures (
      email text not null,
      failed_at timestamptz not null
    )`
  yield* sql`create index login_failures_email on login_failures (email, failed_at)`
  yield* sql`create index login_failures_failed_at on login_failures (failed_at)`
  // Keys made on first start when none is configured (the access-token key), shared by every
  // process on this database.
  yield* sql`
    create table signing_keys (
      name text primary key,
      secret text not null,
      created_at timestamptz not null
    )`
})
