import { Args, Command, Options } from "@effect/cli"
import { Identity } from "@provisio/core/identity/service"
import { Subscription, SubscriptionStatus } from "@provisio/core/subscriptions/model"
import { Subscriptions } from "@provisio/core/subscriptions/service"
import { Console, DateTime, Effect, Option, Schema } from "effect"
import { AppLive } from "../database.js"
import { pageOf, pageOptions } from "../paging.js"

const line = (s: Subscription) =>
  [
    s.id,
    s.customer_id,
    s.status.padEnd(9),
    `${s.plan_id} v${s.plan_version}`,
    `x${s.quantity}`,
    `${DateTime.formatIso(s.current_period_start)} .. ${DateTime.formatIso(s.current_period_end)}`,
    s.cancel_at_period_end ? "cancels at period end" : s.auto_renew ? "renews" : "expires at term end",
    s.parent_subscription_id === null ? "" : `add-on of ${s.parent_subscription_id}`
  ].join("  ").trimEnd()

const show = (s: Subscription) =>
  Effect.flatMap(Schema.encode(Subscription)(s), (json) => Console.log(JSON.stringify(json, null, 2)))

const operator = Effect.flatMap(Identity, (identity) => identity.platformOperator)

const customer = Options.text("customer").pipe(Options.withDescription("Only this customer's (cus_...)"), Options.optional)
const status = Options.choice("status", SubscriptionStatus.literals).pipe(
  Options.withDescription("Only subscriptions in this state"),
  Options.optional
)
const id = Args.text({ name: "subscription" }).pipe(Args.withDescription("The subscription's id (sub_...)"))

const list = Command.make("list", { customer, status, ...pageOptions }, (options) =>
  Effect.gen(function* () {
    const page = yield* (yield* Subscriptions).listSubscriptions(
      yield* operator,
      { customer_id: Option.getOrUndefined(options.customer), status: Option.getOrUndefined(options.status) },
      yield* pageOf(options)
    )
    for (const subscription of page.items) yield* Console.log(line(subscription))
    if (page.next_cursor !== null) yield* Console.log(`more: --cursor ${page.next_cursor}`)
  }).pipe(Effect.provide(AppLive))
).pipe(Command.withDescription("List subscriptions, oldest first, as the platform operator"))

const showCommand = Command.make("show", { id }, ({ id }) =>
  Effect.gen(function* () {
    yield* show(yield* (yield* Subscriptions).getSubscription(yield* operator, id))
  }).pipe(Effect.provide(AppLive))
).pipe(Command.withDescription("Print a subscription as the API answers it"))

const atPeriodEnd = Options.boolean("at-period-end").pipe(
  Options.withDescription("Cancel when the current billing period ends (the scheduler does it) instead of now")
)

const cancel = Command.make("cancel", { id, atPeriodEnd }, ({ atPeriodEnd, id }) =>
  Effect.gen(function* () {
    const cancelled = yield* (yield* Subscriptions).cancelSubscription(
      yield* operator,
      id,
      atPeriodEnd ? "end_of_billing_period" : "immediately"
    )
    yield* Console.log(line(cancelled))
  }).pipe(Effect.provide(AppLive))
).pipe(Command.withDescription("Cancel a subscription (and its add-ons) as the platform operator"))

export const subscriptions = Command.make("subscriptions").pipe(
  Command.withDescription("Subscriptions: list, show, cancel"),
  Command.withSubcommands([list, showCommand, cancel])
)
