import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { PersistenceError } from "../shared/errors.js"
import type { Page, PageRequest } from "../shared/pagination.js"
import type { Order, OrderStatus, StoredOrder } from "./model.js"

export interface OrderFilter {
  readonly customer_id?: string | undefined
  readonly status?: OrderStatus | undefined
}

export class OrderRepo extends Context.Tag("@provisio/core/OrderRepo")<OrderRepo, {
  /** A new order with its items. */
  readonly insert: (stored: StoredOrder) => Effect.Effect<void, PersistenceError>
  /** Writes the order's status, total and times, and its items as they are now (added ones included). */
  readonly save: (order: Order) => Effect.Effect<void, PersistenceError>
  readonly findById: (id: string) => Effect.Effect<Option.Option<StoredOrder>, PersistenceError>
  /** The order, its row held until the transaction ends (checkout, cancel, items). Run it in a transaction. */
  readonly lock: (id: string) => Effect.Effect<Option.Option<StoredOrder>, PersistenceError>
  /** Orders whose lineage contains `within`, by id. */
  readonly list: (within: string, filter: OrderFilter, page: PageRequest) => Effect.Effect<Page<Order>, PersistenceError>
}>() {}
