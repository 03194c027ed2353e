import { BigDecimal, Context, DateTime, Effect, Layer, Option, Schema } from "effect"
import { type Plan, type Product, type Sku, skuPriceModel } from "../catalog/model.js"
import { rate } from "../catalog/pricing.js"
import { PlanRepo, ProductRepo, SkuRepo } from "../catalog/ports.js"
import type { Customer } from "../customers/model.js"
import { CustomerRepo } from "../customers/ports.js"
import type { StoredEvent } from "../events/model.js"
import { EventLog } from "../events/ports.js"
import { newEvent } from "../events/service.js"
import type { Principal } from "../identity/model.js"
import { reachableBy, requireStandardEdition, requireWrite } from "../identity/policy.js"
import { InvalidState, orNotFound, ValidationError } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import { type Currency, type Money, money, sumMoney } from "../shared/money.js"
import type { PageRequest } from "../shared/pagination.js"
import { Transactor } from "../shared/transactor.js"
import { subscriptionEvent } from "../subscriptions/events.js"
import { priceOf, scheduleOf } from "../subscriptions/lifecycle.js"
import {
  type Characteristics,
  type StoredSubscription,
  Subscription,
  type SubscriptionId
} from "../subscriptions/model.js"
import { periodAt, periodBounds } from "../subscriptions/periods.js"
import { SubscriptionRepo } from "../subscriptions/ports.js"
import { checkCharacteristics } from "./characteristics.js"
import {
  type AddOrderItem,
  type CreateOrder,
  Order,
  OrderItem,
  type OrderItemAction,
  type OrderItemId,
  type OrderId,
  type StoredOrder
} from "./model.js"
import { type OrderFilter, OrderRepo } from "./ports.js"
import { now } from "../shared/time.js"

/** Why an item cannot be ordered: the field at fault (in the item's input) and how to fix it. */
class ItemProblem extends Schema.TaggedError<ItemProblem>()("ItemProblem", {
  message: Schema.String,
  field: Schema.optional(Schema.String)
}) {}

const problem = (field: string | undefined, message: string) => Effect.fail(new ItemProblem({ field, message }))

/** What an order item refers to, resolved against the catalog and the customer's subscriptions. */
type Resolved =
  | {
    readonly action: "create"
    readonly plan: Plan
    readonly product: Product
    readonly parent: StoredSubscription | null
    readonly unit_price: Money
    readonly amount: Money
  }
  | {
    readonly action: "increase_quantity"
    readonly plan: Plan
    readonly subscription: StoredSubscription
    readonly unit_price: Money
    readonly amount: Money
  }
  | {
    readonly action: "purchase"
    readonly sku: Sku
    readonly unit_price: Money | null
    readonly amount: Money
  }

/** The fields of an item that say what it orders: the input on adding, the stored item at checkout. */
interface ItemRequest {
  readonly plan_id?: string | null | undefined
  readonly sku_id?: string | null | undefined
  readonly quantity: number
  readonly subscription_id?: string | null | undefined
  readonly parent_subscription_id?: string | null | undefined
  readonly characteristics?: Characteristics | undefined
}

const FAILED_BY_ANOTHER = "not fulfilled: another item of the order failed, and an order is fulfilled whole or not at all"

