import * as BigDecimal from "effect/BigDecimal"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { type Plan, type Product, type Sku, skuPriceModel } from "../catalog/model.js"
import { rate } from "../catalog/pricing.js"
import { PlanRepo, ProductRepo, SkuRepo } from "../catalog/ports.js"
import type { Customer } from "../customers/model.js"
import { CustomerRepo } from "../customers/ports.js"
import { EventLog } from "../events/ports.js"
import { newEvent } from "../events/service.js"
import type { Principal } from "../identity/model.js"
import { reachableBy, requireStandardWriter } from "../identity/policy.js"
import { InvalidState, orNotFound } from "../shared/errors.js"
import { type Currency, fitsDecimalString, formatDecimal, type Money, money, sumMoney } from "../shared/money.js"
import { Transactor } from "../shared/transactor.js"
import { PriceResolver } from "../pricing/ports.js"
import { now } from "../shared/time.js"
import { priceOf } from "../subscriptions/lifecycle.js"
import { type Characteristics, type StoredSubscription } from "../subscriptions/model.js"
import { QuantityRequestRepo, SubscriptionRepo } from "../subscriptions/ports.js"
import { checkCharacteristics } from "./characteristics.js"
import { MAX_SUBSCRIPTION_QUANTITY, Order, OrderItem, type OrderItemAction, type StoredOrder } from "./model.js"
import { OrderRepo } from "./ports.js"

/** Why an item cannot be ordered: the field at fault (in the item's input) and how to fix it. */
class ItemProblem extends Schema.TaggedError<ItemProblem>()("ItemProblem", {
  message: Schema.String,
  field: Schema.optional(Schema.String)
}) {}

const problem = (field: string | undefined, message: string) => Effect.fail(new ItemProblem({ field, message }))

/** A field of the item that names something (null and absent both name nothing). */
const given = (value: string | null | undefined): value is string => value !== undefined && value !== null

/** What an order item refers to, resolved against the catalog and the customer's subscriptions. */
export type Resolved =
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

/** Why an item priced beyond what an amount holds is refused (money.ts `fitsDecimalString`). */
export const BEYOND_AN_AMOUNT = "more than an amount may hold (at most 30 digits before the point); check the price list that prices it"

export const FAILED_BY_ANOTHER = "not fulfilled: another item of the order failed, and an order is fulfilled whole or not at all"

/** What the jobs of Ordering share: the ports they use and the helpers over them. */
export interface OrderingDeps {
  readonly orders: Context.Tag.Service<typeof OrderRepo>
  readonly customers: Context.Tag.Service<typeof CustomerRepo>
  readonly products: Context.Tag.Service<typeof ProductRepo>
  readonly plans: Context.Tag.Service<typeof PlanRepo>
  readonly skus: Context.Tag.Service<typeof SkuRepo>
  readonly subscriptions: Context.Tag.Service<typeof SubscriptionRepo>
  /** Pending quantity decreases: a subscription waiting for one takes no increase meanwhile. */
  readonly quantityRequests: Context.Tag.Service<typeof QuantityRequestRepo>
  readonly log: Context.Tag.Service<typeof EventLog>
  readonly transactor: Context.Tag.Service<typeof Transactor>
  /** The customer's price-list prices (docs/channel.md): what an order item costs it. */
  readonly prices: Context.Tag.Service<typeof PriceResolver>
}

