import { Command, Options } from "@effect/cli"
import { Identity } from "@provisio/core/identity/service"
import { type Order, OrderStatus } from "@provisio/core/ordering/model"
import { Ordering } from "@provisio/core/ordering/service"
import { formatDecimal } from "@provisio/core/shared/money"
import { Console, DateTime, Effect, Option } from "effect"
import { AppLive } from "../database.js"
import { pageOf, pageOptions } from "../paging.js"

export const orderLine = (order: Order) =>
  [
    order.id,
    order.customer_id,
    order.status.padEnd(9),
    order.total === null ? "-" : `${formatDecimal(order.total.amount)} ${order.total.currency}`,
    `${order.items.length} item${order.items.length === 1 ? "" : "s"}`,
    DateTime.formatIso(order.created_at)
  ].join("  ")

const customer = Options.text("customer").pipe(Options.withDescription("Only this customer's (cus_...)"), Options.optional)
const status = Options.choice("status", OrderStatus.literals).pipe(Options.withDescription("Only orders in this state"), Options.optional)

const list = Command.make("list", { customer, status, ...pageOptions }, (options) =>
  Effect.gen(function* () {
    const operator = yield* (yield* Identity).platformOperator
    const page = yield* (yield* Ordering).listOrders(
      operator,
      { customer_id: Option.getOrUndefined(options.customer), status: Option.getOrUndefined(options.status) },
      yield* pageOf(options)
    )
    for (const order of page.items) yield* Console.log(orderLine(order))
    if (page.next_cursor !== null) yield* Console.log(`more: --cursor ${page.next_cursor}`)
  }).pipe(Effect.provide(AppLive))
).pipe(Command.withDescription("List orders, oldest first, as the platform operator"))

export const orders = Command.make("orders").pipe(
  Command.withDescription("Orders: draft, submitted, completed, failed or cancelled"),
  Command.withSubcommands([list])
)
