import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { SubscriptionStatus } from "@provisio/core/subscriptions/model"
import { lazily } from "../lazy.js"
import { pageOptions } from "../page-options.js"

const load = () => import("../subscriptions/admin.js")

const customer = Options.text("customer").pipe(Options.withDescription("Only this customer's (cus_...)"), Options.optional)
const status = Options.choice("status", SubscriptionStatus.literals).pipe(
  Options.withDescription("Only subscriptions in this state"),
  Options.optional
)
const id = Args.text({ name: "subscription" }).pipe(Args.withDescription("The subscription's id (sub_...)"))

const list = Command.make("list", { customer, status, ...pageOptions }, lazily(load, (m) => m.listSubscriptions))
  .pipe(Command.withDescription("List subscriptions, oldest first, as the platform operator"))

const show = Command.make("show", { id }, lazily(load, (m) => m.showSubscription))
  .pipe(Command.withDescription("Print a subscription as the API answers it"))

const atPeriodEnd = Options.boolean("at-period-end").pipe(
  Options.withDescription("Cancel when the current billing period ends (the scheduler does it) instead of now")
)

const cancel = Command.make("cancel", { id, atPeriodEnd }, lazily(load, (m) => m.cancelSubscription))
  .pipe(Command.withDescription("Cancel a subscription (and its add-ons) as the platform operator"))

export const subscriptions = Command.make("subscriptions").pipe(
  Command.withDescription("Subscriptions: list, show, cancel"),
  Command.withSubcommands([list, show, cancel])
)