export const make = Effect.gen(function* () {
  const orders = yield* OrderRepo
  const customers = yield* CustomerRepo
  const products = yield* ProductRepo
  const plans = yield* PlanRepo
  const skus = yield* SkuRepo
  const subscriptions = yield* SubscriptionRepo
  const log = yield* EventLog
  const transactor = yield* Transactor

  const encodeOrder = Schema.encode(Order)

  const orderEvent = (
    type: "order.created" | "order.updated" | "order.cancelled" | "order.completed" | "order.failed",
    stored: StoredOrder,
    order: Order
  ) =>
    Effect.gen(function* () {
      const data = yield* Effect.orDie(encodeOrder(order))
      return yield* newEvent(type, { customer_id: order.customer_id, lineage: stored.lineage }, { order: data })
    })

  const findCustomer = (principal: Principal, id: string) =>
    customers.findById(id).pipe(
      reachableBy(principal, "customer", id)
    )

  /** An order the caller may see (of `customerId` when given); out of scope reads as missing. */
  const findOrder = (principal: Principal, id: string, customerId?: string) =>
    orders.findById(id).pipe(
      Effect.map(Option.filter((stored) => customerId === undefined || stored.order.customer_id === customerId)),
      reachableBy(principal, "order", id)
    )

  const lockOrder = (id: string) =>
    orders.lock(id).pipe(
      orNotFound("order", id)
    )

  /** Ordering, checking out and cancelling: a writer's role and a standard edition. */
  const requireOrdering = (principal: Principal, action: string) =>
    Effect.zipRight(requireWrite(principal), requireStandardEdition(principal, action))

  const requireDraft = (order: Order, action: string) =>
    order.status === "draft"
      ? Effect.void
      : Effect.fail(new InvalidState({ message: `order ${order.id} is ${order.status}: only a draft can ${action}` }))

  // Resolving items ----------------------------------------------------------------------------

  /** The version of the plan new subscriptions get. */
  const publishedPlan = (id: string, field: string) =>
    Effect.gen(function* () {
      const latest = yield* plans.findLatest(id)
      if (Option.isNone(latest)) return yield* problem(field, `plan ${id} does not exist`)
      const version = latest.value.published_version
      if (version === null) return yield* problem(field, `plan ${id} is not published: it cannot be ordered yet`)
      const published = yield* plans.findVersion(id, version)
      if (Option.isNone(published)) return yield* problem(field, `plan ${id} has no version ${version}`)
      return published.value
    })

  /**
   * One of the customer's active subscriptions. In a transaction (checkout) its row is locked, so
   * what is checked here still holds when the checkout writes.
   */
  const customerSubscription = (customer: Customer, id: string, field: string, lock: boolean) =>
    Effect.gen(function* () {
      const found = yield* (lock ? subscriptions.lock(id) : subscriptions.findById(id))
      if (Option.isNone(found) || found.value.subscription.customer_id !== customer.id) {
        return yield* problem(field, `subscription ${id} is not one of customer ${customer.id}'s`)
      }
      const subscription = found.value.subscription
      if (subscription.status !== "active") {
        return yield* problem(field, `subscription ${id} is ${subscription.status}`)
      }
      if (subscription.cancel_at_period_end) {
        return yield* problem(field, `subscription ${id} is cancelled at the end of its period`)
      }
      return found.value
    })

  /**
   * What an item orders, checked against the catalog, the customer's subscriptions and the
   * currency of the order's other items: when an item is added, and again for every item at
   * checkout (the catalog or the subscriptions may have changed in between).
   */
  const resolveItem = (customer: Customer, item: ItemRequest, currency: Currency | undefined, lock: boolean) =>
    Effect.gen(function* () {
      const characteristics = item.characteristics ?? {}
      const given = (value: string | null | undefined): value is string => value !== undefined && value !== null
      let resolved: Resolved
      if (given(item.sku_id)) {
        for (const field of ["plan_id", "subscription_id", "parent_subscription_id"] as const) {
          if (given(item[field])) return yield* problem(field, "leave it out when ordering a SKU (sku_id)")
        }
        if (Object.keys(characteristics).length > 0) {
          return yield* problem("characteristics", "a SKU has no characteristics; leave them out")
        }
        const sku = yield* skus.findById(item.sku_id)
        if (Option.isNone(sku)) return yield* problem("sku_id", `SKU ${item.sku_id} does not exist`)
        const rating = rate(skuPriceModel(sku.value), BigDecimal.make(BigInt(item.quantity), 0), sku.value.currency)
        resolved = {
          action: "purchase",
          sku: sku.value,
          unit_price: sku.value.model === "per_unit" && sku.value.unit_price !== null
            ? money(sku.value.unit_price, sku.value.currency)
            : null,
          amount: money(rating.amount, sku.value.currency)
        }
      } else if (given(item.subscription_id)) {
        if (given(item.parent_subscription_id)) {
          return yield* problem(
            "parent_subscription_id",
            "an item either raises a subscription's quantity (subscription_id) or adds an add-on to one, not both"
          )
        }
        if (Object.keys(characteristics).length > 0) {
          return yield* problem("characteristics", "a quantity increase keeps the subscription's characteristics; leave them out")
        }
        const subscription = yield* customerSubscription(customer, item.subscription_id, "subscription_id", lock)
        if (given(item.plan_id) && item.plan_id !== subscription.subscription.plan_id) {
          return yield* problem(
            "plan_id",
            `subscription ${subscription.subscription.id} is to plan ${subscription.subscription.plan_id}; leave plan_id out or name that plan`
          )
        }
        // More units of the plan version the subscription has.
        const plan = yield* plans.findVersion(subscription.subscription.plan_id, subscription.subscription.plan_version)
        if (Option.isNone(plan)) return yield* problem("subscription_id", "the subscription's plan version is gone")
        resolved = {
          action: "increase_quantity",
          plan: plan.value,
          subscription,
          unit_price: plan.value.price,
          amount: priceOf(plan.value.price, item.quantity)
        }
      } else if (given(item.plan_id)) {
        const plan = yield* publishedPlan(item.plan_id, "plan_id")
        let parent: StoredSubscription | null = null
        if (given(item.parent_subscription_id)) {
          parent = yield* customerSubscription(customer, item.parent_subscription_id, "parent_subscription_id", lock)
          const parentPlan = yield* plans.findVersion(parent.subscription.plan_id, parent.subscription.plan_version)
          if (Option.isNone(parentPlan) || !parentPlan.value.addon_plan_ids.includes(plan.id)) {
            return yield* problem(
              "plan_id",
              `plan ${plan.id} is not an add-on of subscription ${parent.subscription.id}'s plan ${parent.subscription.plan_id}`
            )
          }
        }
        const product = yield* products.findById(plan.product_id)
        if (Option.isNone(product)) return yield* problem("plan_id", `the product of plan ${plan.id} is gone`)
        const wrong = checkCharacteristics(product.value.characteristics, characteristics, product.value.name)
        if (wrong !== undefined) return yield* problem(wrong.field, wrong.message)
        resolved = {
          action: "create",
          plan,
          product: product.value,
          parent,
          unit_price: plan.price,
          amount: priceOf(plan.price, item.quantity)
        }
      } else {
        return yield* problem(
          "plan_id",
          "name what to order: a plan_id (a new subscription or add-on), a subscription_id (more units) or a sku_id"
        )
      }
      if (currency !== undefined && resolved.amount.currency !== currency) {
        return yield* problem(
          resolved.action === "purchase" ? "sku_id" : "plan_id",
          `is priced in ${resolved.amount.currency}, the order in ${currency}: order it separately`
        )
      }
      return resolved
    })

  const totalOf = (items: ReadonlyArray<OrderItem>): Money | null => {
    const amounts = items.flatMap((item) => (item.amount === null ? [] : [item.amount]))
    return amounts.length === 0 ? null : sumMoney(amounts, amounts[0]!.currency as Currency)
  }

  const itemFields = (resolved: Resolved): Pick<OrderItem, "action" | "plan_version" | "unit_price" | "amount"> => ({
    action: resolved.action satisfies OrderItemAction,
    plan_version: resolved.action === "purchase" ? null : resolved.plan.version,
    unit_price: resolved.unit_price,
    amount: resolved.amount
  })

  // Use cases ----------------------------------------------------------------------------------

  /** A draft order for one of the caller's customers. */
  const createOrder = Effect.fn("Ordering.createOrder")(function* (principal: Principal, input: CreateOrder) {
    const customer = yield* findCustomer(principal, input.customer_id).pipe(
      Effect.catchTag("NotFound", () => Effect.fail(ValidationError.of("customer_id", `customer ${input.customer_id} does not exist`)))
    )
    yield* requireOrdering(principal, "place orders")
    const at = yield* now
    const order = new Order({
      id: (yield* makeId("ord")) as OrderId,
      customer_id: customer.customer.id,
      status: "draft",
      items: [],
      total: null,
      submitted_at: null,
      completed_at: null,
      cancelled_at: null,
      created_at: at,
      updated_at: at
    })
    const stored: StoredOrder = { order, lineage: customer.lineage }
    yield* transactor.withTransaction(
      Effect.zipRight(orders.insert(stored), Effect.flatMap(orderEvent("order.created", stored, order), (e) => log.append([e])))
    )
    return order
  })

  const listOrders = Effect.fn("Ordering.listOrders")(function* (
    principal: Principal,
    filter: OrderFilter,
    page: PageRequest
  ) {
    return yield* orders.list(principal.account_id, filter, page)
  })

  const listCustomerOrders = Effect.fn("Ordering.listCustomerOrders")(function* (
    principal: Principal,
    customerId: string,
    page: PageRequest
  ) {
    const customer = yield* findCustomer(principal, customerId)
    return yield* orders.list(principal.account_id, { customer_id: customer.customer.id }, page)
  })

  const getOrder = Effect.fn("Ordering.getOrder")(function* (principal: Principal, id: string, customerId?: string) {
    if (customerId !== undefined) yield* findCustomer(principal, customerId)
    return (yield* findOrder(principal, id, customerId)).order
  })

  /** Adds an item to a draft; what it orders is checked now (422 naming the field) and again at checkout. */
  const addItem = Effect.fn("Ordering.addItem")(function* (principal: Principal, id: string, input: AddOrderItem) {
    yield* findOrder(principal, id)
    yield* requireOrdering(principal, "place orders")
    return yield* transactor.withTransaction(Effect.gen(function* () {
      const stored = yield* lockOrder(id)
      yield* requireDraft(stored.order, "take items")
      const customer = yield* customers.findById(stored.order.customer_id).pipe(
        orNotFound("order", id)
      )
      const resolved = yield* resolveItem(
        customer.customer,
        input,
        stored.order.total?.currency as Currency | undefined,
        false
      ).pipe(Effect.catchTag("ItemProblem", (p) => Effect.fail(new ValidationError({ field: p.field, message: p.message }))))
      const item = new OrderItem({
        id: (yield* makeId("oit")) as OrderItemId,
        ...itemFields(resolved),
        plan_id: resolved.action === "purchase" ? null : resolved.plan.id,
        sku_id: resolved.action === "purchase" ? resolved.sku.id : null,
        quantity: input.quantity,
        subscription_id: resolved.action === "increase_quantity" ? resolved.subscription.subscription.id : null,
        parent_subscription_id: resolved.action === "create" ? resolved.parent?.subscription.id ?? null : null,
        characteristics: input.characteristics ?? {},
        status: "pending",
        error: null
      })
      const items = [...stored.order.items, item]
      const order = new Order({ ...stored.order, items, total: totalOf(items), updated_at: yield* now })
      yield* orders.save(order)
      yield* log.append([yield* orderEvent("order.updated", stored, order)])
      return order
    }))
  })

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
      const at = yield* now
      // The subscriptions the order touches, locked in id order (a parent before its add-ons, as
      // cancelling and the scheduler lock them), so concurrent changes wait rather than deadlock.
      const touched = new Set(stored.order.items.flatMap((item) =>
        [item.subscription_id, item.parent_subscription_id].filter((sid): sid is SubscriptionId => sid !== null)
      ))
      for (const sid of [...touched].sort()) yield* subscriptions.lock(sid)
      // The whole order, checked first: nothing is written unless every item can be fulfilled.
      const currency = stored.order.items.find((item) => item.amount !== null)?.amount?.currency as Currency | undefined
      const outcomes = yield* Effect.forEach(stored.order.items, (item) =>
        Effect.either(resolveItem(customer.customer, item, currency, true)))
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

  /** Only a draft or submitted order can be cancelled. */
  const cancelOrder = Effect.fn("Ordering.cancelOrder")(function* (principal: Principal, id: string, customerId?: string) {
    if (customerId !== undefined) yield* findCustomer(principal, customerId)
    yield* findOrder(principal, id, customerId)
    yield* requireOrdering(principal, "cancel orders")
    yield* transactor.withTransaction(Effect.gen(function* () {
      const stored = yield* lockOrder(id)
      if (stored.order.status !== "draft" && stored.order.status !== "submitted") {
        return yield* new InvalidState({
          message: `order ${id} is ${stored.order.status}: only a draft or submitted order can be cancelled`
        })
      }
      const at = yield* now
      const cancelled = new Order({
        ...stored.order,
        status: "cancelled",
        items: stored.order.items.map((item) => new OrderItem({ ...item, status: "cancelled" })),
        cancelled_at: at,
        updated_at: at
      })
      yield* orders.save(cancelled)
      yield* log.append([yield* orderEvent("order.cancelled", stored, cancelled)])
    }))
  })

  return {
    createOrder,
    listOrders,
    listCustomerOrders,
    getOrder,
    addItem,
    checkout,
    cancelOrder
  } as const
})

export class Ordering extends Context.Tag("@provisio/core/Ordering")<Ordering, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(Ordering, make)
}
