import * as SqlClient from "@effect/sql/SqlClient"
import {
  Begin,
  IDEMPOTENCY_LEASE,
  IDEMPOTENCY_WINDOW,
  IdempotencyStore,
  type IdempotentRequest,
  type StoredAnswer
} from "@provisio/core/shared/idempotency"
import { RateLimiter, Take } from "@provisio/core/shared/rate-limit"
import { leasedRateLimiter } from "@provisio/core/shared/rate-limit-lease"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import { orPersistenceError } from "./persistence.js"
import { groupedStatement } from "./grouped-statement.js"
import { plainStatement, type Rider, withRider } from "./plain-statements.js"

interface KeyRow {
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

/** How often one process sweeps every expired key (besides dropping each expired key it meets). */
const SWEEP_EVERY = Duration.minutes(1)
const SWEEP_BATCH = 1000

const iso = (at: DateTime.Utc) => DateTime.formatIso(at)

interface Completion {
  readonly request: IdempotentRequest
  readonly claim: string
  readonly answer: StoredAnswer
  readonly at: string
}

export const IdempotencyStoreLive = Layer.scoped(
  IdempotencyStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    // Every keyed POST claims and completes a key: those two on the pool (plain-statements.ts).
    const statement = yield* plainStatement
    const lastSweep = yield* Ref.make(Number.NEGATIVE_INFINITY)

    /** Lazy purge: at most once a minute per process, a bounded batch of keys past the window. */
    const sweep = (now: DateTime.Utc, expiredBefore: string) =>
      Effect.gen(function* () {
        const millis = DateTime.toEpochMillis(now)
        const due = yield* Ref.modify(lastSweep, (last) =>
          millis - last >= Duration.toMillis(SWEEP_EVERY) || millis < last ? [true, millis] : [false, last])
        if (!due) return
        yield* sql`
          delete from idempotency_keys
           where ctid = any (array (select ctid from idempotency_keys
                                     where created_at < ${expiredBefore}::timestamptz
                                     limit ${SWEEP_BATCH}))`
      })

    const begin = (request: IdempotentRequest, claim: string, now: DateTime.Utc) =>
      Effect.gen(function* () {
        const at = iso(now)
        const expiredBefore = iso(DateTime.subtractDuration(now, IDEMPOTENCY_WINDOW))
        const staleBefore = iso(DateTime.subtractDuration(now, IDEMPOTENCY_LEASE))
        yield* sweep(now, expiredBefore)
        // A few rounds at most: each one either decides, or removes a row that was in the way.
        for (let round = 0; round < 4; round++) {
          // The claim: of concurrent inserts, whichever process, exactly one gets the row back.
          const claimed = yield* statement(
            `insert into idempotency_keys (scope, key, method, path, fingerprint, claim, created_at, locked_at)
             values ($1, $2, $3, $4, $5, $6, $7::timestamptz, $7::timestamptz)
             on conflict (scope, key) do nothing
             returning 1 as claimed`,
            [request.scope, request.key, request.method, request.path, request.fingerprint, claim, at]
          )
          if (claimed.length > 0) return Begin.Started()
          const rows = yield* sql<KeyRow>`
            select method, path, fingerprint, claim, status, content_type, body,
                   created_at < ${expiredBefore}::timestamptz as expired,
                   locked_at < ${staleBefore}::timestamptz as stale
              from idempotency_keys
             where scope = ${request.scope} and key = ${request.key}`
          const row = rows[0]
          // Abandoned between the insert and the select: claim it again.
          if (row === undefined) continue
          if (row.expired) {
            // Past the window the key is free: drop the old use (unless someone already did).
            yield* sql`
              delete from idempotency_keys
               where scope = ${request.scope} and key = ${request.key}
                 and created_at < ${expiredBefore}::timestamptz`
            continue
          }
          if (row.method !== request.method || row.path !== request.path || row.fingerprint !== request.fingerprint) {
            return Begin.Mismatch()
          }
          if (row.status !== null) {
            return Begin.Replay({
              answer: { status: row.status, contentType: row.content_type, body: row.body ?? new Uint8Array() }
            })
          }
          if (!row.stale) return Begin.InProgress()
          // The first request's process held the claim past the lease (it died): take it over,
          // unless another request just did.
          const taken = yield* sql`
            update idempotency_keys set claim = ${claim}, locked_at = ${at}::timestamptz
             where scope = ${request.scope} and key = ${request.key}
               and status is null and claim is not distinct from ${row.claim}
               and locked_at < ${staleBefore}::timestamptz
            returning 1 as taken`
          return taken.length > 0 ? Begin.Started() : Begin.InProgress()
        }
        return Begin.InProgress()
      })

    const claimAlong = <A, E, R>(request: IdempotentRequest, claim: string, now: DateTime.Utc, effect: Effect.Effect<A, E, R>) =>
      Effect.gen(function* () {
        yield* Effect.ignore(sweep(now, iso(DateTime.subtractDuration(now, IDEMPOTENCY_WINDOW))))
        // No `on conflict`: a key in use (answered, in flight, or expired and not yet dropped)
        // fails the statement, and the write it rides with is not kept either.
        const at = iso(now)
        const rider: Rider = {
          table: "idempotency_keys",
          row: { scope: request.scope, key: request.key, method: request.method, path: request.path,
                 fingerprint: request.fingerprint, claim, created_at: at, locked_at: at },
          conflict: "idempotency_keys_pkey",
          state: "waiting"
        }
        const exit = yield* Effect.exit(withRider(rider, effect))
        switch (rider.state) {
          case "waiting":
            if (Exit.isSuccess(exit)) return yield* Effect.dieMessage("claimAlong: the effect wrote without carrying the claim")
            return { claim: "not_tried", exit } as const
          case "refused":
            return { claim: "refused", exit } as const
          default:
            // Carried; or sent and interrupted before its outcome was known: held, for the caller to settle.
            return { claim: "carried", exit } as const
        }
      })

    // The answers of concurrent requests kept in one statement (a group commit): under load each
    // keyed POST's second statement is shared (grouped-statement.ts).
    const complete = yield* groupedStatement((completions: ReadonlyArray<Completion>) =>
      orPersistenceError(statement(
        `update idempotency_keys k
            set status = v.status, content_type = v.content_type, body = v.body, claim = null, completed_at = v.completed_at
           from unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::bytea[], $7::timestamptz[])
                  as v (scope, key, claim, status, content_type, body, completed_at)
          where k.scope = v.scope and k.key = v.key and k.claim = v.claim`,
        [
          completions.map((c) => c.request.scope),
          completions.map((c) => c.request.key),
          completions.map((c) => c.claim),
          completions.map((c) => c.answer.status),
          completions.map((c) => c.answer.contentType),
          completions.map((c) => Buffer.from(c.answer.body.buffer, c.answer.body.byteOffset, c.answer.body.byteLength)),
          completions.map((c) => c.at)
        ]
      )).pipe(Effect.asVoid)
    )

    return IdempotencyStore.of({
      claimAlong,
      begin: (request, claim, now) => orPersistenceError(begin(request, claim, now)),
      complete: (request, claim, answer, now) => complete({ request, claim, answer, at: iso(now) }),
      abandon: (request, claim) =>
        orPersistenceError(sql`
          delete from idempotency_keys
           where scope = ${request.scope} and key = ${request.key} and claim = ${claim} and status is null`
        ).pipe(Effect.asVoid)
    })
  })
)

