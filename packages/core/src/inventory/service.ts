import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { CustomerRepo } from "../customers/ports.js"
import type { Principal } from "../identity/model.js"
import { reachableBy } from "../identity/policy.js"
import { orNotFound } from "../shared/errors.js"
import type { PageRequest } from "../shared/pagination.js"
import { InventoryRepo } from "./ports.js"

export const make = Effect.gen(function* () {
  const repo = yield* InventoryRepo
  const customers = yield* CustomerRepo

  /** A customer the caller may see; out of scope reads as missing. */
  const findCustomer = (principal: Principal, id: string) =>
    customers.findById(id).pipe(
      reachableBy(principal, "customer", id)
    )

  return {
    listConnections: Effect.fn("Inventory.listConnections")(function* (p: Principal, customerId: string, page: PageRequest) {
      yield* findCustomer(p, customerId)
      return yield* repo.listConnections(customerId, page)
    }),
    getConnection: Effect.fn("Inventory.getConnection")(function* (p: Principal, customerId: string, id: string) {
      yield* findCustomer(p, customerId)
      return yield* repo.findConnection(customerId, id).pipe(orNotFound("connection", id))
    }),
    listProducts: Effect.fn("Inventory.listProducts")(function* (p: Principal, customerId: string, page: PageRequest) {
      yield* findCustomer(p, customerId)
      return yield* repo.listProducts(customerId, page)
    }),
    getProduct: Effect.fn("Inventory.getProduct")(function* (p: Principal, customerId: string, productId: string) {
      yield* findCustomer(p, customerId)
      return yield* repo.findProduct(customerId, productId).pipe(orNotFound("in-service product", productId))
    })
  } as const
})

export class Inventory extends Context.Tag("@provisio/core/Inventory")<Inventory, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(Inventory, make)
}
