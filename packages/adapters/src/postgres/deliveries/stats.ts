import type * as SqlClient from "@effect/sql/SqlClient"
import { TargetStats } from "@provisio/core/deliveries/model"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { orPersistenceError } from "../persistence.js"

/**
 * `GET /deliveries/stats` per target, for the deliveries of `within`'s scope: the queue (pending
 * and retrying rows, by the due index), the dead (by their index), the attempts of the window (by
 * the attempts' time index) and the target's circuit.
 */

const decodeStats = Schema.decodeUnknown(Schema.Array(TargetStats))

export const stats = (sql: SqlClient.SqlClient) => (within: string, now: DateTime.Utc, windowSeconds: number) => {
  const at = DateTime.formatIso(now)
  return orPersistenceError(Effect.flatMap(
    sql`
      with queued as (
        select d.target, d.kind, count(*)::int as queued,
               count(*) filter (where d.next_attempt_at <= ${at}::timestamptz)::int as due,
               count(*) filter (where d.lease_until > ${at}::timestamptz)::int as in_flight,
               count(*) filter (where d.status = 'retrying')::int as retrying,
               coalesce(max(extract(epoch from (${at}::timestamptz - d.next_attempt_at)) * 1000)
                 filter (where d.next_attempt_at <= ${at}::timestamptz
                           and (d.lease_until is null or d.lease_until <= ${at}::timestamptz)), 0)::int as oldest_due_ms
          from deliveries d
         where d.status in ('pending', 'retrying') and d.lineage @> array[${within}]::text[]
         group by d.target, d.kind
      ),
      dead as (
        select d.target, d.kind, count(*)::int as dead
          from deliveries d
         where d.status = 'dead' and d.lineage @> array[${within}]::text[]
         group by d.target, d.kind
      ),
      recent as (
        select d.target, d.kind, count(*)::int as attempts,
               count(*) filter (where a.status_code is null or a.status_code not between 200 and 299)::int as failures,
               percentile_disc(0.5) within group (order by a.at - d.created_at)
                 filter (where a.status_code between 200 and 299) as lag_p50,
               percentile_disc(0.99) within group (order by a.at - d.created_at)
                 filter (where a.status_code between 200 and 299) as lag_p99
          from delivery_attempts a
          join deliveries d on d.id = a.delivery_id
         where a.at > ${at}::timestamptz - ${windowSeconds} * interval '1 second' and a.at <= ${at}::timestamptz
           and d.lineage @> array[${within}]::text[]
         group by d.target, d.kind
      ),
      targets as (
        select target, kind from queued union select target, kind from dead union select target, kind from recent
      )
      select t.target, t.kind,
             coalesce(q.queued, 0) as queued, coalesce(q.due, 0) as due, coalesce(q.in_flight, 0) as in_flight,
             coalesce(q.retrying, 0) as retrying, coalesce(x.dead, 0) as dead, coalesce(q.oldest_due_ms, 0) as oldest_due_ms,
             coalesce(r.attempts, 0) as attempts, coalesce(r.failures, 0) as failures,
             case when coalesce(r.attempts, 0) = 0 then 0
                  else round(r.failures::numeric / r.attempts, 4)::float8 end as failure_rate,
             (extract(epoch from r.lag_p50) * 1000)::int as lag_p50_ms,
             (extract(epoch from r.lag_p99) * 1000)::int as lag_p99_ms,
             case when c.open_until > ${at}::timestamptz then 'open'
                  when c.open_until is not null then 'half_open'
                  else 'closed' end as circuit,
             coalesce(c.failures, 0) as consecutive_failures,
             case when c.open_until > ${at}::timestamptz then c.open_until end as open_until
        from targets t
        left join queued q on q.target = t.target and q.kind = t.kind
        left join dead x on x.target = t.target and x.kind = t.kind
        left join recent r on r.target = t.target and r.kind = t.kind
        left join delivery_circuits c on c.target = t.target
       order by t.kind, t.target`,
    decodeStats
  ))
}
