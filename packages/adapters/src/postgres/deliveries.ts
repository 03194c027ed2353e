import * as SqlClient from "@effect/sql/SqlClient"
import { Delivery, DeliveryAttempt, type StoredDelivery } from "@provisio/core/deliveries/model"
import { DeliveryRepo } from "@provisio/core/deliveries/ports"
import { DomainEvent, type EventId } from "@provisio/core/events/model"
import { toPage } from "@provisio/core/shared/pagination"
import { Timestamp } from "@provisio/core/shared/time"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { pgArray } from "./arrays.js"
import { pageClause } from "./pagination.js"
import { parseJson } from "./json.js"
import { orPersistenceError } from "./persistence.js"
import { decodeAll as decodeWebhooks } from "./webhooks.js"
import { claimDue, release } from "./deliveries/claims.js"
import { insertDeliveries } from "./deliveries/inserts.js"
import { recordOutcomes, updateCircuits } from "./deliveries/outcomes.js"
import { stats } from "./deliveries/stats.js"
import { WORK_CHANNEL } from "./work-signals.js"

const DeliveryRow = Schema.Struct({
  ...Delivery.fields,
  body: Schema.String,
  timeout_ms: Schema.Int,
  lease_until: Schema.NullOr(Timestamp),
  customer_id: Schema.NullOr(Schema.String),
  lineage: Schema.Array(Schema.String)
})

const toStored = (row: typeof DeliveryRow.Type): StoredDelivery => {
  const { body, customer_id, lease_until, lineage, timeout_ms, ...fields } = row
  return { delivery: new Delivery(fields), body, timeout_ms, lease_until, customer_id, lineage }
}

const decodeDeliveries = (rows: ReadonlyArray<unknown>) =>
  Effect.map(Schema.decodeUnknown(Schema.Array(DeliveryRow))(rows), (decoded) => decoded.map(toStored))

const decodeFirst = (rows: ReadonlyArray<unknown>) =>
  Effect.map(decodeDeliveries(rows.slice(0, 1)), (decoded) => Option.fromNullable(decoded[0]))

interface EventRow {
  readonly id: string
  readonly type: string
  readonly occurred_at: Date | string
  readonly customer_id: string | null
  readonly lineage: ReadonlyArray<string>
  readonly data: unknown
}

const AttemptRow = Schema.Struct({ ...DeliveryAttempt.fields })
const decodeAttempts = Schema.decodeUnknown(Schema.Array(AttemptRow))


const decodeCounts = Schema.decodeUnknown(Schema.Array(Schema.Struct({ status: Schema.String, n: Schema.Union(Schema.Number, Schema.NumberFromString) })))

const ConfigurationRow = Schema.Struct({
  configuration: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  updated_at: Timestamp
})
const decodeConfiguration = Schema.decodeUnknown(Schema.Array(ConfigurationRow))

/** The advisory lock that serialises dispatchers (an arbitrary constant of this application). */
const DISPATCH_LOCK = 7_310_010

const iso = (at: DateTime.Utc | null) => (at === null ? null : DateTime.formatIso(at))

