import * as SqlClient from "@effect/sql/SqlClient"
import { Order, type StoredOrder } from "@provisio/core/ordering/model"
import { OrderRepo } from "@provisio/core/ordering/ports"
import { formatDecimal, type Money } from "@provisio/core/shared/money"
import { toPage } from "@provisio/core/shared/pagination"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { pageClause } from "./pagination.js"
import { orPersistenceError } from "./persistence.js"

// Money is NUMERIC, written and read as decimal text; the items are assembled as JSON by the
// query with every NUMERIC cast to text first (a JSON number would go through a binary float).

const iso = (at: DateTime.Utc) => DateTime.formatIso(at)
const isoOrNull = (at: DateTime.Utc | null) => (at === null ? null : iso(at))
const amountOf = (m: Money | null) => (m === null ? null : formatDecimal(m.amount))

const OrderRow = Schema.Struct({ ...Order.fields, lineage: Schema.Array(Schema.String) })

const toStored = ({ lineage, ...fields }: typeof OrderRow.Type): StoredOrder => ({ order: new Order(fields), lineage })

const money = (amount: string, currency: string) =>
  `case when ${amount} is null then null else json_build_object('amount', ${amount}::text, 'currency', ${currency}) end`

export const OrderRepoLive = Layer.effect(
  OrderRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const select = sql`
      select o.id, o.customer_id, o.lineage, o.status, ${sql.literal(money("o.total_amount", "o.total_currency"))} as total,
             o.submitted_at, o.completed_at, o.cancelled_at, o.created_at, o.updated_at,
             coalesce((select json_agg(json_build_object(
                                'id', i.id, 'action', i.action, 'plan_id', i.plan_id, 'plan_version', i.plan_version,
                                'sku_id', i.sku_id, 'quantity', i.quantity, 'subscription_id', i.subscription_id,
                                'parent_subscription_id', i.parent_subscription_id, 'characteristics', i.characteristics,
                                'status', i.status, 'error', i.error, 'number', i.number,
                                'unit_price', ${sql.literal(money("i.unit_price_amount", "i.unit_price_currency"))},
                                'amount', ${sql.literal(money("i.amount", "i.amount_currency"))})
                              order by i.position)
                         from order_items i where i.order_id = o.id), '[]'::json) as items
        from orders o`

    const decodeRows = (rows: ReadonlyArray<unknown>) =>
      Effect.map(Schema.decodeUnknown(Schema.Array(OrderRow))(rows), (decoded) => decoded.map(toStored))
    const decodeFirst = (rows: ReadonlyArray<unknown>) =>
      Effect.map(decodeRows(rows.slice(0, 1)), (decoded) => Option.fromNullable(decoded[0]))

    const findById = (id: string) => Effect.flatMap(sql`${select} where o.id = ${id}`, decodeFirst)

    const writeItems = (order: Order) =>
      order.items.length === 0
        ? Effect.void
        : sql`insert into order_items ${
          sql.insert(order.items.map((item, position) => ({
            id: item.id,
            order_id: order.id,
            position,
            action: item.action,
            plan_id: item.plan_id,
            plan_version: item.plan_version,
            sku_id: item.sku_id,
            quantity: item.quantity,
            subscription_id: item.subscription_id,
            parent_subscription_id: item.parent_subscription_id,
            characteristics: JSON.stringify(item.characteristics),
            status: item.status,
            error: item.error,
            unit_price_amount: amountOf(item.unit_price),
            unit_price_currency: item.unit_price?.currency ?? null,
            amount: amountOf(item.amount),
            amount_currency: item.amount?.currency ?? null,
            number: item.number ?? null
          })))
        }`.pipe(Effect.asVoid)

    const orderColumns = (order: Order) => ({
      status: order.status,
      total_amount: amountOf(order.total),
      total_currency: order.total?.currency ?? null,
      submitted_at: isoOrNull(order.submitted_at),
      completed_at: isoOrNull(order.completed_at),
      cancelled_at: isoOrNull(order.cancelled_at),
      updated_at: iso(order.updated_at)
    })

    return OrderRepo.of({
      insert: ({ lineage, order }) =>
        orPersistenceError(
          Effect.zipRight(
            sql`insert into orders ${
              sql.insert({
                id: order.id,
                customer_id: order.customer_id,
                lineage: [...lineage],
                created_at: iso(order.created_at),
                ...orderColumns(order)
              })
            }`,
            writeItems(order)
          ).pipe(sql.withTransaction)
        ),
      // The items are few: they are written again whole.
      save: (order) =>
        orPersistenceError(
          Effect.all([
            sql`update orders set ${sql.update(orderColumns(order))} where id = ${order.id}`,
            sql`delete from order_items where order_id = ${order.id}`,
            writeItems(order)
          ], { discard: true }).pipe(sql.withTransaction)
        ),
      findById: (id) => orPersistenceError(findById(id)),
      lock: (id) =>
        orPersistenceError(
          Effect.zipRight(sql`select id from orders where id = ${id} for update`, findById(id))
        ),
      list: (within, filter, page) =>
        orPersistenceError(
          Effect.flatMap(
            sql`${select} where o.lineage @> array[${within}]::text[]
                ${filter.customer_id === undefined ? sql`` : sql`and o.customer_id = ${filter.customer_id}`}
                ${filter.status === undefined ? sql`` : sql`and o.status = ${filter.status}`}
                ${pageClause(sql, page, "o.id")}`,
            decodeRows
          )
        ).pipe(Effect.map((rows) => toPage(rows.map((stored) => stored.order), page)))
    })
  })
)
