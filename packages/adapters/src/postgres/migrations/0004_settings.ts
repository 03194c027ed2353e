import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // One row per account (or customer) once its settings are first written; the sections are the
  // JSON the API shows, written only through the core's schemas.
  yield* sql`
    create table account_settings (
      account_id text primary key,
      branding jsonb not null,
      licensing jsonb not null,
      identity_providers jsonb not null default '[]',
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  // Provider ids are unique across the platform and name the provider at POST /auth/federated:
  // this table enforces the first and serves the lookup of the second.
  yield* sql`
    create table identity_providers (
      id text primary key,
      account_id text not null references account_settings (account_id) on delete cascade
    )`
  yield* sql`create index identity_providers_account on identity_providers (account_id)`
  // A user's identity at a provider: the token's subject, which (unlike an email address) the
  // issuer never reassigns. A link counts only while the provider has the same account and issuer.
  yield* sql`
    create table federated_identities (
      provider_id text not null,
      subject text not null,
      issuer text not null,
      account_id text not null,
      user_id text not null references users (id) on delete cascade,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      primary key (provider_id, subject)
    )`
  yield* sql`create index federated_identities_user on federated_identities (user_id)`
})
