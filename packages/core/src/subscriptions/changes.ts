import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { Principal } from "../identity/model.js"
import { NotFound, ValidationError } from "../shared/errors.js"
import { subscriptionEvent } from "./events.js"
import { endWith } from "./lifecycle.js"
import {
  type CancelWhen,
  type CustomFields,
  READ_ONLY_SUBSCRIPTION_FIELDS,
  type StoredSubscription,
  Subscription,
  type UpdateSubscription
} from "./model.js"
import { now } from "../shared/time.js"
import type { SubscriptionsContext } from "./context.js"
import { canonicalJson as canonical } from "../shared/canonical-json.js"

/** The first read-only field `input` sends with another value than the subscription's (as answers show it). */
const changedReadOnly = (input: UpdateSubscription, current: Subscription) => {
  const shown = Schema.encodeSync(Subscription)(current) as unknown as Record<string, unknown>
  for (const field of Object.keys(READ_ONLY_SUBSCRIPTION_FIELDS) as Array<keyof typeof READ_ONLY_SUBSCRIPTION_FIELDS>) {
    const sent = input[field]
    if (sent !== undefined && canonical(sent) !== canonical(shown[field])) {
      return ValidationError.of(field, READ_ONLY_SUBSCRIPTION_FIELDS[field])
    }
  }
  return undefined
}

/** Changing a subscription: its settings and custom fields, cancellation now or at period end, its add-ons'. */
export const makeChanges = ({ transactor, findSubscription, lockSubscription, requireChange, requireActive, write, endAddons }: SubscriptionsContext) => {
  /** `auto_renew` (of an active subscription) and the custom name; any other field only as it is. */
  const updateSubscription = Effect.fn("Subscriptions.updateSubscription")(function* (
    principal: Principal,
    id: string,
    input: UpdateSubscription
  ) {
    yield* findSubscription(principal, id)
    yield* requireChange(principal, "change subscriptions")
    return yield* transactor.withTransaction(Effect.gen(function* () {
      const stored = yield* lockSubscription(id)
      const current = stored.subscription
      // A field PUT does not change, sent with another value: say where it is changed, not 200 and nothing done.
      const readOnly = changedReadOnly(input, current)
      if (readOnly !== undefined) return yield* readOnly
      const autoRenew = input.auto_renew ?? current.auto_renew
      const name = input.name === undefined ? current.name : input.name
      if (autoRenew !== current.auto_renew) yield* requireActive(stored, "change auto_renew")
      if (autoRenew === current.auto_renew && name === current.name) return current
      const changes: Record<string, unknown> = {}
      if (autoRenew !== current.auto_renew) changes["auto_renew"] = { from: current.auto_renew, to: autoRenew }
      if (name !== current.name) changes["name"] = { from: current.name, to: name }
      const updated: StoredSubscription = {
        ...stored,
        subscription: new Subscription({ ...current, auto_renew: autoRenew, name, updated_at: yield* now })
      }
      yield* write(updated, [yield* subscriptionEvent("subscription.updated", updated, { changes })])
      return updated.subscription
    }))
  })

  /** Replaces the custom fields whole. */
  const updateCustomFields = Effect.fn("Subscriptions.updateCustomFields")(function* (
    principal: Principal,
    id: string,
    fields: CustomFields
  ) {
    yield* findSubscription(principal, id)
    yield* requireChange(principal, "change subscriptions")
    return yield* transactor.withTransaction(Effect.gen(function* () {
      const stored = yield* lockSubscription(id)
      const updated: StoredSubscription = {
        ...stored,
        subscription: new Subscription({ ...stored.subscription, custom_fields: fields, updated_at: yield* now })
      }
      yield* write(updated, [
        yield* subscriptionEvent("subscription.updated", updated, { changes: { custom_fields: { to: fields } } })
      ])
      return updated.subscription.custom_fields
    }))
  })

  /**
   * Immediately: cancelled now, with its add-ons. At the end of the billing period: marked, and
   * the scheduler cancels it (and its add-ons) when the period ends; until then it is active.
   */
  const cancelSubscription = Effect.fn("Subscriptions.cancelSubscription")(function* (
    principal: Principal,
    id: string,
    when: CancelWhen
  ) {
    yield* findSubscription(principal, id)
    yield* requireChange(principal, "cancel subscriptions")
    return yield* transactor.withTransaction(cancelLocked(id, when))
  })

  const cancelLocked = (id: string, when: CancelWhen) =>
    Effect.gen(function* () {
      const stored = yield* lockSubscription(id)
      yield* requireActive(stored, "cancel it")
      const at = yield* now
      if (when === "immediately") {
        const cancelled: StoredSubscription = {
          ...stored,
          subscription: endWith(stored.subscription, "cancelled", at, at)
        }
        yield* write(cancelled, [yield* subscriptionEvent("subscription.cancelled", cancelled, { when })])
        yield* endAddons(cancelled, "cancelled", at, at)
        return cancelled.subscription
      }
      if (stored.subscription.cancel_at_period_end) return stored.subscription
      const marked: StoredSubscription = {
        ...stored,
        subscription: new Subscription({ ...stored.subscription, cancel_at_period_end: true, updated_at: at })
      }
      yield* write(marked, [
        yield* subscriptionEvent("subscription.updated", marked, { changes: { cancel_at_period_end: { from: false, to: true } } })
      ])
      return marked.subscription
    })

  /** `POST /subscriptions/{id}/addons/{addonId}/cancelendofbillingperiod`: the add-on ends with its period. */
  const cancelAddonAtPeriodEnd = Effect.fn("Subscriptions.cancelAddonAtPeriodEnd")(function* (
    principal: Principal,
    id: string,
    addonId: string
  ) {
    const parent = yield* findSubscription(principal, id)
    const addon = yield* findSubscription(principal, addonId)
    if (addon.subscription.parent_subscription_id !== parent.subscription.id) {
      return yield* new NotFound({ message: `subscription ${id} has no add-on ${addonId}` })
    }
    yield* requireChange(principal, "cancel subscriptions")
    return yield* transactor.withTransaction(cancelLocked(addonId, "end_of_billing_period"))
  })

  return { updateSubscription, updateCustomFields, cancelSubscription, cancelAddonAtPeriodEnd }
}