/** Float arithmetic may land a hair under a whole token after an exact refill. */
const WHOLE_TOKEN = 1 - 1e-9

export const RateLimiterLive = Layer.effect(
  RateLimiter,
  Effect.map(SqlClient.SqlClient, (sql) =>
    RateLimiter.of({
      take: (key, limit, now, wanted = 1) => {
        const millis = Math.floor(DateTime.toEpochMillis(now))
        // The bucket refilled for the time since its last use (never backwards: another process's
        // clock may be behind), capped at the capacity.
        const refilled = sql`least(${limit.capacity}::float8,
          b.tokens + greatest(0, ${millis}::bigint - b.updated_ms) * ${limit.refillPerSecond}::float8 / 1000)`
        // What it grants: as many whole tokens as asked and held (0: none, the caller is limited).
        const granted = sql`least(${wanted}::float8, floor(${refilled} + ${1 - WHOLE_TOKEN}::float8))`
        const first = Math.min(wanted, limit.capacity)
        // One statement: the row lock makes concurrent takes, from any process, queue up.
        return orPersistenceError(sql<{ readonly tokens: number; readonly granted: number }>`
          insert into rate_limit_buckets as b (key, tokens, updated_ms, allowed, granted)
          values (${key}, ${limit.capacity}::float8 - ${first}, ${millis}::bigint, true, ${first})
          on conflict (key) do update set
            tokens = greatest(0, ${refilled} - ${granted}),
            updated_ms = greatest(b.updated_ms, ${millis}::bigint),
            allowed = ${granted} >= 1,
            granted = ${granted}
          returning tokens, granted`).pipe(
          Effect.map((rows) => {
            const row = rows[0]!
            const tokens = Number(row.tokens)
            const taken = Math.floor(Number(row.granted))
            return taken >= 1
              ? Take.Allowed({ remaining: Math.floor(tokens + 1e-9), granted: taken })
              : Take.Limited({
                retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / limit.refillPerSecond - 1e-9))
              })
          })
        )
      }
    })
  )
)

/**
 * The buckets as the server uses them: in the database, spent from leases held in this process
 * (core/shared/rate-limit-lease.ts), so most requests write nothing and the limit still holds
 * across every process sharing the database.
 */
export const LeasedRateLimiterLive = Layer.effect(RateLimiter, Effect.map(RateLimiter, (shared) => leasedRateLimiter(shared))).pipe(
  Layer.provide(RateLimiterLive)
)

/** Both guards on whichever `SqlClient` the edge provides. */
export const RequestGuardsLive = Layer.mergeAll(IdempotencyStoreLive, LeasedRateLimiterLive)