export const DeliveryRepoLive = Layer.effect(
  DeliveryRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    // A queued delivery of a target whose circuit is open or half-open is held (model.ts, `held_until`).
    const withHold = sql`d.*, case when d.status in ('pending', 'retrying') then c.open_until end as held_until
      from deliveries d left join delivery_circuits c on c.target = d.target`

    return DeliveryRepo.of({
      claimEvents: (limit) =>
        orPersistenceError(Effect.gen(function* () {
          // One dispatcher at a time: two that claimed consecutive batches at once could insert a
          // later event's deliveries before an earlier one's, out of order within a key. Another
          // dispatcher holding the lock means there is nothing for this one to do now.
          // `synchronous_commit` off for the dispatch: a batch lost with the last moments before a
          // server crash leaves its events undispatched, so they are dispatched again (at least once).
          const [lock] = yield* sql`
            select pg_try_advisory_xact_lock(${DISPATCH_LOCK}) as locked, set_config('synchronous_commit', 'off', true)`
          if (lock?.["locked"] !== true) return []
          const rows = yield* sql<EventRow>`
            select id, type, occurred_at, customer_id, lineage, data from events
             where dispatched_at is null
             order by seq
             limit ${limit}
             for update skip locked`
          // The outbox holds what `EventLog.append` wrote from checked events: read as written,
          // without validating every field of every event again (the dispatcher's hot path).
          return rows.map((row) => ({
            event: new DomainEvent({
              id: row.id as EventId,
              type: row.type,
              occurred_at: DateTime.unsafeMake(row.occurred_at),
              customer_id: row.customer_id,
              data: parseJson(row.data) as DomainEvent["data"]
            }, true),
            lineage: row.lineage
          }))
        })),
      markDispatched: (ids, at) =>
        ids.length === 0
          ? Effect.void
          : orPersistenceError(
            sql`update events set dispatched_at = ${iso(at)} where id = any(${pgArray(ids)}::text[])`
          ).pipe(Effect.asVoid),
      webhooksFor: (lineage) =>
        orPersistenceError(Effect.gen(function* () {
          const rows = yield* sql`
            select * from webhooks where enabled and account_id = any(${pgArray(lineage)}::text[]) order by id`
          return yield* decodeWebhooks(rows)
        })),
      insert: (deliveries) => insertDeliveries(sql, deliveries),
      claimDue: claimDue(sql),
      release: release(sql),
      recordOutcomes: recordOutcomes(sql),
      updateCircuits: updateCircuits(sql),
      announce: orPersistenceError(sql`select pg_notify(${WORK_CHANNEL}, 'deliveries')`).pipe(Effect.asVoid),
      stats: stats(sql),
      findById: (id) => orPersistenceError(Effect.flatMap(sql`select ${withHold} where d.id = ${id}`, decodeFirst)),
      lock: (id) =>
        orPersistenceError(Effect.flatMap(sql`select * from deliveries where id = ${id} for update`, decodeFirst)),
      update: ({ delivery: d, lease_until }) =>
        orPersistenceError(sql`
          update deliveries
             set status = ${d.status}, attempts = ${d.attempts}, next_attempt_at = ${DateTime.formatIso(d.next_attempt_at)},
                 lease_until = ${iso(lease_until)}::timestamptz, last_error = ${d.last_error},
                 updated_at = ${DateTime.formatIso(d.updated_at)}
           where id = ${d.id}`).pipe(Effect.asVoid),
      attempts: (deliveryId) =>
        orPersistenceError(Effect.flatMap(
          sql`select number, status_code, latency_ms, response_excerpt, error, at from delivery_attempts
               where delivery_id = ${deliveryId} order by number`,
          (rows) => Effect.map(decodeAttempts(rows), (decoded) => decoded.map((row) => new DeliveryAttempt(row)))
        )),
      list: (within, filter, page) => {
        const status = filter.status === undefined ? sql`` : sql`and d.status = ${filter.status}`
        const target = filter.target === undefined ? sql`` : sql`and d.target = ${filter.target}`
        return orPersistenceError(Effect.flatMap(
          sql`select ${withHold} where d.lineage @> array[${within}]::text[] ${status} ${target}
               ${pageClause(sql, page, "d.id")}`,
          decodeDeliveries
        )).pipe(Effect.map((rows) => toPage(rows.map((row) => Object.assign(row, { id: row.delivery.id })), page)))
      },
      saveConfiguration: (subscriptionId, configuration, deliveryId, at) =>
        orPersistenceError(sql`
          insert into subscription_configurations (subscription_id, configuration, delivery_id, updated_at)
          values (${subscriptionId}, ${JSON.stringify(configuration)}::jsonb, ${deliveryId}, ${DateTime.formatIso(at)})
          on conflict (subscription_id) do update
             set configuration = excluded.configuration, delivery_id = excluded.delivery_id,
                 updated_at = excluded.updated_at`).pipe(Effect.asVoid),
      configurationOf: (subscriptionId) =>
        orPersistenceError(Effect.gen(function* () {
          const rows = yield* sql`
            select configuration, updated_at from subscription_configurations where subscription_id = ${subscriptionId}`
          const decoded = yield* decodeConfiguration(rows.map((row: any) => ({ ...row, configuration: parseJson(row.configuration) })))
          return Option.map(Option.fromNullable(decoded[0]), (row) => ({ configuration: row.configuration, at: row.updated_at }))
        })),
      provisioningOf: (subscriptionId) =>
        orPersistenceError(Effect.gen(function* () {
          const rows = yield* sql`
            select status, count(*)::int as n from deliveries
             where subscription_id = ${subscriptionId} and kind = 'provisioning'
             group by status`
          const counts = { pending: 0, retrying: 0, delivered: 0, dead: 0 }
          for (const row of yield* decodeCounts(rows)) {
            if (row.status in counts) counts[row.status as keyof typeof counts] = Number(row.n)
          }
          const last = yield* Effect.flatMap(
            sql`select * from deliveries where subscription_id = ${subscriptionId} and kind = 'provisioning'
                 order by seq desc limit 1`,
            decodeFirst
          )
          return { counts, last }
        }))
    })
  })
)
