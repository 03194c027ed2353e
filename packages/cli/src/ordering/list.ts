import { Identity } from "@provisio/core/identity/service"
import type { Order, OrderStatus } from "@provisio/core/ordering/model"
import { Ordering } from "@provisio/core/ordering/service"
import { formatDecimal } from "@provisio/core/shared/money"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { bootstrap } from "../bootstrap.js"
import { AppLive } from "../database/layers.js"
import { type PageOptions, pageOf, printPage } from "../paging.js"

export const orderLine = (order: Order) =>
  [
    order.id,
    order.customer_id,
    order.status.padEnd(9),
    order.total === null ? "-" : `${formatDecimal(order.total.amount)} ${order.total.currency}`,
    `${order.items.length} item${order.items.length === 1 ? "" : "s"}`,
    DateTime.formatIso(order.created_at)
  ].join("  ")

/** `provisio orders list`, oldest first, as the platform operator. */
export const listOrders = (options: PageOptions & {
  readonly customer: Option.Option<string>
  readonly status: Option.Option<OrderStatus>
}) =>
  Effect.gen(function* () {
    yield* bootstrap
    const operator = yield* (yield* Identity).platformOperator
    const page = yield* (yield* Ordering).listOrders(
      operator,
      { customer_id: Option.getOrUndefined(options.customer), status: Option.getOrUndefined(options.status) },
      yield* pageOf(options)
    )
    yield* printPage(page, orderLine, "orders")
  }).pipe(Effect.provide(AppLive))
