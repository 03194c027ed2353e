import * as SqlClient from "@effect/sql/SqlClient"
import type { Connection } from "@effect/sql/SqlConnection"
import type { PersistenceError } from "@provisio/core/shared/errors"
import {
  Begin,
  IDEMPOTENCY_LEASE,
  IDEMPOTENCY_WINDOW,
  type IdempotentRequest,
  type KeyedTransaction,
  type Settlement
} from "@provisio/core/shared/idempotency"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import pg from "pg"
import { orPersistenceError } from "./persistence.js"

/**
 * A key's claim, a handler's writes and the kept answer in one transaction (issue 24, fifth step,
 * docs/performance.md): `begin` and the claim go out together, the handler's first statement right
 * behind them (node-postgres's pipeline mode, on the connection this transaction holds), and the
 * answer with `commit`. Two round trips and one commit for a POST whose handler is one statement,
 * where a claim, the handler's statement and the answer each on their own are three of each.
 */

/** What a kept key says, as read beside a claim that found it. */
export interface KeyRow {
  readonly method: string
  readonly path: string
  readonly fingerprint: string
  readonly claim: string | null
  readonly status: number | null
  readonly content_type: string | null
  readonly body: Uint8Array | null
  readonly expired: boolean
  readonly stale: boolean
}

/**
 * What a kept key means for a request with it: its answer, a mismatch, in progress, or (an
 * abandoned claim past its lease) `"take over"`. An expired key is the caller's to drop first.
 */
export const decideRow = (row: KeyRow, request: IdempotentRequest): Begin | "take over" => {
  if (row.method !== request.method || row.path !== request.path || row.fingerprint !== request.fingerprint) {
    return Begin.Mismatch()
  }
  if (row.status !== null) {
    return Begin.Replay({
      answer: { status: row.status, contentType: row.content_type, body: row.body ?? new Uint8Array() }
    })
  }
  return row.stale ? "take over" : Begin.InProgress()
}

/** Advisory locks of the two-key form, this class for idempotency keys (no other lock uses the form). */
const KEY_LOCK_CLASS = 24

/**
 * The claim in a transaction: the key's lock taken without waiting (held by a concurrent claim of
 * the key: in progress), then the key inserted unless it exists, and the existing one read.
 */
const CLAIM = `
  with lock as (select pg_try_advisory_xact_lock(${KEY_LOCK_CLASS}, hashtext($1::text || ' ' || $2::text)) as held),
       claimed as (
         insert into idempotency_keys (scope, key, method, path, fingerprint, claim, created_at, locked_at)
         select $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::timestamptz, $7::timestamptz
           from lock where held
         on conflict (scope, key) do nothing
         returning 1)
  select l.held, exists (select 1 from claimed) as claimed,
         k.method, k.path, k.fingerprint, k.claim, k.status, k.content_type, k.body,
         k.created_at < $8::timestamptz as expired, k.locked_at < $9::timestamptz as stale
    from lock l left join idempotency_keys k on l.held and k.scope = $1::text and k.key = $2::text`

const KEEP = `
  update idempotency_keys
     set status = $3, content_type = $4, body = $5, claim = null, completed_at = $6::timestamptz
   where scope = $1 and key = $2 and claim = $7`

const RELEASE = `delete from idempotency_keys where scope = $1 and key = $2 and claim = $3 and status is null`

/** The key and its answer at once, outside the transaction that a failed statement ended. */
const KEEP_ALONE = `
  insert into idempotency_keys (scope, key, method, path, fingerprint, claim, status, content_type, body,
                                created_at, locked_at, completed_at)
  values ($1, $2, $3, $4, $5, null, $6, $7, $8, $9::timestamptz, $9::timestamptz, $10::timestamptz)
  on conflict (scope, key) do nothing`

type Sent = { readonly ok: true; readonly result: pg.QueryResult } | { readonly ok: false; readonly error: unknown }

/**
 * Sends a statement now (a pipelined client sends it behind those in flight) and settles with its
 * outcome, never rejecting: a statement nobody awaits yet must not be an unhandled rejection.
 */
const send = (client: pg.ClientBase, text: string, values: ReadonlyArray<unknown> = []): Promise<Sent> =>
  new Promise((resolve) => {
    client.query(text, values as Array<unknown>, (error: Error | null, result: pg.QueryResult) =>
      resolve(error ? { ok: false, error } : { ok: true, result }))
  })

const settled = (sent: Promise<Sent>) => Effect.promise(() => sent)

/** node-postgres's client under a connection `@effect/sql-pg` reserved (its `pg`, not in `Connection`'s type). */
const pgClientOf = (conn: Connection): pg.ClientBase | undefined => {
  const client = (conn as { readonly pg?: unknown }).pg
  return client instanceof pg.Client ? client : undefined
}