export const makeCommon = (deps: OrderingDeps) => {
  const { orders, customers, products, plans, skus, subscriptions, quantityRequests, prices } = deps

  /** Today, the day an item's price is resolved for (the order is priced as of now). */
  const today = Effect.map(now, DateTime.formatIsoDateUtc)

  /** The plan's price for the customer: its price list's when one applies, the plan's otherwise. */
  const customerPlanPrice = (customer: Customer, plan: Plan) =>
    Effect.gen(function* () {
      const [resolved] = yield* prices.plans([{ subject_id: customer.id, plan_id: plan.id, plan_version: plan.version, on_date: yield* today }])
      const own = resolved?.chain[resolved.chain.length - 1]
      return own !== undefined && own.buyer_id === customer.id && own.price_list_id !== null ? money(own.price, plan.price.currency) : plan.price
    })

  /** The SKU's price model for the customer: its price list's when one applies, the catalog's otherwise. */
  const customerSkuModel = (customer: Customer, sku: Sku) =>
    Effect.gen(function* () {
      const [resolved] = yield* prices.skus([{ subject_id: customer.id, sku_id: sku.id, on_date: yield* today }])
      const own = resolved?.chain[resolved.chain.length - 1]
      return own !== undefined && own.buyer_id === customer.id && own.price_list_id !== null ? own.model : skuPriceModel(sku)
    })
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
    requireStandardWriter(principal, action)

  const requireDraft = (order: Order, action: string) =>
    order.status === "draft"
      ? Effect.void
      : Effect.fail(new InvalidState({ message: `order ${order.id} is ${order.status}: only a draft can ${action}` }))

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

  /** A one-off purchase of a SKU, rated at the quantity ordered. */
  const resolvePurchase = (customer: Customer, item: ItemRequest & { readonly sku_id: string }) =>
    Effect.gen(function* () {
      for (const field of ["plan_id", "subscription_id", "parent_subscription_id"] as const) {
        if (given(item[field])) return yield* problem(field, "leave it out when ordering a SKU (sku_id)")
      }
      if (Object.keys(item.characteristics ?? {}).length > 0) {
        return yield* problem("characteristics", "a SKU has no characteristics; leave them out")
      }
      const sku = yield* skus.findById(item.sku_id)
      if (Option.isNone(sku)) return yield* problem("sku_id", `SKU ${item.sku_id} does not exist`)
      const model = yield* customerSkuModel(customer, sku.value)
      const rating = rate(model, BigDecimal.make(BigInt(item.quantity), 0), sku.value.currency)
      return {
        action: "purchase",
        sku: sku.value,
        unit_price: model.model === "per_unit" ? money(model.unit_price, sku.value.currency) : null,
        amount: money(rating.amount, sku.value.currency)
      } satisfies Resolved
    })

  /**
   * More units of a subscription of the customer's, at the plan version it has; `earlier` units
   * the order's earlier items add to it count toward its maximum.
   */
  const resolveIncrease = (customer: Customer, item: ItemRequest & { readonly subscription_id: string }, lock: boolean, earlier: number) =>
    Effect.gen(function* () {
      if (given(item.parent_subscription_id)) {
        return yield* problem(
          "parent_subscription_id",
          "an item either raises a subscription's quantity (subscription_id) or adds an add-on to one, not both"
        )
      }
      if (Object.keys(item.characteristics ?? {}).length > 0) {
        return yield* problem("characteristics", "a quantity increase keeps the subscription's characteristics; leave them out")
      }
      const subscription = yield* customerSubscription(customer, item.subscription_id, "subscription_id", lock)
      // A decrease waiting for the provider completes at its own absolute quantity: an increase
      // checked out meanwhile would be overwritten by it (15 seats back to the decrease's 8).
      const pending = yield* quantityRequests.findPending(subscription.subscription.id)
      if (Option.isSome(pending)) {
        return yield* problem(
          "subscription_id",
          `subscription ${subscription.subscription.id} has a quantity decrease pending (${pending.value.id}, ` +
            `${pending.value.from_quantity} to ${pending.value.to_quantity}): order more once it has completed or failed`
        )
      }
      const reached = subscription.subscription.quantity + earlier + item.quantity
      if (reached > MAX_SUBSCRIPTION_QUANTITY) {
        return yield* problem(
          "quantity",
          `would bring subscription ${subscription.subscription.id} from ${subscription.subscription.quantity} to ${reached} units` +
            `${earlier > 0 ? ` (with the ${earlier} the order's earlier items add)` : ""}: a subscription has at most ${MAX_SUBSCRIPTION_QUANTITY}`
        )
      }
      if (given(item.plan_id) && item.plan_id !== subscription.subscription.plan_id) {
        return yield* problem(
          "plan_id",
          `subscription ${subscription.subscription.id} is to plan ${subscription.subscription.plan_id}; leave plan_id out or name that plan`
        )
      }
      const plan = yield* plans.findVersion(subscription.subscription.plan_id, subscription.subscription.plan_version)
      if (Option.isNone(plan)) return yield* problem("subscription_id", "the subscription's plan version is gone")
      const price = yield* customerPlanPrice(customer, plan.value)
      return {
        action: "increase_quantity",
        plan: plan.value,
        subscription,
        unit_price: price,
        amount: priceOf(price, item.quantity)
      } satisfies Resolved
    })

  /** A new subscription to a published plan, or an add-on to one of the customer's subscriptions. */
  const resolveCreate = (customer: Customer, item: ItemRequest & { readonly plan_id: string }, lock: boolean) =>
    Effect.gen(function* () {
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
      const wrong = checkCharacteristics(product.value.characteristics, item.characteristics ?? {}, product.value.name)
      if (wrong !== undefined) return yield* problem(wrong.field, wrong.message)
      const price = yield* customerPlanPrice(customer, plan)
      return {
        action: "create",
        plan,
        product: product.value,
        parent,
        unit_price: price,
        amount: priceOf(price, item.quantity)
      } satisfies Resolved
    })

  /**
   * What an item orders, checked against the catalog, the customer's subscriptions and the
   * currency of the order's other items: when an item is added, and again for every item at
   * checkout (the catalog or the subscriptions may have changed in between). `earlier`: the units
   * the order's items before this one add to the subscription it raises (`unitsAddedBefore`).
   */
  const resolveItem = (customer: Customer, item: ItemRequest, currency: Currency | undefined, lock: boolean, earlier = 0) =>
    Effect.gen(function* () {
      const { plan_id, sku_id, subscription_id } = item
      const resolved: Resolved = given(sku_id)
        ? yield* resolvePurchase(customer, { ...item, sku_id })
        : given(subscription_id)
        ? yield* resolveIncrease(customer, { ...item, subscription_id }, lock, earlier)
        : given(plan_id)
        ? yield* resolveCreate(customer, { ...item, plan_id }, lock)
        : yield* problem(
          "plan_id",
          "name what to order: a plan_id (a new subscription or add-on), a subscription_id (more units) or a sku_id"
        )
      if (currency !== undefined && resolved.amount.currency !== currency) {
        return yield* problem(
          resolved.action === "purchase" ? "sku_id" : "plan_id",
          `is priced in ${resolved.amount.currency}, the order in ${currency}: order it separately`
        )
      }
      // Prices are bounded where they are entered (catalog/pricing.ts MAX_PRICE_DIGITS), so a price
      // resolved down the channel fits an amount; one resolved from a list kept before the bound
      // may not, and is refused here rather than stored as an order no one could read back.
      if (resolved.unit_price !== null && !fitsDecimalString(resolved.unit_price.amount)) {
        return yield* problem(
          resolved.action === "purchase" ? "sku_id" : resolved.action === "create" ? "plan_id" : "subscription_id",
          `is priced at ${formatDecimal(resolved.unit_price.amount)} ${resolved.unit_price.currency} a unit: ${BEYOND_AN_AMOUNT}`
        )
      }
      if (!fitsDecimalString(resolved.amount.amount)) {
        return yield* problem(
          "quantity",
          `${item.quantity} units come to ${formatDecimal(resolved.amount.amount)} ${resolved.amount.currency}: ${BEYOND_AN_AMOUNT}`
        )
      }
      return resolved
    })

  /** The units `items` add to subscription `subscriptionId` (none when it is not given). */
  const unitsAddedBefore = (items: ReadonlyArray<OrderItem>, subscriptionId: string | null | undefined): number =>
    given(subscriptionId)
      ? items.reduce((sum, other) => other.action === "increase_quantity" && other.subscription_id === subscriptionId ? sum + other.quantity : sum, 0)
      : 0

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

  return { encodeOrder, orderEvent, findCustomer, findOrder, lockOrder, requireOrdering, requireDraft, publishedPlan, customerSubscription, resolveItem, unitsAddedBefore, totalOf, itemFields }
}

export type OrderingContext = OrderingDeps & ReturnType<typeof makeCommon>
