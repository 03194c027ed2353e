import * as Effect from "effect/Effect"
import type { Principal } from "../identity/model.js"
import { InvalidState, orNotFound, ValidationError } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import { type Currency, fitsDecimalString, formatDecimal } from "../shared/money.js"
import type { PageRequest } from "../shared/pagination.js"
import {
  type AddOrderItem,
  type CreateOrder,
  Order,
  OrderItem,
  type OrderItemId,
  type OrderId,
  type StoredOrder
} from "./model.js"
import { type OrderFilter } from "./ports.js"
import { now } from "../shared/time.js"
import { BEYOND_AN_AMOUNT, type OrderingContext } from "./context.js"

/** Draft orders: created, listed, read, given items, and cancelled. */
export const makeOrders = ({ orders, customers, log, transactor, orderEvent, findCustomer, findOrder, lockOrder, requireOrdering, requireDraft, resolveItem, unitsAddedBefore, totalOf, itemFields }: OrderingContext) => {
  /** A draft order for one of the caller's customers. */
  const createOrder = Effect.fn("Ordering.createOrder")(function* (principal: Principal, input: CreateOrder) {
    const customer = yield* findCustomer(principal, input.customer_id).pipe(
      Effect.catchTag("NotFound", () => Effect.fail(ValidationError.of("customer_id", `customer ${input.customer_id} does not exist`)))
    )
    yield* requireOrdering(principal, "place orders")
    // A closed customer takes no new services (its account reopened first: PUT /customers/{id}).
    if (customer.customer.status === "closed") {
      return yield* ValidationError.of("customer_id", `customer ${customer.customer.id} is closed: reopen it (status active) to order for it`)
    }
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
        false,
        unitsAddedBefore(stored.order.items, input.subscription_id)
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
      const total = totalOf(items)
      if (total !== null && !fitsDecimalString(total.amount)) {
        return yield* ValidationError.of("quantity", `brings the order's total to ${formatDecimal(total.amount)} ${total.currency}: ${BEYOND_AN_AMOUNT}`)
      }
      const order = new Order({ ...stored.order, items, total, updated_at: yield* now })
      yield* orders.save(order)
      yield* log.append([yield* orderEvent("order.updated", stored, order)])
      return order
    }))
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

  return { createOrder, listOrders, listCustomerOrders, getOrder, addItem, cancelOrder }
}
