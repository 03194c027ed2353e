import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import { PlanRepo } from "../catalog/ports.js"
import { ProvisioningTargetRepo } from "../provisioning/ports.js"
import type { StoredEvent } from "../events/model.js"
import { EventLog } from "../events/ports.js"
import type { Principal } from "../identity/model.js"
import { reachableBy, requireStandardWriter } from "../identity/policy.js"
import { InvalidState, orNotFound } from "../shared/errors.js"
import { Transactor } from "../shared/transactor.js"
import { subscriptionEvent } from "./events.js"
import { endWith } from "./lifecycle.js"
import { type StoredSubscription } from "./model.js"
import { QuantityRequestRepo, SubscriptionRepo } from "./ports.js"

/** What an add-on becomes when its parent ends: the parent's own end. */
const LIVE = ["pending", "active", "suspended"] as const

/** What the jobs of Subscriptions share: the ports they use and the helpers over them. */
export interface SubscriptionsDeps {
  readonly subscriptions: Context.Tag.Service<typeof SubscriptionRepo>
  readonly requests: Context.Tag.Service<typeof QuantityRequestRepo>
  readonly plans: Context.Tag.Service<typeof PlanRepo>
  readonly log: Context.Tag.Service<typeof EventLog>
  readonly transactor: Context.Tag.Service<typeof Transactor>
  readonly targets: Context.Tag.Service<typeof ProvisioningTargetRepo>
}

export const makeCommon = (deps: SubscriptionsDeps) => {
  const { subscriptions, log } = deps
  /** A subscription the caller may see; one out of scope is indistinguishable from a missing one. */
  const findSubscription = (principal: Principal, id: string) =>
    subscriptions.findById(id).pipe(
      reachableBy(principal, "subscription", id)
    )

  /** Inside a transaction: the subscription again, its row held (it may have changed since it was read). */
  const lockSubscription = (id: string) =>
    subscriptions.lock(id).pipe(
      orNotFound("subscription", id)
    )

  /** The checks of every change: the role, then the edition (free partners only read). */
  const requireChange = (principal: Principal, action: string) =>
    requireStandardWriter(principal, action)

  const requireActive = (stored: StoredSubscription, action: string) =>
    stored.subscription.status === "active"
      ? Effect.void
      : Effect.fail(
        new InvalidState({ message: `subscription ${stored.subscription.id} is ${stored.subscription.status}: cannot ${action}` })
      )

  const write = (stored: StoredSubscription, events: ReadonlyArray<StoredEvent>) =>
    Effect.zipRight(subscriptions.update(stored), log.append(events))

  /**
   * Ends the live add-ons of `parent` the way the parent ended, at the same moment: add-ons
   * follow their parent. Run it in the parent's transaction.
   */
  const endAddons = (parent: StoredSubscription, status: "cancelled" | "expired", at: DateTime.Utc, written: DateTime.Utc) =>
    Effect.gen(function* () {
      const addons = yield* subscriptions.lockAddons(parent.subscription.id, LIVE)
      for (const addon of addons) {
        const ended: StoredSubscription = { ...addon, subscription: endWith(addon.subscription, status, at, written) }
        const event = yield* subscriptionEvent(status === "cancelled" ? "subscription.cancelled" : "subscription.expired", ended, {
          reason: `its parent subscription ${parent.subscription.id} ${status === "cancelled" ? "was cancelled" : "expired"}`
        })
        yield* write(ended, [event])
      }
      return addons.length
    })

  return { findSubscription, lockSubscription, requireChange, requireActive, write, endAddons }
}

export type SubscriptionsContext = SubscriptionsDeps & ReturnType<typeof makeCommon>
