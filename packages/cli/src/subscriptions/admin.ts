import { Identity } from "@provisio/core/identity/service"
import { Subscription, type SubscriptionStatus } from "@provisio/core/subscriptions/model"
import { Subscriptions } from "@provisio/core/subscriptions/service"
import * as Console from "effect/Console"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { bootstrap } from "../bootstrap.js"
import { AppLive } from "../database/layers.js"
import { type PageOptions, pageOf, printPage } from "../paging.js"

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

/** The platform operator, the platform account made first on an empty database. */
const operator = Effect.zipRight(bootstrap, Effect.flatMap(Identity, (identity) => identity.platformOperator))

/** `provisio subscriptions list`, oldest first, as the platform operator. */
export const listSubscriptions = (options: PageOptions & {
  readonly customer: Option.Option<string>
  readonly status: Option.Option<SubscriptionStatus>
}) =>
  Effect.gen(function* () {
    const page = yield* (yield* Subscriptions).listSubscriptions(
      yield* operator,
      { customer_id: Option.getOrUndefined(options.customer), status: Option.getOrUndefined(options.status) },
      yield* pageOf(options)
    )
    yield* printPage(page, line, "subscriptions")
  }).pipe(Effect.provide(AppLive))

/** `provisio subscriptions show`: the subscription as the API answers it. */
export const showSubscription = ({ id }: { readonly id: string }) =>
  Effect.gen(function* () {
    const subscription = yield* (yield* Subscriptions).getSubscription(yield* operator, id)
    yield* Console.log(JSON.stringify(yield* Schema.encode(Subscription)(subscription), null, 2))
  }).pipe(Effect.provide(AppLive))

/** `provisio subscriptions cancel`, with its add-ons, now or at the period's end. */
export const cancelSubscription = ({ atPeriodEnd, id }: { readonly id: string; readonly atPeriodEnd: boolean }) =>
  Effect.gen(function* () {
    const cancelled = yield* (yield* Subscriptions).cancelSubscription(
      yield* operator,
      id,
      atPeriodEnd ? "end_of_billing_period" : "immediately"
    )
    yield* Console.log(line(cancelled))
  }).pipe(Effect.provide(AppLive))
