import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Principal } from "../identity/model.js"
import { InvalidState, orNotFound, ValidationError } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import { quantityRequestEvent, subscriptionEvent } from "./events.js"
import {
  QuantityRequest,
  QuantityRequestAccepted,
  type QuantityRequestId,
  type StoredSubscription,
  Subscription
} from "./model.js"
import { now } from "../shared/time.js"
import type { SubscriptionsContext } from "./context.js"

/** Quantity decreases: requested, then completed or failed when the provider answers. */
export const makeQuantityRequests = ({ subscriptions, requests, log, transactor, targets, findSubscription, lockSubscription, requireChange, requireActive, write }: SubscriptionsContext) => {
  /**
   * A quantity decrease, answered at once (`202`) as a request to poll. The product has no
   * provisioning target yet (push delivery is the next issue), so the request completes in the
   * same call: the subscription takes the new quantity and both events are written.
   */
  const requestQuantityDecrease = Effect.fn("Subscriptions.requestQuantityDecrease")(function* (
    principal: Principal,
    id: string,
    quantity: number
  ) {
    yield* findSubscription(principal, id)
    yield* requireChange(principal, "change quantities")
    const request = yield* transactor.withTransaction(Effect.gen(function* () {
      const stored = yield* lockSubscription(id)
      yield* requireActive(stored, "change its quantity")
      const from = stored.subscription.quantity
      if (quantity >= from) {
        return yield* ValidationError.of(
          "quantity",
          quantity === from
            ? `is already ${from}`
            : `must be lower than the current ${from}: raise a quantity by ordering (POST /orders with subscription_id)`
        )
      }
      const pending = yield* requests.findPending(stored.subscription.id)
      if (Option.isSome(pending)) {
        return yield* new InvalidState({
          message: `quantity request ${pending.value.id} of subscription ${id} is still pending`
        })
      }
      const at = yield* now
      const created = new QuantityRequest({
        id: (yield* makeId("qrq")) as QuantityRequestId,
        subscription_id: stored.subscription.id,
        from_quantity: from,
        to_quantity: quantity,
        state: "pending",
        reason: null,
        completed_at: null,
        created_at: at,
        updated_at: at
      })
      yield* requests.insert(created)
      yield* log.append([yield* quantityRequestEvent("quantity_request.created", stored, created)])
      return created
    }))
    // A product whose target takes subscription calls acknowledges the decrease: the request stays
    // pending until the delivery engine's UPDATE is acknowledged (or fails when it is dead).
    const subscription = yield* subscriptions.findById(request.subscription_id)
    const target = Option.isSome(subscription)
      ? yield* targets.find(subscription.value.subscription.product_id)
      : Option.none()
    if (Option.isSome(target) && target.value.endpoints.includes("subscriptions")) {
      return new QuantityRequestAccepted({ ...request, request_id: request.id })
    }
    // No provisioning target to acknowledge it: complete now.
    const completed = yield* completeQuantityRequest(request.subscription_id, request.id)
    return new QuantityRequestAccepted({ ...completed, request_id: completed.id })
  })

  const findRequest = (subscriptionId: string, requestId: string) =>
    requests.findById(subscriptionId, requestId).pipe(
      orNotFound("quantity request", requestId)
    )

  /**
   * The provisioning side acknowledged a pending decrease (or there is none to ask): the
   * subscription takes the new quantity. A request no longer pending is answered as it is.
   */
  const completeQuantityRequest = (subscriptionId: string, requestId: string) =>
    transactor.withTransaction(Effect.gen(function* () {
      const stored = yield* lockSubscription(subscriptionId)
      const request = yield* findRequest(subscriptionId, requestId)
      if (request.state !== "pending") return request
      const at = yield* now
      if (stored.subscription.status !== "active") {
        const failed = new QuantityRequest({
          ...request,
          state: "failed",
          reason: `the subscription is ${stored.subscription.status}`,
          updated_at: at
        })
        yield* requests.update(failed)
        yield* log.append([yield* quantityRequestEvent("quantity_request.failed", stored, failed)])
        return failed
      }
      const done = new QuantityRequest({ ...request, state: "completed", completed_at: at, updated_at: at })
      const updated: StoredSubscription = {
        ...stored,
        subscription: new Subscription({ ...stored.subscription, quantity: request.to_quantity, updated_at: at })
      }
      yield* requests.update(done)
      yield* write(updated, [
        yield* quantityRequestEvent("quantity_request.completed", updated, done),
        yield* subscriptionEvent("subscription.updated", updated, {
          changes: { quantity: { from: stored.subscription.quantity, to: request.to_quantity } },
          quantity_request_id: done.id
        })
      ])
      return done
    }))

  /** The provisioning side never acknowledged a pending decrease: it fails, the quantity stays. */
  const failQuantityRequest = (subscriptionId: string, requestId: string, reason: string) =>
    transactor.withTransaction(Effect.gen(function* () {
      const stored = yield* lockSubscription(subscriptionId)
      const request = yield* findRequest(subscriptionId, requestId)
      if (request.state !== "pending") return request
      const at = yield* now
      const failed = new QuantityRequest({ ...request, state: "failed", reason, updated_at: at })
      yield* requests.update(failed)
      yield* log.append([yield* quantityRequestEvent("quantity_request.failed", stored, failed)])
      return failed
    }))

  const getQuantityRequest = Effect.fn("Subscriptions.getQuantityRequest")(function* (
    principal: Principal,
    id: string,
    requestId: string
  ) {
    const stored = yield* findSubscription(principal, id)
    return yield* findRequest(stored.subscription.id, requestId)
  })

  return { requestQuantityDecrease, completeQuantityRequest, failQuantityRequest, getQuantityRequest }
}
