import type * as SqlClient from "@effect/sql/SqlClient"
import type { ClaimedDelivery, ClaimRequest } from "@provisio/core/deliveries/model"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import { pgArray } from "../arrays.js"
import { orPersistenceError } from "../persistence.js"

/**
 * Claiming due deliveries: one statement picks the heads of their ordering keys that are due and
 * not leased (skipping rows another worker is claiming), keeps each target within the room the
 * worker gives it (one probe call for a target whose circuit opened), and leases them.
 */

/** A claimed row as the statement returns it: the delivery's columns, its `seq`, and a nullable count. */
type ClaimedRow = Omit<ClaimedDelivery, "target_failures"> & {
  readonly seq: string | number
  readonly target_failures: number | null
}

/** Rows read as written: the claim's columns are typed by the table, so no per-row schema decoding on this path. */
const toClaimed = ({ seq: _seq, ...row }: ClaimedRow): ClaimedDelivery => ({
  ...row,
  target_failures: row.target_failures ?? 0
})

/**
 * The claim's own transaction settings. The walk must follow the due index in order and stop at
 * the limit, whatever the planner's statistics say: a queue that grew by thousands since the last
 * ANALYZE looks tiny to it, and a bitmap scan and sort of every queued row costs a hundred times
 * more. A lease need not survive a crash of the server (`synchronous_commit` off): one lost with
 * the last moments before a crash only means the call may be made twice, as at-least-once allows.
 */
const claimSettings = (sql: SqlClient.SqlClient) =>
  sql`select set_config('enable_bitmapscan', 'off', true), set_config('synchronous_commit', 'off', true)`

export const claimDue = (sql: SqlClient.SqlClient) => (request: ClaimRequest) =>
  orPersistenceError(sql.withTransaction(Effect.gen(function* () {
    yield* claimSettings(sql)
    const at = DateTime.formatIso(request.now)
    const busy = [...request.inFlight]
    const full = busy.filter(([, n]) => n >= request.perTarget).map(([target]) => target)
    const rows = yield* sql<ClaimedRow>`
      with candidates as (
        select d.id, d.target, d.next_attempt_at, d.seq
          from deliveries d
         where d.status in ('pending', 'retrying')
           and d.next_attempt_at <= ${at}::timestamptz
           and (d.lease_until is null or d.lease_until <= ${at}::timestamptz)
           and d.target <> all(${pgArray(full)}::text[])
           -- The open circuits as one array, read once: a join here would lose the index's order.
           and d.target <> all(array(select c.target from delivery_circuits c where c.open_until > ${at}::timestamptz))
           and (d.ordering_key is null or not exists (
                 select 1 from deliveries e
                  where e.ordering_key = d.ordering_key
                    and e.status in ('pending', 'retrying')
                    and e.seq < d.seq))
         order by d.next_attempt_at, d.seq
         limit ${request.limit}
         for update of d skip locked
      ),
      ranked as (
        select k.id, k.target, row_number() over (partition by k.target order by k.next_attempt_at, k.seq) as rank,
               coalesce(c.failures, 0) as failures
          from candidates k
          left join delivery_circuits c on c.target = k.target
      ),
      picked as (
        select r.id, r.failures
          from ranked r
          left join unnest(${pgArray(busy.map(([target]) => target))}::text[], ${
      pgArray(busy.map(([, n]) => n))
    }::int4[]) as busy(target, n) on busy.target = r.target
         where r.rank <= case when r.failures >= ${request.failureThreshold} then 1 - least(coalesce(busy.n, 0), 1)
                              else ${request.perTarget} - coalesce(busy.n, 0) end
      )
      update deliveries d
         set lease_until = ${at}::timestamptz + (d.timeout_ms + ${request.leaseMarginMillis}) * interval '1 millisecond'
        from picked p
       where d.id = p.id
      returning d.id, d.seq, d.event_id, d.event_type, d.kind, d.target, d.url, d.method, d.body, d.timeout_ms,
                d.attempts, d.quantity_request_id, d.subscription_id, d.customer_id, d.lineage,
                p.failures::int4 as target_failures`
    // RETURNING keeps no order: the oldest due first, as they were picked.
    return [...rows].sort((a, b) => Number(a.seq) - Number(b.seq)).map(toClaimed)
  })))

export const release = (sql: SqlClient.SqlClient) => (ids: ReadonlyArray<string>) =>
  ids.length === 0 ? Effect.void : orPersistenceError(sql`
    update deliveries set lease_until = null
     where id = any(${pgArray(ids)}::text[]) and status in ('pending', 'retrying')`).pipe(Effect.asVoid)
