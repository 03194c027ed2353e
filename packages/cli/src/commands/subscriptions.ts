import { Args, Command, Options } from "@effect/cli"
import { Identity } from "@provisio/core/identity/service"
import { Subscription, SubscriptionStatus } from "@provisio/core/subscriptions/model"
import { Subscriptions } from "@provisio/core/subscriptions/service"
import { Console, DateTime, Duration, Effect, Option, Schedule, Schema } from "effect"
import { AppLive } from "../database"
import { pageOf, pageOptions } from "./ordering"
import { billingDueRun } from "./billing"

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

// The scheduler ---------------------------------------------------------------------------------

/** How often `serve` and `provisio scheduler` look for due renewals, expiries and cancellations. */
export const SCHEDULER_INTERVAL = Duration.seconds(30)

/** One run of the scheduler, logged when it did something; a failure is logged and the next run tries again. */
export const schedulerRun = Effect.flatMap(Subscriptions, (subscriptions) => subscriptions.runDue()).pipe(
  Effect.tap((run) =>
    run.renewed + run.expired + run.cancelled > 0
      ? Effect.logInfo("scheduler", { renewed: run.renewed, expired: run.expired, cancelled: run.cancelled })
      : Effect.void
  ),
  Effect.catchAllCause((cause) => Effect.logError("scheduler run failed", cause).pipe(Effect.as(undefined)))
)

/** Runs the scheduler now and then every `interval`, forever. */
export const schedulerLoop = (interval: Duration.DurationInput = SCHEDULER_INTERVAL) =>
  Effect.repeat(Effect.zipRight(schedulerRun, billingDueRun), Schedule.spaced(interval)).pipe(Effect.asVoid)

const once = Options.boolean("once").pipe(Options.withDescription("Run once and exit"))
const interval = Options.integer("interval").pipe(
  Options.withDescription("Seconds between runs (default 30)"),
  Options.withDefault(30)
)

export const scheduler = Command.make("scheduler", { interval, once }, ({ interval, once }) =>
  (once
    ? Effect.gen(function* () {
      const run = yield* (yield* Subscriptions).runDue()
      yield* Console.log(`renewed ${run.renewed}, expired ${run.expired}, cancelled ${run.cancelled}`)
      yield* billingDueRun
    })
    : schedulerLoop(Duration.seconds(interval))).pipe(Effect.provide(AppLive))
).pipe(
  Command.withDescription(
    "Renew, expire and cancel subscriptions whose billing period has ended. Any number of processes may run it " +
      "at once against one PostgreSQL server: each due subscription is handled by exactly one"
  )
)
