import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { StoredEvent } from "../events/model.js"
import { newEvent } from "../events/service.js"
import { QuantityRequest, type StoredSubscription, Subscription } from "./model.js"

/**
 * The events of the subscriptions context. Each carries the subscription as the API shows it,
 * plus what the event adds.
 */

const encodeSubscription = Schema.encode(Subscription)
const encodeRequest = Schema.encode(QuantityRequest)

export const subscriptionEvent = (
  type:
    | "subscription.created"
    | "subscription.updated"
    | "subscription.cancelled"
    | "subscription.expired"
    | "subscription.renewed"
    | "subscription.suspended"
    | "subscription.resumed",
  stored: StoredSubscription,
  extra: Record<string, unknown> = {}
): Effect.Effect<StoredEvent> =>
  Effect.gen(function* () {
    const subscription = yield* Effect.orDie(encodeSubscription(stored.subscription))
    return yield* newEvent(
      type,
      { customer_id: stored.subscription.customer_id, lineage: stored.lineage },
      { subscription, ...extra }
    )
  })

export const quantityRequestEvent = (
  type: "quantity_request.created" | "quantity_request.completed" | "quantity_request.failed",
  stored: StoredSubscription,
  request: QuantityRequest
): Effect.Effect<StoredEvent> =>
  Effect.gen(function* () {
    const quantity_request = yield* Effect.orDie(encodeRequest(request))
    return yield* newEvent(
      type,
      { customer_id: stored.subscription.customer_id, lineage: stored.lineage },
      { quantity_request }
    )
  })
