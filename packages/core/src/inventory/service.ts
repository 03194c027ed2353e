import { Context, Effect, Layer, Option } from "effect"
import { CustomerRepo } from "../customers/ports.js"
import type { Principal } from "../identity/model.js"
import { canReach } from "../identity/policy.js"
import { NotFound } from "../shared/errors.js"
import type { PageRequest } from "../shared/pagination.js"
import { InventoryRepo } from "./ports.js"

export const make = Effect.gen(function* () {
  const repo = yield* InventoryRepo
  const customers = yield* CustomerRepo

  /** A customer the caller may see; out of scope reads as missing. */
  const findCustomer = (principal: Principal, id: string) =>
    customers.findById(id).pipe(
      Effect.flatMap(Option.match({
        onNone: () => Effect.fail(NotFound.of("customer", id)),
        onSome: (stored) =>
          canReach(principal, stored.lineage) ? Effect.succeed(stored) : Effect.fail(NotFound.of("customer", id))
      }))
    )

  const orNotFound = (resource: string, id: string) => <A, E>(effect: Effect.Effect<Option.Option<A>, E>) =>
    Effect.flatMap(effect, Option.match({ onNone: () => Effect.fail(NotFound.of(resource, id)), onSome: Effect.succeed }))

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