const setPipeline = (client: pg.ClientBase, on: boolean) => {
  ;(client as unknown as { pipeline: boolean }).pipeline = on
}

const buffer = (body: Uint8Array) => Buffer.from(body.buffer, body.byteOffset, body.byteLength)

const failed = (error: unknown) => orPersistenceError(Effect.fail(error as never))

/**
 * `IdempotencyStore.open` over `sql`: `claimAgain` is the store's claim outside the first
 * statement's reach (an expired key dropped, a stale claim taken over), run in the transaction.
 */
export const openKeyedTransaction = (
  sql: SqlClient.SqlClient,
  claimAgain: (request: IdempotentRequest, claim: string, now: DateTime.Utc) => Effect.Effect<Begin, PersistenceError>,
  request: IdempotentRequest,
  claim: string,
  now: DateTime.Utc
) =>
  Effect.gen(function* () {
    const conn = yield* orPersistenceError(sql.reserve)
    const client = pgClientOf(conn)
    if (client === undefined) return yield* failed(new Error("the reserved connection has no node-postgres client"))
    const at = DateTime.formatIso(now)
    let ended = false
    // Rolled back unless ended (the reserved connection's release comes after: scopes close backwards).
    yield* Effect.addFinalizer(() =>
      ended ? Effect.void : Effect.promise(async () => {
        await send(client, "rollback")
        setPipeline(client, false)
      }))
    setPipeline(client, true)
    const began = send(client, "begin")
    const claimed = send(client, CLAIM, [
      request.scope,
      request.key,
      request.method,
      request.path,
      request.fingerprint,
      claim,
      at,
      DateTime.formatIso(DateTime.subtractDuration(now, IDEMPOTENCY_WINDOW)),
      DateTime.formatIso(DateTime.subtractDuration(now, IDEMPOTENCY_LEASE))
    ])
    const inTransaction = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.provideService(effect, SqlClient.TransactionConnection, [conn, 0] as const)

    // Awaited once, by whoever asks first. Should `begin` itself fail (a broken connection), the
    // claim may have been committed on its own: it lapses after its lease, as a crashed request's.
    const begun: Effect.Effect<Begin, PersistenceError> = yield* Effect.cached(Effect.gen(function* () {
      const opened = yield* settled(began)
      if (!opened.ok) return yield* failed(opened.error)
      const outcome = yield* settled(claimed)
      if (!outcome.ok) return yield* failed(outcome.error)
      const row = outcome.result.rows[0] as (Partial<KeyRow> & { held: boolean; claimed: boolean }) | undefined
      if (row === undefined || !row.held) return Begin.InProgress()
      if (row.claimed) return Begin.Started()
      // The key is kept: decided from the row read beside the claim, unless it expired (or was
      // committed between the statement's snapshot and its lock): then claimed again here.
      if (row.method !== null && row.method !== undefined && row.expired !== true) {
        const decided = decideRow(row as KeyRow, request)
        if (decided !== "take over") return decided
      }
      return yield* inTransaction(claimAgain(request, claim, now))
    }))

    const end = (settlement: Settlement, completedAt: DateTime.Utc): Effect.Effect<void, PersistenceError> =>
      Effect.gen(function* () {
        ended = true
        const done = DateTime.formatIso(completedAt)
        if (settlement._tag === "Undo") {
          const undone = yield* settled(send(client, "rollback"))
          setPipeline(client, false)
          return undone.ok ? undefined : yield* failed(undone.error)
        }
        const kept = settlement._tag === "Keep"
          ? send(client, KEEP, [
            request.scope,
            request.key,
            settlement.answer.status,
            settlement.answer.contentType,
            buffer(settlement.answer.body),
            done,
            claim
          ])
          : send(client, RELEASE, [request.scope, request.key, claim])
        const committed = yield* settled(send(client, "commit"))
        const written = yield* settled(kept)
        setPipeline(client, false)
        if (!committed.ok) return yield* failed(committed.error)
        // A statement of the request failed (an external id taken: a kept 409): PostgreSQL ended
        // the transaction with it, and `commit` rolled it back. Its answer is kept on its own.
        if (committed.result.command !== "COMMIT" || !written.ok) {
          if (settlement._tag !== "Keep") return
          const alone = yield* settled(send(client, KEEP_ALONE, [
            request.scope,
            request.key,
            request.method,
            request.path,
            request.fingerprint,
            settlement.answer.status,
            settlement.answer.contentType,
            buffer(settlement.answer.body),
            at,
            done
          ]))
          if (!alone.ok) return yield* failed(alone.error)
        }
      })

    return { run: inTransaction, begun, end } satisfies KeyedTransaction
  })
