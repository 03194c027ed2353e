import * as SqlClient from "@effect/sql/SqlClient"
import { BillingInterval } from "@provisio/core/catalog/model"
import { encodeCursor } from "@provisio/core/shared/pagination"
import { Timestamp } from "@provisio/core/shared/time"
import { QuantityRequest, type StoredSubscription, Subscription } from "@provisio/core/subscriptions/model"
import { QuantityRequestRepo, SubscriptionRepo } from "@provisio/core/subscriptions/ports"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { pageClause } from "./pagination.js"
import { pgArray } from "./arrays.js"
import { plainStatement } from "./plain-statements.js"
import { orPersistenceError } from "./persistence.js"

const iso = (at: DateTime.Utc) => DateTime.formatIso(at)
const isoOrNull = (at: DateTime.Utc | null) => (at === null ? null : iso(at))

/** A row: the subscription as clients see it, its scope and its schedule. */
const SubscriptionRow = Schema.Struct({
  ...Subscription.fields,
  lineage: Schema.Array(Schema.String),
  billing_anchor: Timestamp,
  time_zone: Schema.String,
  billing_interval: BillingInterval,
  period_index: Schema.Int,
  commitment_months: Schema.NullOr(Schema.Int)
})
type SubscriptionRow = typeof SubscriptionRow.Type

const toStored = (row: SubscriptionRow): StoredSubscription => {
  const { billing_anchor, billing_interval, commitment_months, lineage, period_index, time_zone, ...fields } = row
  return {
    // `SubscriptionRow` has just decoded every field: the class need not validate them again.
    subscription: new Subscription(fields, true),
    lineage,
    schedule: { anchor: billing_anchor, time_zone, interval: billing_interval, period_index, commitment_months }
  }
}

// Made once: a schema made per call is compiled per call.
const decodeSubscriptionRows = Schema.decodeUnknown(Schema.Array(SubscriptionRow))

const decodeRows = (rows: ReadonlyArray<unknown>) => Effect.map(decodeSubscriptionRows(rows), (decoded) => decoded.map(toStored))

const decodeFirst = (rows: ReadonlyArray<unknown>) =>
  Effect.map(decodeRows(rows.slice(0, 1)), (decoded) => Option.fromNullable(decoded[0]))

/** The columns every write sets (all but the ids, the customer, the product, the lineage and `created_at`). */
const mutable = (stored: StoredSubscription) => {
  const { schedule, subscription: s } = stored
  return {
    plan_id: s.plan_id,
    plan_version: s.plan_version,
    name: s.name,
    status: s.status,
    quantity: s.quantity,
    auto_renew: s.auto_renew,
    current_period_start: iso(s.current_period_start),
    current_period_end: iso(s.current_period_end),
    cancel_at_period_end: s.cancel_at_period_end,
    cancelled_at: isoOrNull(s.cancelled_at),
    expired_at: isoOrNull(s.expired_at),
    characteristics: JSON.stringify(s.characteristics),
    custom_fields: JSON.stringify(s.custom_fields),
    billing_anchor: iso(schedule.anchor),
    time_zone: schedule.time_zone,
    billing_interval: schedule.interval,
    period_index: schedule.period_index,
    commitment_months: schedule.commitment_months,
    updated_at: iso(s.updated_at)
  }
}

