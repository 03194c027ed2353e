import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { PlaceRepo, ProductRepo } from "../catalog/ports.js"
import { CustomerRepo, LocationRepo } from "../customers/ports.js"
import { newEvent } from "../events/service.js"
import type { EventType } from "../events/model.js"
import { EventLog } from "../events/ports.js"
import type { Principal } from "../identity/model.js"
import { reachableBy, requireAdmin, requireKind, requireStandardEdition, requireWrite } from "../identity/policy.js"
import { NumberUnavailable } from "../numbers/errors.js"
import { ReservationRepo } from "../numbers/ports.js"
import { Order, OrderItem, type OrderItemAction } from "../ordering/model.js"
import { OrderRepo } from "../ordering/ports.js"
import { InvalidState, NotFound, orNotFound, ValidationError } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import { Transactor } from "../shared/transactor.js"
import type { Characteristics } from "../subscriptions/model.js"
import type {
  ChangeNumbers,
  DeleteNumbers,
  MoveNumbers,
  OrderAnyNumbers,
  OrderNumberRange,
  OrderReservedNumbers,
  PortNumbers
} from "./model.js"
import { PortOutcome } from "./model.js"
import { NumberOrderRepo } from "./ports.js"
import { now } from "../shared/time.js"

/** The largest block a range order may take. */
export const MAX_RANGE = 1000

/** Calling codes of the countries a port may leave its country out for. */
const CALLING_CODES: ReadonlyArray<readonly [string, string]> = [
  ["+1", "US"],
  ["+31", "NL"],
  ["+44", "GB"],
  ["+49", "DE"],
  ["+33", "FR"],
  ["+34", "ES"],
  ["+39", "IT"],
  ["+41", "CH"],
  ["+43", "AT"]
]

const encodeOrder = Schema.encode(Order)

const describe = (numbers: ReadonlyArray<string>) => numbers.join(", ")

