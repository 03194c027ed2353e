import * as SqlClient from "@effect/sql/SqlClient"
import { Connection, InServiceNumber, InServiceProduct, InServiceSubscription } from "@provisio/core/inventory/model"
import { InventoryRepo } from "@provisio/core/inventory/ports"
import { toPage } from "@provisio/core/shared/pagination"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { pageClause } from "./pagination.js"
import { orPersistenceError } from "./persistence.js"

const decodeConnections = Schema.decodeUnknown(Schema.Array(Connection))
const decodeSubscriptions = Schema.decodeUnknown(Schema.Array(Schema.Struct({
  product_id: Schema.String,
  ...InServiceSubscription.fields
})))
const decodeNumbers = Schema.decodeUnknown(Schema.Array(Schema.Struct({ product_id: Schema.String, ...InServiceNumber.fields })))
const ProductRow = Schema.Struct({ id: Schema.String, name: Schema.String, type: Schema.String })

export const InventoryRepoLive = Layer.effect(
  InventoryRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    // Connections: active subscriptions of connection products, as one subquery so the page
    // clause reads plain column names.
    const connections = (customerId: string) => sql`
      select * from (
        select s.id, s.customer_id, s.product_id, p.name as product_name, s.plan_id, s.plan_version, s.quantity,
               s.status, s.characteristics, s.created_at as since
          from subscriptions s join products p on p.id = s.product_id
         where s.customer_id = ${customerId} and s.status = 'active' and p.type = 'connection'
      ) c where true`

    /** The in-service products among `products`, with their subscriptions and numbers. */
    const details = (customerId: string, products: ReadonlyArray<typeof ProductRow.Type>) =>
      Effect.gen(function* () {
        if (products.length === 0) return []
        const ids = products.map((p) => p.id)
        const subscriptions = yield* Effect.flatMap(
          sql`select product_id, id, plan_id, plan_version, quantity, characteristics, created_at as since
                from subscriptions
               where customer_id = ${customerId} and status = 'active' and product_id in ${sql.in(ids)}
               order by id`,
          decodeSubscriptions
        )
        const numbers = yield* Effect.flatMap(
          sql`select product_id, number, country, city_id, location_id, state as status, characteristics
                from numbers
               where customer_id = ${customerId} and state in ('assigned', 'porting') and product_id in ${sql.in(ids)}
               order by number`,
          decodeNumbers
        )
        return products.map((p) =>
          new InServiceProduct({
            id: p.id as InServiceProduct["id"],
            name: p.name,
            type: p.type as InServiceProduct["type"],
            subscriptions: subscriptions.filter((s) => s.product_id === p.id).map(({ product_id: _, ...s }) => new InServiceSubscription(s)),
            numbers: numbers.filter((n) => n.product_id === p.id).map(({ product_id: _, ...n }) => new InServiceNumber(n))
          })
        )
      })

    const inService = (customerId: string) => sql`
      select id, name, type from products p
       where (exists (select 1 from subscriptions s
                       where s.product_id = p.id and s.customer_id = ${customerId} and s.status = 'active')
           or exists (select 1 from numbers n
                       where n.product_id = p.id and n.customer_id = ${customerId} and n.state in ('assigned', 'porting')))`

    const decodeProducts = Schema.decodeUnknown(Schema.Array(ProductRow))

    return InventoryRepo.of({
      listConnections: (customerId, page) =>
        orPersistenceError(Effect.flatMap(sql`${connections(customerId)} ${pageClause(sql, page)}`, decodeConnections)).pipe(
          Effect.map((rows) => toPage(rows, page))
        ),
      findConnection: (customerId, id) =>
        orPersistenceError(Effect.flatMap(sql`${connections(customerId)} and id = ${id}`, decodeConnections)).pipe(
          Effect.map((rows) => Option.fromNullable(rows[0]))
        ),
      listProducts: (customerId, page) =>
        orPersistenceError(Effect.gen(function* () {
          const rows = yield* Effect.flatMap(sql`${inService(customerId)} ${pageClause(sql, page)}`, decodeProducts)
          const paged = toPage(rows, page)
          return { ...paged, items: yield* details(customerId, paged.items) }
        })),
      findProduct: (customerId, productId) =>
        orPersistenceError(Effect.gen(function* () {
          const rows = yield* Effect.flatMap(sql`${inService(customerId)} and id = ${productId}`, decodeProducts)
          return Option.fromNullable((yield* details(customerId, rows))[0])
        }))
    })
  })
)
