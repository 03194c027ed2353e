import type * as SqlClient from "@effect/sql/SqlClient"
import type { CircuitChange, CircuitPolicy } from "@provisio/core/deliveries/circuit"
import type { RecordedOutcome } from "@provisio/core/deliveries/model"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import { column, unnestRows } from "../arrays.js"
import { orPersistenceError } from "../persistence.js"

/**
 * Writing a batch of outcomes: the deliveries that still stand as they were claimed take their
 * new status, and their attempts are logged, in one statement; then the circuits of the targets
 * that failed are counted.
 */

export const recordOutcomes = (sql: SqlClient.SqlClient) => (outcomes: ReadonlyArray<RecordedOutcome>) => {
  if (outcomes.length === 0) return Effect.succeed([] as ReadonlyArray<string>)
  const rows = {
    id: column<string>("text"),
    number: column<number>("int4"),
    status: column<string>("text"),
    next_attempt_at: column<string | null>("timestamptz"),
    last_error: column<string | null>("text"),
    status_code: column<number | null>("int4"),
    latency_ms: column<number>("int4"),
    response_excerpt: column<string | null>("text"),
    error: column<string | null>("text"),
    at: column<string>("timestamptz")
  }
  for (const outcome of outcomes) {
    const { attempt } = outcome
    rows.id.values.push(outcome.id)
    rows.number.values.push(attempt.number)
    rows.status.values.push(outcome.status)
    rows.next_attempt_at.values.push(outcome.next_attempt_at === null ? null : DateTime.formatIso(outcome.next_attempt_at))
    rows.last_error.values.push(outcome.last_error)
    rows.status_code.values.push(attempt.status_code)
    rows.latency_ms.values.push(attempt.latency_ms)
    rows.response_excerpt.values.push(attempt.response_excerpt)
    rows.error.values.push(attempt.error)
    rows.at.values.push(DateTime.formatIso(attempt.at))
  }
  // `synchronous_commit` off for this transaction: an outcome lost with the last moments before a
  // server crash leaves its delivery pending, so it is sent again (at least once), never lost.
  return orPersistenceError(sql<{ readonly id: string }>`
    with relaxed as (select set_config('synchronous_commit', 'off', true)),
    input as (select * from ${unnestRows(sql, rows, { alias: "i" })}),
    updated as (
      update deliveries d
         set status = i.status, attempts = i.number, next_attempt_at = coalesce(i.next_attempt_at, d.next_attempt_at),
             lease_until = null, last_error = i.last_error, updated_at = i.at
        from input i
       where d.id = i.id and d.attempts = i.number - 1 and d.status in ('pending', 'retrying')
      returning d.id
    ),
    logged as (
      insert into delivery_attempts (delivery_id, number, status_code, latency_ms, response_excerpt, error, at)
      select i.id, i.number, i.status_code, i.latency_ms, i.response_excerpt, i.error, i.at
        from input i join updated u on u.id = i.id
      on conflict (delivery_id, number) do nothing
    )
    select u.id from updated u, relaxed`).pipe(Effect.map((recorded) => recorded.map((row) => row.id)))
}

/** The advisory lock that serialises circuit counts (an arbitrary constant of this application). */
const CIRCUITS_LOCK = 7_310_018

/**
 * Counts failures in a row per target and opens a circuit that reaches the threshold: for
 * `base * 2^opened` ms (at most `max`), `opened` counting the times it opened in a row. A
 * circuit past its back-off with failures still counted is half-open (one probe call at a time):
 * a failed probe opens it again, for twice as long; a success closes it.
 */
export const updateCircuits = (sql: SqlClient.SqlClient) =>
(changes: ReadonlyArray<CircuitChange>, now: DateTime.Utc, policy: CircuitPolicy) => {
  // Run inside the record transaction: the lock is held until it commits.
  if (changes.length === 0) return Effect.void
  const input = {
    target: column<string>("text"),
    kind: column<string>("text"),
    reset: column<boolean>("bool"),
    failures: column<number>("int4"),
    last_error: column<string | null>("text")
  }
  for (const change of changes) {
    input.target.values.push(change.target)
    input.kind.values.push(change.kind)
    input.reset.values.push(change.reset)
    input.failures.values.push(change.failures)
    input.last_error.values.push(change.last_error)
  }
  const at = DateTime.formatIso(now)
  // Two batches counting the same target at once would each add to the count they read: one at a
  // time (only batches with a failure or a reset take this lock), each statement then reads the
  // count the other committed.
  return orPersistenceError(Effect.zipRight(sql`select pg_advisory_xact_lock(${CIRCUITS_LOCK})`, sql`
    with merged as (
      select i.target, i.kind,
             case when i.reset then i.failures else coalesce(c.failures, 0) + i.failures end as failures,
             coalesce(c.opened, 0) as opened, c.open_until, coalesce(i.last_error, c.last_error) as last_error
        from ${unnestRows(sql, input, { alias: "i" })}
        left join delivery_circuits c on c.target = i.target
    )
    insert into delivery_circuits (target, kind, failures, opened, open_until, last_error, updated_at)
    select m.target, m.kind, m.failures,
           case when m.failures < ${policy.threshold} then 0
                when m.open_until is null or m.open_until <= ${at}::timestamptz then m.opened + 1
                else m.opened end,
           case when m.failures < ${policy.threshold} then null
                when m.open_until is null or m.open_until <= ${at}::timestamptz
                  then ${at}::timestamptz +
                       least(${policy.maxMillis}::float8, ${policy.baseMillis}::float8 * power(2, m.opened)) * interval '1 millisecond'
                else m.open_until end,
           m.last_error, ${at}::timestamptz
      from merged m
    on conflict (target) do update
       set failures = excluded.failures, opened = excluded.opened, open_until = excluded.open_until,
           last_error = excluded.last_error, updated_at = excluded.updated_at`)).pipe(Effect.asVoid)
}
