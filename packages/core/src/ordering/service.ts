import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { PlanRepo, ProductRepo, SkuRepo } from "../catalog/ports.js"
import { CustomerRepo } from "../customers/ports.js"
import { EventLog } from "../events/ports.js"
import { Transactor } from "../shared/transactor.js"
import { QuantityRequestRepo, SubscriptionRepo } from "../subscriptions/ports.js"
import { OrderRepo } from "./ports.js"
import { PriceResolver } from "../pricing/ports.js"
import { makeOrders } from "./orders.js"
import { makeCheckout } from "./checkout.js"
import { makeCommon } from "./context.js"

/**
 * Ordering, one file per job: orders.ts (drafts and their items) and checkout.ts, over the
 * helpers of context.ts (resolving what an item orders); here they are given their ports once.
 */
export const make = Effect.gen(function* () {
  const orders = yield* OrderRepo
  const customers = yield* CustomerRepo
  const products = yield* ProductRepo
  const plans = yield* PlanRepo
  const skus = yield* SkuRepo
  const subscriptions = yield* SubscriptionRepo
  const quantityRequests = yield* QuantityRequestRepo
  const log = yield* EventLog
  const transactor = yield* Transactor
  const prices = yield* PriceResolver
  const deps = { orders, customers, products, plans, skus, subscriptions, quantityRequests, log, transactor, prices }
  const context = { ...deps, ...makeCommon(deps) }
  return {
    ...makeOrders(context),
    ...makeCheckout(context)
  } as const
})

export class Ordering extends Context.Tag("@provisio/core/Ordering")<Ordering, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(Ordering, make)
}
