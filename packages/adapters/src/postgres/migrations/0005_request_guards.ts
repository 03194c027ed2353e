import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/** Idempotency keys and rate-limit buckets: state every process serving the API must share. */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // One row per (caller, key). `claim` is set while the first request runs and `status` once
  // its answer is kept; the answer's body is stored encrypted (see the HTTP middleware).
  yield* sql`
    create table idempotency_keys (
      scope text not null,
      key text not null,
      method text not null,
      path text not null,
      fingerprint text not null,
      claim text,
      status integer,
      content_type text,
      body bytea,
      created_at timestamptz not null,
      locked_at timestamptz not null,
      completed_at timestamptz,
      primary key (scope, key)
    )`
  // The lazy purge of keys past the replay window.
  yield* sql`create index idempotency_keys_created on idempotency_keys (created_at)`
  // A token bucket per credential: `tokens` left at `updated_ms` (milliseconds of the servers' Clock).
  yield* sql`
    create table rate_limit_buckets (
      key text primary key,
      tokens double precision not null,
      updated_ms bigint not null,
      allowed boolean not null
    )`
})