export const make = Effect.gen(function* () {
  const repo = yield* NumberOrderRepo
  const orders = yield* OrderRepo
  const customers = yield* CustomerRepo
  const locations = yield* LocationRepo
  const products = yield* ProductRepo
  const places = yield* PlaceRepo
  const reservations = yield* ReservationRepo
  const log = yield* EventLog
  const transactor = yield* Transactor

  /**
   * The checks every number order makes: the customer in the caller's scope (404 otherwise), the
   * role and edition (a number order is a change), and a phone-number product.
   */
  const prepare = (principal: Principal, customerId: string, productId: string, action: string) =>
    Effect.gen(function* () {
      const customer = yield* customers.findById(customerId).pipe(
        reachableBy(principal, "customer", customerId)
      )
      yield* requireWrite(principal)
      yield* requireStandardEdition(principal, action)
      const product = yield* products.findById(productId).pipe(
        orNotFound("product", productId)
      )
      if (product.type !== "phone_number") {
        return yield* ValidationError.of("product_id", `product ${productId} is a ${product.type}, not a phone_number product`)
      }
      return { customer, product }
    })

  /**
   * The completed order, one item per number, with `order.completed` and the numbers' event.
   * Run it in the transaction of the change.
   */
  const complete = (
    customer: { readonly customer: { readonly id: string }; readonly lineage: ReadonlyArray<string> },
    productId: string,
    action: OrderItemAction,
    numbers: ReadonlyArray<string>,
    eventType: EventType,
    extra: Record<string, unknown> = {},
    characteristics: Characteristics = {}
  ) =>
    Effect.gen(function* () {
      const at = yield* now
      const items: Array<OrderItem> = []
      for (const number of numbers) {
        items.push(new OrderItem({
          id: (yield* makeId("oit")) as OrderItem["id"],
          action,
          plan_id: null,
          plan_version: null,
          sku_id: null,
          quantity: 1,
          subscription_id: null,
          parent_subscription_id: null,
          characteristics,
          status: "completed",
          error: null,
          unit_price: null,
          amount: null,
          number
        }))
      }
      const order = new Order({
        id: (yield* makeId("ord")) as Order["id"],
        customer_id: customer.customer.id as Order["customer_id"],
        status: "completed",
        items,
        total: null,
        submitted_at: at,
        completed_at: at,
        cancelled_at: null,
        created_at: at,
        updated_at: at
      })
      const scope = { customer_id: customer.customer.id, lineage: customer.lineage }
      yield* orders.insert({ order, lineage: customer.lineage })
      yield* log.append([
        yield* newEvent("order.completed", scope, { order: yield* Effect.orDie(encodeOrder(order)) }),
        yield* newEvent(eventType, scope, { order_id: order.id, product_id: productId, numbers, ...extra })
      ])
      return order
    })

  /** Every one of `numbers` must be the customer's, of the product, in one of `states`: 422 naming the others. */
  const requireOwned = (
    customerId: string,
    productId: string,
    numbers: ReadonlyArray<string>,
    states: ReadonlyArray<string>
  ) =>
    Effect.gen(function* () {
      const distinct = [...new Set(numbers)]
      const held = yield* repo.lock(distinct, yield* now)
      const owned = new Set(
        held.filter((n) => n.customer_id === customerId && n.product_id === productId && states.includes(n.state)).map((n) => n.number)
      )
      const others = distinct.filter((n) => !owned.has(n))
      if (others.length > 0) {
        return yield* ValidationError.of(
          "numbers",
          `${describe(others)} ${others.length === 1 ? "is not a number" : "are not numbers"} of this customer and product`
        )
      }
      return distinct
    })

  // Use cases -----------------------------------------------------------------------------------

  const orderAny = Effect.fn("NumberOrders.any")(function* (p: Principal, customerId: string, productId: string, body: OrderAnyNumbers) {
    const { customer } = yield* prepare(p, customerId, productId, "order numbers")
    const country = body.country.toUpperCase()
    let cityId: string | undefined
    if (body.city !== undefined) {
      const byId = yield* places.findOfferedCity(country, body.city)
      const city = Option.isSome(byId) ? byId : yield* places.findCityByName(country, body.city)
      if (Option.isNone(city)) return yield* ValidationError.of("city", `no city ${body.city} in ${country}`)
      cityId = city.value.id
    }
    return yield* transactor.withTransaction(Effect.gen(function* () {
      const picked = yield* repo.pickAvailable(
        { product_id: productId, country, city_id: cityId, contains: body.contains, limit: body.quantity },
        yield* now
      )
      if (picked.length < body.quantity) {
        return yield* new NumberUnavailable({
          message: `only ${picked.length} of ${body.quantity} numbers matching the criteria are available`,
          field: "quantity"
        })
      }
      yield* repo.assign(picked, customerId, yield* now)
      return yield* complete(customer, productId, "number_any", picked, "number.assigned")
    }))
  })

  const orderReserved = Effect.fn("NumberOrders.reserve")(function* (
    p: Principal,
    customerId: string,
    productId: string,
    body: OrderReservedNumbers
  ) {
    const { customer } = yield* prepare(p, customerId, productId, "order numbers")
    const reservation = yield* reservations.findById(customerId, body.reservation_id).pipe(
      Effect.flatMap(Option.match({
        onNone: () => ValidationError.of("reservation_id", `no reservation ${body.reservation_id} of this customer`),
        onSome: Effect.succeed
      }))
    )
    const at = yield* now
    if (reservation.released_at !== null || DateTime.lessThanOrEqualTo(reservation.expires_at, at)) {
      return yield* new InvalidState({
        message: `reservation ${reservation.id} is ${reservation.released_at !== null ? "released" : "expired"}`,
        field: "reservation_id"
      })
    }
    return yield* transactor.withTransaction(Effect.gen(function* () {
      const held = yield* repo.lock(reservation.numbers, at)
      const ours = new Set(held.filter((n) => n.held && n.reservation_id === reservation.id).map((n) => n.number))
      const lost = reservation.numbers.filter((n) => !ours.has(n))
      if (lost.length > 0) return yield* NumberUnavailable.of(lost)
      const elsewhere = held.filter((n) => n.product_id !== productId).map((n) => n.number)
      if (elsewhere.length > 0) {
        return yield* ValidationError.of("reservation_id", `${describe(elsewhere)} belong(s) to another product`)
      }
      yield* repo.assign(reservation.numbers, customerId, at)
      yield* reservations.markReleased(reservation.id, at)
      return yield* complete(customer, productId, "number_reserve", reservation.numbers, "number.assigned", {
        reservation_id: reservation.id
      })
    }))
  })

  const orderRange = Effect.fn("NumberOrders.range")(function* (p: Principal, customerId: string, productId: string, body: OrderNumberRange) {
    const { customer } = yield* prepare(p, customerId, productId, "order numbers")
    if (body.from.length !== body.to.length) return yield* ValidationError.of("to", "must have as many digits as from")
    const from = BigInt(body.from.slice(1))
    const to = BigInt(body.to.slice(1))
    if (to < from) return yield* ValidationError.of("to", "must not be below from")
    if (to - from + 1n > BigInt(MAX_RANGE)) return yield* ValidationError.of("to", `a range holds at most ${MAX_RANGE} numbers`)
    const width = body.from.length - 1
    const numbers: Array<string> = []
    for (let n = from; n <= to; n++) numbers.push(`+${n.toString().padStart(width, "0")}`)
    return yield* transactor.withTransaction(Effect.gen(function* () {
      const held = yield* repo.lock(numbers, yield* now)
      const free = new Set(
        held.filter((n) => n.product_id === productId && (n.state === "available" || (n.state === "reserved" && !n.held)))
          .map((n) => n.number)
      )
      const unavailable = numbers.filter((n) => !free.has(n))
      if (unavailable.length > 0) return yield* NumberUnavailable.of(unavailable)
      yield* repo.assign(numbers, customerId, yield* now)
      return yield* complete(customer, productId, "number_range", numbers, "number.assigned")
    }))
  })

  const orderPort = Effect.fn("NumberOrders.port")(function* (p: Principal, customerId: string, productId: string, body: PortNumbers) {
    const { customer } = yield* prepare(p, customerId, productId, "port numbers")
    const numbers = [...new Set(body.numbers)]
    let country = body.country?.toUpperCase()
    if (country === undefined) {
      const countries = new Set(numbers.map((n) => CALLING_CODES.find(([code]) => n.startsWith(code))?.[1]))
      const only = [...countries]
      if (only.length !== 1 || only[0] === undefined) {
        return yield* ValidationError.of("country", "is required: the numbers' country cannot be told from their calling codes")
      }
      country = only[0]
    }
    const placed = country
    return yield* transactor.withTransaction(Effect.gen(function* () {
      const existing = yield* repo.lock(numbers, yield* now)
      if (existing.length > 0) return yield* NumberUnavailable.of(existing.map((n) => n.number))
      yield* repo.insertPorting(
        numbers,
        { product_id: productId, country: placed, customer_id: customerId, carrier: body.losing_carrier ?? null },
        yield* now
      )
      return yield* complete(customer, productId, "number_port", numbers, "number.porting", {
        losing_carrier: body.losing_carrier ?? null
      })
    }))
  })

  const orderMove = Effect.fn("NumberOrders.move")(function* (p: Principal, customerId: string, productId: string, body: MoveNumbers) {
    const { customer } = yield* prepare(p, customerId, productId, "move numbers")
    const location = yield* locations.findById(customerId, body.location_id)
    if (Option.isNone(location)) return yield* ValidationError.of("location_id", `no product location ${body.location_id} of this customer`)
    return yield* transactor.withTransaction(Effect.gen(function* () {
      const numbers = yield* requireOwned(customerId, productId, body.numbers, ["assigned"])
      yield* repo.move(numbers, body.location_id, yield* now)
      return yield* complete(customer, productId, "number_move", numbers, "number.moved", { location_id: body.location_id }, {
        location_id: body.location_id
      })
    }))
  })

  const orderChange = Effect.fn("NumberOrders.change")(function* (p: Principal, customerId: string, productId: string, body: ChangeNumbers) {
    const { customer } = yield* prepare(p, customerId, productId, "change numbers")
    return yield* transactor.withTransaction(Effect.gen(function* () {
      const numbers = yield* requireOwned(customerId, productId, body.numbers, ["assigned", "porting"])
      yield* repo.change(numbers, body.characteristics, yield* now)
      return yield* complete(
        customer,
        productId,
        "number_change",
        numbers,
        "number.changed",
        { characteristics: body.characteristics },
        body.characteristics
      )
    }))
  })

  const orderDelete = Effect.fn("NumberOrders.delete")(function* (p: Principal, customerId: string, productId: string, body: DeleteNumbers) {
    const { customer } = yield* prepare(p, customerId, productId, "delete numbers")
    return yield* transactor.withTransaction(Effect.gen(function* () {
      const numbers = yield* requireOwned(customerId, productId, body.numbers, ["assigned", "porting"])
      yield* repo.quarantine(numbers, yield* now)
      return yield* complete(customer, productId, "number_delete", numbers, "number.released")
    }))
  })

  const orderDeleteAll = Effect.fn("NumberOrders.deleteAll")(function* (p: Principal, customerId: string, productId: string) {
    const { customer } = yield* prepare(p, customerId, productId, "delete numbers")
    return yield* transactor.withTransaction(Effect.gen(function* () {
      const numbers = yield* repo.lockOwned(customerId, productId)
      if (numbers.length === 0) {
        return yield* new InvalidState({ message: `the customer has no numbers of product ${productId}` })
      }
      yield* repo.quarantine(numbers, yield* now)
      return yield* complete(customer, productId, "number_delete", numbers, "number.released")
    }))
  })

  /**
   * Ends a port: platform admins only (403 for everyone else, before anything is looked up), the
   * number must be in the inventory (404) and `porting` (409 invalid_state). In one transaction
   * with its event: `number.ported` (now `assigned` to the customer) or `number.port_failed`
   * (taken out of the inventory).
   */
  const endPort = (principal: Principal, number: string, outcome: "complete" | "cancel") =>
    Effect.gen(function* () {
      yield* requireKind(principal, ["platform"], `${outcome} a port`)
      yield* requireAdmin(principal)
      return yield* transactor.withTransaction(Effect.gen(function* () {
        const at = yield* now
        const [held] = yield* repo.lock([number], at)
        if (held === undefined) return yield* NotFound.of("number", number)
        if (held.state !== "porting") {
          return yield* new InvalidState({ message: `number ${number} is ${held.state}, not porting` })
        }
        const lineage = held.customer_id === null
          ? Option.none()
          : Option.map(yield* customers.findById(held.customer_id), (c) => c.lineage)
        if (held.customer_id === null || Option.isNone(lineage)) {
          return yield* new InvalidState({ message: `number ${number} is porting to no customer` })
        }
        if (outcome === "complete") yield* repo.completePort(number, at)
        else yield* repo.removePorting(number)
        const result = new PortOutcome({
          number,
          product_id: held.product_id,
          customer_id: held.customer_id,
          status: outcome === "complete" ? "assigned" : "removed"
        })
        yield* log.append([
          yield* newEvent(
            outcome === "complete" ? "number.ported" : "number.port_failed",
            { customer_id: held.customer_id, lineage: lineage.value },
            { number, product_id: held.product_id, customer_id: held.customer_id, status: result.status }
          )
        ])
        return result
      }))
    })

  const completePort = Effect.fn("NumberOrders.completePort")(function* (p: Principal, number: string) {
    return yield* endPort(p, number, "complete")
  })

  const cancelPort = Effect.fn("NumberOrders.cancelPort")(function* (p: Principal, number: string) {
    return yield* endPort(p, number, "cancel")
  })

  return {
    orderAny,
    orderReserved,
    orderRange,
    orderPort,
    orderMove,
    orderChange,
    orderDelete,
    orderDeleteAll,
    completePort,
    cancelPort
  } as const
})

export class NumberOrders extends Context.Tag("@provisio/core/NumberOrders")<NumberOrders, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(NumberOrders, make)
}
