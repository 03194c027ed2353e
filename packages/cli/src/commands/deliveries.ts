import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { DeliveryStatus } from "@provisio/core/deliveries/model"
import { lazily } from "../lazy.js"
import { pageOptions } from "../page-options.js"

const status = Options.choice("status", DeliveryStatus.literals).pipe(
  Options.withDescription("Only deliveries in this state"),
  Options.optional
)
const target = Options.text("target").pipe(Options.withDescription("Only this product's or webhook's"), Options.optional)

const list = Command.make("list", { status, target, ...pageOptions }, lazily(() => import("../deliveries/admin.js"), (m) => m.listDeliveries))
  .pipe(Command.withDescription("List deliveries (provisioning pushes and webhook calls), oldest first"))

const id = Args.text({ name: "delivery" }).pipe(Args.withDescription("The delivery's id (dlv_...)"))

const replay = Command.make("replay", { id }, lazily(() => import("../deliveries/admin.js"), (m) => m.replayDelivery))
  .pipe(Command.withDescription("Send a dead or delivered delivery again (it goes back to pending; attempts are kept)"))

export const deliveries = Command.make("deliveries").pipe(
  Command.withDescription("Deliveries: list, replay"),
  Command.withSubcommands([list, replay])
)
