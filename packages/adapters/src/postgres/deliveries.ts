import * as SqlClient from "@effect/sql/SqlClient"
import { Delivery, DeliveryAttempt, type StoredDelivery } from "@provisio/core/deliveries/model"
import { DeliveryRepo } from "@provisio/core/deliveries/ports"
import { DomainEvent } from "@provisio/core/events/model"
import { toPage } from "@provisio/core/shared/pagination"
import { Timestamp } from "@provisio/core/shared/time"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { pageClause } from "./pagination.js"
import { parseJson } from "./json.js"
import { orPersistenceError } from "./persistence.js"
import { decodeAll as decodeWebhooks } from "./webhooks.js"

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

const EventRow = Schema.Struct({ ...DomainEvent.fields, lineage: Schema.Array(Schema.String) })
const decodeEvents = Schema.decodeUnknown(Schema.Array(EventRow))

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

    return DeliveryRepo.of({
      claimEvents: (limit) =>
        orPersistenceError(Effect.gen(function* () {
          // One dispatcher at a time: two that claimed consecutive batches at once could insert a
          // later event's deliveries before an earlier one's, out of order within a key. Another
          // dispatcher holding the lock means there is nothing for this one to do now.
          const [lock] = yield* sql`select pg_try_advisory_xact_lock(${DISPATCH_LOCK}) as locked`
          if (lock?.["locked"] !== true) return []
          const rows = yield* sql`
            select id, type, occurred_at, customer_id, lineage, data from events
             where dispatched_at is null
             order by seq
             limit ${limit}
             for update skip locked`
          const decoded = yield* decodeEvents(rows.map((row: any) => ({ ...row, data: parseJson(row.data) })))
          return decoded.map(({ lineage, ...event }) => ({ event: new DomainEvent(event), lineage }))
        })),
      markDispatched: (ids, at) =>
        ids.length === 0
          ? Effect.void
          : orPersistenceError(
            sql`update events set dispatched_at = ${iso(at)} where id = any(${[...ids]}::text[])`
          ).pipe(Effect.asVoid),
      webhooksFor: (lineage) =>
        orPersistenceError(Effect.gen(function* () {
          const rows = yield* sql`
            select * from webhooks where enabled and account_id = any(${[...lineage]}::text[]) order by id`
          return yield* decodeWebhooks(rows)
        })),
      insert: (deliveries) =>
        deliveries.length === 0
          ? Effect.void
          : orPersistenceError(
            sql`insert into deliveries ${
              sql.insert(deliveries.map(({ body, customer_id, delivery: d, lineage, timeout_ms }) => ({
                id: d.id,
                event_id: d.event_id,
                event_type: d.event_type,
                kind: d.kind,
                target: d.target,
                url: d.url,
                method: d.method,
                body,
                timeout_ms,
                ordering_key: d.ordering_key,
                status: d.status,
                attempts: d.attempts,
                next_attempt_at: DateTime.formatIso(d.next_attempt_at),
                lease_until: null,
                last_error: d.last_error,
                quantity_request_id: d.quantity_request_id,
                subscription_id: d.subscription_id,
                customer_id,
                lineage: [...lineage],
                created_at: DateTime.formatIso(d.created_at),
                updated_at: DateTime.formatIso(d.updated_at)
              })))
            }`
          ).pipe(Effect.asVoid),
      claimDue: (now, limit, margin) =>
        orPersistenceError(Effect.gen(function* () {
          const at = DateTime.formatIso(now)
          const rows = yield* sql`
            select d.id from deliveries d
             where d.status in ('pending', 'retrying')
               and d.next_attempt_at <= ${at}::timestamptz
               and (d.lease_until is null or d.lease_until <= ${at}::timestamptz)
               and (d.ordering_key is null or not exists (
                     select 1 from deliveries e
                      where e.ordering_key = d.ordering_key
                        and e.status in ('pending', 'retrying')
                        and e.seq < d.seq))
             order by d.next_attempt_at, d.seq
             limit ${limit}
             for update of d skip locked`
          if (rows.length === 0) return []
          const ids = rows.map((row: any) => row.id as string)
          const claimed = yield* sql`
            update deliveries
               set lease_until = ${at}::timestamptz + (timeout_ms + ${margin}) * interval '1 millisecond'
             where id = any(${ids}::text[])
            returning *`
          const decoded = yield* decodeDeliveries(claimed)
          const order = new Map(ids.map((id, i) => [id, i]))
          return [...decoded].sort((a, b) => order.get(a.delivery.id)! - order.get(b.delivery.id)!)
        })),
      release: (ids) =>
        ids.length === 0 ? Effect.void : orPersistenceError(sql`
          update deliveries set lease_until = null
           where id = any(${ids}::text[]) and status in ('pending', 'retrying')`).pipe(Effect.asVoid),
      findById: (id) => orPersistenceError(Effect.flatMap(sql`select * from deliveries where id = ${id}`, decodeFirst)),
      lock: (id) =>
        orPersistenceError(Effect.flatMap(sql`select * from deliveries where id = ${id} for update`, decodeFirst)),
      update: ({ delivery: d, lease_until }) =>
        orPersistenceError(sql`
          update deliveries
             set status = ${d.status}, attempts = ${d.attempts}, next_attempt_at = ${DateTime.formatIso(d.next_attempt_at)},
                 lease_until = ${iso(lease_until)}::timestamptz, last_error = ${d.last_error},
                 updated_at = ${DateTime.formatIso(d.updated_at)}
           where id = ${d.id}`).pipe(Effect.asVoid),
      recordAttempt: (deliveryId, a) =>
        orPersistenceError(sql`
          insert into delivery_attempts (delivery_id, number, status_code, latency_ms, response_excerpt, error, at)
          values (${deliveryId}, ${a.number}, ${a.status_code}, ${a.latency_ms}, ${a.response_excerpt}, ${a.error},
                  ${DateTime.formatIso(a.at)})
          on conflict (delivery_id, number) do nothing`).pipe(Effect.asVoid),
      attempts: (deliveryId) =>
        orPersistenceError(Effect.flatMap(
          sql`select number, status_code, latency_ms, response_excerpt, error, at from delivery_attempts
               where delivery_id = ${deliveryId} order by number`,
          (rows) => Effect.map(decodeAttempts(rows), (decoded) => decoded.map((row) => new DeliveryAttempt(row)))
        )),
      list: (within, filter, page) => {
        const status = filter.status === undefined ? sql`` : sql`and status = ${filter.status}`
        const target = filter.target === undefined ? sql`` : sql`and target = ${filter.target}`
        return orPersistenceError(Effect.flatMap(
          sql`select * from deliveries where lineage @> array[${within}]::text[] ${status} ${target}
               ${pageClause(sql, page)}`,
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
