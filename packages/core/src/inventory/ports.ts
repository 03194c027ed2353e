import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { PersistenceError } from "../shared/errors.js"
import type { Page, PageRequest } from "../shared/pagination.js"
import type { Connection, InServiceProduct } from "./model.js"

export class InventoryRepo extends Context.Tag("@provisio/core/InventoryRepo")<InventoryRepo, {
  /** The customer's active subscriptions of `connection` products, by id. */
  readonly listConnections: (customerId: string, page: PageRequest) => Effect.Effect<Page<Connection>, PersistenceError>
  readonly findConnection: (customerId: string, id: string) => Effect.Effect<Option.Option<Connection>, PersistenceError>
  /**
   * The products the customer has in service (an active subscription, or a number assigned or
   * porting to it), by product id.
   */
  readonly listProducts: (customerId: string, page: PageRequest) => Effect.Effect<Page<InServiceProduct>, PersistenceError>
  readonly findProduct: (customerId: string, productId: string) => Effect.Effect<Option.Option<InServiceProduct>, PersistenceError>
}>() {}
