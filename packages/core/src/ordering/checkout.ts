import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import type { Customer } from "../customers/model.js"
import type { StoredEvent } from "../events/model.js"
import type { Principal } from "../identity/model.js"
import { InvalidState, orNotFound, ValidationError } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import { type Currency } from "../shared/money.js"
import { subscriptionEvent } from "../subscriptions/events.js"
import { scheduleOf } from "../subscriptions/lifecycle.js"
import { type StoredSubscription, Subscription, type SubscriptionId } from "../subscriptions/model.js"
import { periodAt, periodBounds } from "../subscriptions/periods.js"
import { Order, OrderItem } from "./model.js"
import { now } from "../shared/time.js"
import { FAILED_BY_ANOTHER, type OrderingContext, type Resolved } from "./context.js"

/** Checkout: a draft's items checked again and carried out in one transaction (subscriptions started, quantities raised, one-offs bought). */
export const makeCheckout = ({ orders, customers, subscriptions, log, transactor, orderEvent, findOrder, lockOrder, requireOrdering, requireDraft, resolveItem, unitsAddedBefore, totalOf, itemFields }: OrderingContext) => {
  /**
   * Validates every item against the current catalog and subscriptions, prices the order and,
   * in one transaction, creates the subscriptions, raises the quantities and writes the events.
   * If any item cannot be fulfilled nothing happens but the order failing, each item saying why.
   */
  const checkout = Effect.fn("Ordering.checkout")(function* (principal: Principal, id: string) {
    yield* findOrder(principal, id)
    yield* requireOrdering(principal, "check out orders")
    return yield* transactor.withTransaction(Effect.gen(function* () {
      const stored = yield* lockOrder(id)
      yield* requireDraft(stored.order, "be checked out")
      if (stored.order.items.length === 0) {
        return yield* ValidationError.of("items", "the order has no items: add one (POST /orders/{id}/items) first")
      }
      const customer = yield* customers.findById(stored.order.customer_id).pipe(
        orNotFound("order", id)
      )
      // Closed after the draft was made: nothing is started for it.
      if (customer.customer.status === "closed") {
        return yield* new InvalidState({ message: `customer ${customer.customer.id} is closed: reopen it (status active) to check out its orders` })
      }
      const at = yield* now
      // The subscriptions the order touches, locked in id order (a parent before its add-ons, as
      // cancelling and the scheduler lock them), so concurrent changes wait rather than deadlock.
      const touched = new Set(stored.order.items.flatMap((item) =>
        [item.subscription_id, item.parent_subscription_id].filter((sid): sid is SubscriptionId => sid !== null)
      ))
      for (const sid of [...touched].sort()) yield* subscriptions.lock(sid)
      // The whole order, checked first: nothing is written unless every item can be fulfilled.
      const currency = stored.order.items.find((item) => item.amount !== null)?.amount?.currency as Currency | undefined
      // An item raising a subscription counts what the items before it add, as when it was added.
      const outcomes = yield* Effect.forEach(stored.order.items, (item, i) => {
        const earlier = unitsAddedBefore(stored.order.items.slice(0, i), item.subscription_id)
        return Effect.either(resolveItem(customer.customer, item, currency, true, earlier))
      })
      if (outcomes.some((outcome) => outcome._tag === "Left")) {
        const items = stored.order.items.map((item, i) => {
          const outcome = outcomes[i]!
          const error = outcome._tag === "Left"
            ? (outcome.left.field === undefined ? outcome.left.message : `${outcome.left.field} ${outcome.left.message}`)
            : FAILED_BY_ANOTHER
          return new OrderItem({ ...item, status: "failed", error })
        })
        const failed = new Order({ ...stored.order, status: "failed", items, submitted_at: at, updated_at: at })
        yield* orders.save(failed)
        yield* log.append([yield* orderEvent("order.failed", stored, failed)])
        return failed
      }
      const events: Array<StoredEvent> = []
      // Several items may raise one subscription: each adds to what the previous ones left.
      const raised = new Map<string, StoredSubscription>()
      const items: Array<OrderItem> = []
      for (const [i, item] of stored.order.items.entries()) {
        const resolved = (outcomes[i] as { readonly right: Resolved }).right
        switch (resolved.action) {
          case "create": {
            const subscription = yield* startSubscription(customer, item, resolved, stored.order.id, at)
            yield* subscriptions.insert(subscription)
            events.push(yield* subscriptionEvent("subscription.created", subscription, { order_id: stored.order.id }))
            items.push(new OrderItem({ ...item, ...itemFields(resolved), subscription_id: subscription.subscription.id, status: "completed" }))
            break
          }
          case "increase_quantity": {
            const current = raised.get(resolved.subscription.subscription.id) ?? resolved.subscription
            const updated: StoredSubscription = {
              ...current,
              subscription: new Subscription({
                ...current.subscription,
                quantity: current.subscription.quantity + item.quantity,
                updated_at: at
              })
            }
            raised.set(updated.subscription.id, updated)
            events.push(yield* subscriptionEvent("subscription.updated", updated, {
              changes: { quantity: { from: current.subscription.quantity, to: updated.subscription.quantity } },
              order_id: stored.order.id
            }))
            items.push(new OrderItem({ ...item, ...itemFields(resolved), status: "completed" }))
            break
          }
          case "purchase":
            items.push(new OrderItem({ ...item, ...itemFields(resolved), status: "completed" }))
            break
        }
      }
      for (const subscription of raised.values()) yield* subscriptions.update(subscription)
      const completed = new Order({
        ...stored.order,
        status: "completed",
        items,
        total: totalOf(items),
        submitted_at: at,
        completed_at: at,
        updated_at: at
      })
      yield* orders.save(completed)
      events.push(yield* orderEvent("order.completed", stored, completed))
      yield* log.append(events)
      return completed
    }))
  })

  /**
   * A new active subscription for a `create` item, its first period starting now. An add-on's
   * periods share its parent's anchor, so both renew on the same days; its first period runs
   * from now to the end of the parent-anchored period it falls in.
   */
  const startSubscription = (
    customer: { readonly customer: Customer; readonly lineage: ReadonlyArray<string> },
    item: OrderItem,
    resolved: Extract<Resolved, { readonly action: "create" }>,
    orderId: string,
    at: DateTime.Utc
  ) =>
    Effect.gen(function* () {
      const id = (yield* makeId("sub")) as SubscriptionId
      const parent = resolved.parent
      const anchor = parent === null ? at : parent.schedule.anchor
      const timeZone = parent === null ? customer.customer.timezone : parent.schedule.time_zone
      const period = parent === null
        ? { index: 0, ...periodBounds(anchor, timeZone, resolved.plan.billing_interval, 0) }
        : periodAt(anchor, timeZone, resolved.plan.billing_interval, at)
      const stored: StoredSubscription = {
        lineage: customer.lineage,
        schedule: scheduleOf(resolved.plan, anchor, timeZone, period.index),
        subscription: new Subscription({
          id,
          customer_id: customer.customer.id,
          product_id: resolved.product.id,
          plan_id: resolved.plan.id,
          plan_version: resolved.plan.version,
          name: null,
          status: "active",
          quantity: item.quantity,
          auto_renew: true,
          current_period_start: at,
          current_period_end: period.end,
          cancel_at_period_end: false,
          cancelled_at: null,
          expired_at: null,
          parent_subscription_id: parent === null ? null : parent.subscription.id,
          characteristics: item.characteristics,
          custom_fields: {},
          order_id: orderId,
          created_at: at,
          updated_at: at
        })
      }
      return stored
    })

  return { checkout }
}
