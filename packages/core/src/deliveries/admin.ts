import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Principal } from "../identity/model.js"
import { reachableBy, requireWrite } from "../identity/policy.js"
import { InvalidState, orNotFound, ValidationError } from "../shared/errors.js"
import type { PageRequest } from "../shared/pagination.js"
import { now } from "../shared/time.js"
import type { Transactor } from "../shared/transactor.js"
import type { QuantityRequestRepo } from "../subscriptions/ports.js"
import type { Subscriptions } from "../subscriptions/service.js"
import { Delivery, DeliveryDetail, DeliveryStats, DeliveryStatus, SubscriptionProvisioning } from "./model.js"
import type { DeliveryFilter, DeliveryRepo } from "./ports.js"
import { asSeenBy, visibleUrl } from "./visibility.js"
import { EMAIL_TARGET } from "./emails.js"

/** The window of the attempts, failures and lags `GET /deliveries/stats` reports. */
export const STATS_WINDOW_SECONDS = 60

/** `?target=`: a product id, a webhook id, or the email target, as a delivery's `target` shows it. */
const TARGET_FILTER = new RegExp(`^((prd|whk)_[0-9a-z]{1,64}|${EMAIL_TARGET})$`)

/** Deliveries as callers see them: lists, one with its attempts, replays, a subscription's provisioning state. */

export interface AdminDeps {
  readonly repo: Context.Tag.Service<typeof DeliveryRepo>
  readonly subscriptions: Context.Tag.Service<typeof Subscriptions>
  readonly requests: Context.Tag.Service<typeof QuantityRequestRepo>
  readonly transactor: Context.Tag.Service<typeof Transactor>
}

export const makeAdmin = ({ repo, requests, subscriptions, transactor }: AdminDeps) => {
  const findDelivery = (principal: Principal, id: string) =>
    repo.findById(id).pipe(
      reachableBy(principal, "delivery", id)
    )

  const listDeliveries = Effect.fn("Deliveries.listDeliveries")(function* (
    principal: Principal,
    filter: { readonly status?: string | undefined; readonly target?: string | undefined },
    page: PageRequest
  ) {
    if (filter.status !== undefined && !(DeliveryStatus.literals as ReadonlyArray<string>).includes(filter.status)) {
      return yield* ValidationError.of("status", `must be one of ${DeliveryStatus.literals.join(", ")}`)
    }
    // A target is what deliveries show in their `target`: anything else would list nothing, silently.
    if (filter.target !== undefined && !TARGET_FILTER.test(filter.target)) {
      return yield* ValidationError.of("target", `must be a product id (prd_...), a webhook id (whk_...) or ${EMAIL_TARGET} (emails)`)
    }
    const found = yield* repo.list(principal.account_id, filter as DeliveryFilter, page)
    return { ...found, items: found.items.map((s) => asSeenBy(principal, s.delivery)) }
  })

  const getDelivery = Effect.fn("Deliveries.getDelivery")(function* (principal: Principal, id: string) {
    const stored = yield* findDelivery(principal, id)
    const attempts = yield* repo.attempts(id)
    return new DeliveryDetail({
      ...stored.delivery,
      url: visibleUrl(principal, stored.delivery),
      body: stored.body,
      attempt_log: attempts
    })
  })

  /**
   * A delivery whose business request has ended as failed is not sent again: Provisio has given
   * the change up (the quantity stays), so a replay would make the provider serve what Provisio
   * does not bill. A failed request stays failed (a later decrease may already have completed
   * after it), so the change is sent again as a new request instead.
   */
  const requireRequestOpen = (d: Delivery) =>
    Effect.gen(function* () {
      if (d.quantity_request_id === null || d.subscription_id === null) return
      const request = yield* requests.findById(d.subscription_id, d.quantity_request_id)
      if (Option.isSome(request) && request.value.state === "failed") {
        return yield* new InvalidState({
          message: `delivery ${d.id} carries quantity request ${request.value.id}, which has failed ` +
            `(${request.value.reason ?? "no reason"}): it is not replayed; send the change again ` +
            `(POST /subscriptions/${d.subscription_id}/quantity)`
        })
      }
    })

  /** A dead or delivered delivery goes back to pending, due now; its attempts are kept. */
  const replay = (id: string) =>
    transactor.withTransaction(Effect.gen(function* () {
      const stored = yield* repo.lock(id).pipe(orNotFound("delivery", id))
      const d = stored.delivery
      if (d.status !== "dead" && d.status !== "delivered") {
        return yield* new InvalidState({ message: `delivery ${id} is ${d.status}: only dead or delivered deliveries are replayed` })
      }
      yield* requireRequestOpen(d)
      const at = yield* now
      const replayed = new Delivery({ ...d, status: "pending", next_attempt_at: at, updated_at: at })
      yield* repo.update({ ...stored, lease_until: null, delivery: replayed })
      yield* repo.announce
      return replayed
    }))

  /** `replay` of a delivery in the caller's scope, by a caller who may write. */
  const replayDelivery = Effect.fn("Deliveries.replayDelivery")(function* (principal: Principal, id: string) {
    yield* findDelivery(principal, id)
    yield* requireWrite(principal)
    return asSeenBy(principal, yield* replay(id))
  })

  /** As the platform operator (the CLI): replays without a principal's scope. */
  const replayAny = replay

  const getSubscriptionProvisioning = Effect.fn("Deliveries.getSubscriptionProvisioning")(function* (
    principal: Principal,
    subscriptionId: string
  ) {
    const subscription = yield* subscriptions.getSubscription(principal, subscriptionId)
    const configuration = yield* repo.configurationOf(subscription.id)
    const { counts, last } = yield* repo.provisioningOf(subscription.id)
    const total = counts.pending + counts.retrying + counts.delivered + counts.dead
    const state = total === 0
      ? "none" as const
      : counts.pending + counts.retrying > 0
      ? "in_progress" as const
      : Option.isSome(last) && last.value.delivery.status === "dead"
      ? "failed" as const
      : "delivered" as const
    return new SubscriptionProvisioning({
      subscription_id: subscription.id,
      configuration: Option.match(configuration, { onNone: () => null, onSome: (c) => c.configuration }),
      configured_at: Option.match(configuration, { onNone: () => null, onSome: (c) => c.at }),
      state,
      deliveries: counts,
      last_delivery: Option.match(last, { onNone: () => null, onSome: (s) => asSeenBy(principal, s.delivery) })
    })
  })

  /**
   * The engine's figures for the caller's scope: per target, what is queued, due and in flight,
   * its circuit, and over the last `STATS_WINDOW_SECONDS` its attempts, failures and lags.
   */
  const getStats = Effect.fn("Deliveries.getStats")(function* (principal: Principal) {
    const targets = yield* repo.stats(principal.account_id, yield* now, STATS_WINDOW_SECONDS)
    const sum = (field: "queued" | "due" | "in_flight") => targets.reduce((total, t) => total + t[field], 0)
    return new DeliveryStats({
      window_seconds: STATS_WINDOW_SECONDS,
      queued: sum("queued"),
      due: sum("due"),
      in_flight: sum("in_flight"),
      targets
    })
  })

  return { listDeliveries, getDelivery, replayDelivery, replayAny, getSubscriptionProvisioning, getStats }
}
