import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { PlanRepo } from "../catalog/ports.js"
import { ProvisioningTargetRepo } from "../provisioning/ports.js"
import { EventLog } from "../events/ports.js"
import { Transactor } from "../shared/transactor.js"
import { QuantityRequestRepo, SubscriptionRepo } from "./ports.js"
import { makeReads } from "./reads.js"
import { makeChanges } from "./changes.js"
import { makeQuantityRequests } from "./quantity-requests.js"
import { makeScheduler } from "./scheduler.js"
import { makeCommon } from "./context.js"

/**
 * Subscriptions, one file per job: reads.ts, changes.ts, quantity-requests.ts and scheduler.ts,
 * over the helpers of context.ts; here they are given their ports once.
 */
export const make = Effect.gen(function* () {
  const subscriptions = yield* SubscriptionRepo
  const requests = yield* QuantityRequestRepo
  const plans = yield* PlanRepo
  const log = yield* EventLog
  const transactor = yield* Transactor
  const targets = yield* ProvisioningTargetRepo
  const deps = { subscriptions, requests, plans, log, transactor, targets }
  const context = { ...deps, ...makeCommon(deps) }
  return {
    ...makeReads(context),
    ...makeChanges(context),
    ...makeQuantityRequests(context),
    ...makeScheduler(context)
  } as const
})

export class Subscriptions extends Context.Tag("@provisio/core/Subscriptions")<
  Subscriptions,
  Effect.Effect.Success<typeof make>
>() {
  static readonly layer = Layer.effect(Subscriptions, make)
}