export const SubscriptionRepoLive = Layer.effect(
  SubscriptionRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const read = yield* plainStatement

    return SubscriptionRepo.of({
      insert: (stored) => {
        const s = stored.subscription
        return orPersistenceError(
          sql`insert into subscriptions ${
            sql.insert({
              id: s.id,
              customer_id: s.customer_id,
              lineage: [...stored.lineage],
              product_id: s.product_id,
              parent_subscription_id: s.parent_subscription_id,
              order_id: s.order_id,
              created_at: iso(s.created_at),
              ...mutable(stored)
            })
          }`
        ).pipe(Effect.asVoid)
      },
      update: (stored) =>
        orPersistenceError(
          sql`update subscriptions set ${sql.update(mutable(stored))} where id = ${stored.subscription.id}`
        ).pipe(Effect.asVoid),
      // The hottest read (GET /subscriptions/{id}): on the pool, not through the SqlClient.
      findById: (id) => orPersistenceError(Effect.flatMap(read("select * from subscriptions where id = $1", [id]), decodeFirst)),
      lock: (id) =>
        orPersistenceError(Effect.flatMap(sql`select * from subscriptions where id = ${id} for update`, decodeFirst)),
      lockAddons: (parentId, statuses) =>
        orPersistenceError(
          Effect.flatMap(
            sql`select * from subscriptions
                 where parent_subscription_id = ${parentId} and status = any(${statuses}::text[])
                 order by id for update`,
            decodeRows
          )
        ),
      list: (within, filter, page) =>
        orPersistenceError(
          Effect.flatMap(
            sql`select * from subscriptions where lineage @> array[${within}]::text[]
                ${filter.customer_id === undefined ? sql`` : sql`and customer_id = ${filter.customer_id}`}
                ${filter.status === undefined ? sql`` : sql`and status = ${filter.status}`}
                ${pageClause(sql, page)}`,
            decodeRows
          )
        ).pipe(Effect.map((rows) => {
          // toPage's rule, on the subscription's id.
          const items = rows.slice(0, page.limit)
          const last = items[items.length - 1]
          return {
            items,
            limit: page.limit,
            next_cursor: rows.length > page.limit && last !== undefined ? encodeCursor(last.subscription.id) : null
          }
        })),
      // SKIP LOCKED: a row another scheduler holds is its to handle. A row that another one
      // changed after this statement's snapshot is checked again on its new version, so a
      // subscription renewed meanwhile is no longer due and is not claimed.
      claimDue: (now, limit) =>
        orPersistenceError(
          Effect.flatMap(
            sql`select s.* from subscriptions s
                 where s.status = 'active' and s.current_period_end <= ${iso(now)}
                   and not exists (
                     select 1 from subscriptions p
                      where p.id = s.parent_subscription_id and p.status = 'active'
                        and p.current_period_end <= ${iso(now)})
                 order by s.current_period_end, s.id
                 limit ${limit}
                 for update of s skip locked`,
            decodeRows
          )
        ),
      setStatusOfCustomers: (customerIds, from, to, at) =>
        customerIds.length === 0 ? Effect.succeed([]) : orPersistenceError(
          Effect.flatMap(
            sql`update subscriptions
                   set status = ${to}, updated_at = ${iso(at)},
                       cancelled_at = case when ${to} = 'cancelled' then ${iso(at)}::timestamptz else cancelled_at end
                 where customer_id = any(${pgArray(customerIds)}::text[]) and status = any(${pgArray(from)}::text[])
                returning *`,
            decodeRows
          )
        ),

      paidInstallmentStarts: (subscriptionId, from, to) =>
        orPersistenceError(Effect.flatMap(
          sql`select l.period_start from invoice_lines l join invoices i on i.id = l.invoice_id
               where l.subscription_id = ${subscriptionId} and l.kind = 'installment' and i.status = 'paid'
                 and l.period_start >= ${iso(from)} and l.period_start < ${iso(to)}
               order by l.period_start`,
          (rows) => Schema.decodeUnknown(Schema.Array(Schema.Struct({ period_start: Timestamp })))(rows)
        )).pipe(Effect.map((rows) => rows.map((r) => r.period_start)))
    })
  })
)

export const QuantityRequestRepoLive = Layer.effect(
  QuantityRequestRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const decodeFirstRequest = (rows: ReadonlyArray<unknown>) =>
      Effect.map(
        Schema.decodeUnknown(Schema.Array(QuantityRequest))(rows.slice(0, 1)),
        (decoded) => Option.fromNullable(decoded[0])
      )
    return QuantityRequestRepo.of({
      insert: (request) =>
        orPersistenceError(
          sql`insert into quantity_requests ${
            sql.insert({
              id: request.id,
              subscription_id: request.subscription_id,
              from_quantity: request.from_quantity,
              to_quantity: request.to_quantity,
              state: request.state,
              reason: request.reason,
              completed_at: isoOrNull(request.completed_at),
              created_at: iso(request.created_at),
              updated_at: iso(request.updated_at)
            })
          }`
        ).pipe(Effect.asVoid),
      update: (request) =>
        orPersistenceError(
          sql`update quantity_requests
                 set state = ${request.state}, reason = ${request.reason},
                     completed_at = ${isoOrNull(request.completed_at)}, updated_at = ${iso(request.updated_at)}
               where id = ${request.id}`
        ).pipe(Effect.asVoid),
      findById: (subscriptionId, id) =>
        orPersistenceError(
          Effect.flatMap(
            sql`select * from quantity_requests where id = ${id} and subscription_id = ${subscriptionId}`,
            decodeFirstRequest
          )
        ),
      findPending: (subscriptionId) =>
        orPersistenceError(
          Effect.flatMap(
            sql`select * from quantity_requests where subscription_id = ${subscriptionId} and state = 'pending'`,
            decodeFirstRequest
          )
        )
    })
  })
)
