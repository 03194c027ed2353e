import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { OrderStatus } from "@provisio/core/ordering/model"
import { lazily } from "../lazy.js"
import { pageOptions } from "../page-options.js"

const customer = Options.text("customer").pipe(Options.withDescription("Only this customer's (cus_...)"), Options.optional)
const status = Options.choice("status", OrderStatus.literals).pipe(Options.withDescription("Only orders in this state"), Options.optional)

const list = Command.make("list", { customer, status, ...pageOptions }, lazily(() => import("../ordering/list.js"), (m) => m.listOrders))
  .pipe(Command.withDescription("List orders, oldest first, as the platform operator"))

export const orders = Command.make("orders").pipe(
  Command.withDescription("Orders: draft, submitted, completed, failed or cancelled"),
  Command.withSubcommands([list])
)
