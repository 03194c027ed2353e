import { Context, DateTime, Effect, Layer, Option } from "effect"
import { PlanRepo } from "../catalog/ports.js"
import { ProvisioningTargetRepo } from "../provisioning/ports.js"
import type { StoredEvent } from "../events/model.js"
import { EventLog } from "../events/ports.js"
import type { Principal } from "../identity/model.js"
import { reachableBy, requireStandardEdition, requireWrite } from "../identity/policy.js"
import { InvalidState, NotFound, orNotFound, ValidationError } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import type { PageRequest } from "../shared/pagination.js"
import { Transactor } from "../shared/transactor.js"
import { quantityRequestEvent, subscriptionEvent } from "./events.js"
import { currentTerm, type DueOutcome, dueStep, endWith, priceOf } from "./lifecycle.js"
import {
  type CancelWhen,
  type CustomFields,
  DueRun,
  Installment,
  InstallmentPlan,
  QuantityRequest,
  QuantityRequestAccepted,
  type QuantityRequestId,
  type StoredSubscription,
  Subscription,
  type UpdateSubscription
} from "./model.js"
import { QuantityRequestRepo, type SubscriptionFilter, SubscriptionRepo } from "./ports.js"
import { now } from "../shared/time.js"

/** Subscriptions the scheduler claims in one transaction. */
export const DUE_BATCH = 50

/** A run stops after this many batches, so a bug that leaves a subscription due cannot spin forever. */
const MAX_BATCHES = 10_000

/** What an add-on becomes when its parent ends: the parent's own end. */
const LIVE = ["pending", "active", "suspended"] as const

export const make = Effect.gen(function* () {
  const subscriptions = yield* SubscriptionRepo
  const requests = yield* QuantityRequestRepo
  const plans = yield* PlanRepo
  const log = yield* EventLog
  const transactor = yield* Transactor
  const targets = yield* ProvisioningTargetRepo

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
    Effect.zipRight(requireWrite(principal), requireStandardEdition(principal, action))

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

  // Reading ------------------------------------------------------------------------------------

  const listSubscriptions = Effect.fn("Subscriptions.listSubscriptions")(function* (
    principal: Principal,
    filter: SubscriptionFilter,
    page: PageRequest
  ) {
    const found = yield* subscriptions.list(principal.account_id, filter, page)
    return { ...found, items: found.items.map((stored) => stored.subscription) }
  })

  const getSubscription = Effect.fn("Subscriptions.getSubscription")(function* (principal: Principal, id: string) {
    return (yield* findSubscription(principal, id)).subscription
  })

  const getCharacteristics = Effect.fn("Subscriptions.getCharacteristics")(function* (principal: Principal, id: string) {
    return (yield* findSubscription(principal, id)).subscription.characteristics
  })

  const getCustomFields = Effect.fn("Subscriptions.getCustomFields")(function* (principal: Principal, id: string) {
    return (yield* findSubscription(principal, id)).subscription.custom_fields
  })

  /**
   * The current term's installments of a committed plan, each at the plan version's price for
   * the subscription's quantity; paid once due (billing, a later issue, records real payments).
   */
  const getInstallmentPlan = Effect.fn("Subscriptions.getInstallmentPlan")(function* (principal: Principal, id: string) {
    const stored = yield* findSubscription(principal, id)
    const { schedule, subscription } = stored
    const term = currentTerm(schedule)
    if (term === undefined) {
      return new InstallmentPlan({
        subscription_id: subscription.id,
        commitment_months: null,
        term: null,
        term_start: null,
        term_end: null,
        installments: []
      })
    }
    const plan = yield* plans.findVersion(subscription.plan_id, subscription.plan_version).pipe(
      Effect.flatMap(Option.match({
        onNone: () => Effect.dieMessage(`plan ${subscription.plan_id} v${subscription.plan_version} is gone`),
        onSome: Effect.succeed
      }))
    )
    const at = yield* now
    const amount = priceOf(plan.price, subscription.quantity)
    return new InstallmentPlan({
      subscription_id: subscription.id,
      commitment_months: schedule.commitment_months,
      term: term.term,
      term_start: term.start,
      term_end: term.end,
      installments: term.installments.map((installment) =>
        new Installment({
          number: installment.number,
          due: installment.due,
          amount,
          status: DateTime.lessThanOrEqualTo(installment.due, at) ? "paid" : "unpaid"
        })
      )
    })
  })

  // Changing -----------------------------------------------------------------------------------

  /** `auto_renew` (of an active subscription) and the custom name. */
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

  /**
   * A quantity decrease, answered at once (`202`) as a request to poll. The product has no
   * provisioning target yet (push delivery is the next issue), so the request completes in the
   * same call: the subscription takes the new quantity and both events are written.
   */
  const requestQuantityDecrease = Effect.fn("Subscriptions.requestQuantityDecrease")(function* (
    principal: Principal,
    id: string,
    quantity: number
  ) {
    yield* findSubscription(principal, id)
    yield* requireChange(principal, "change quantities")
    const request = yield* transactor.withTransaction(Effect.gen(function* () {
      const stored = yield* lockSubscription(id)
      yield* requireActive(stored, "change its quantity")
      const from = stored.subscription.quantity
      if (quantity >= from) {
        return yield* ValidationError.of(
          "quantity",
          quantity === from
            ? `is already ${from}`
            : `must be lower than the current ${from}: raise a quantity by ordering (POST /orders with subscription_id)`
        )
      }
      const pending = yield* requests.findPending(stored.subscription.id)
      if (Option.isSome(pending)) {
        return yield* new InvalidState({
          message: `quantity request ${pending.value.id} of subscription ${id} is still pending`
        })
      }
      const at = yield* now
      const created = new QuantityRequest({
        id: (yield* makeId("qrq")) as QuantityRequestId,
        subscription_id: stored.subscription.id,
        from_quantity: from,
        to_quantity: quantity,
        state: "pending",
        reason: null,
        completed_at: null,
        created_at: at,
        updated_at: at
      })
      yield* requests.insert(created)
      yield* log.append([yield* quantityRequestEvent("quantity_request.created", stored, created)])
      return created
    }))
    // A product whose target takes subscription calls acknowledges the decrease: the request stays
    // pending until the delivery engine's UPDATE is acknowledged (or fails when it is dead).
    const subscription = yield* subscriptions.findById(request.subscription_id)
    const target = Option.isSome(subscription)
      ? yield* targets.find(subscription.value.subscription.product_id)
      : Option.none()
    if (Option.isSome(target) && target.value.endpoints.includes("subscriptions")) {
      return new QuantityRequestAccepted({ ...request, request_id: request.id })
    }
    // No provisioning target to acknowledge it: complete now.
    const completed = yield* completeQuantityRequest(request.subscription_id, request.id)
    return new QuantityRequestAccepted({ ...completed, request_id: completed.id })
  })

  const findRequest = (subscriptionId: string, requestId: string) =>
    requests.findById(subscriptionId, requestId).pipe(
      orNotFound("quantity request", requestId)
    )

  /**
   * The provisioning side acknowledged a pending decrease (or there is none to ask): the
   * subscription takes the new quantity. A request no longer pending is answered as it is.
   */
  const completeQuantityRequest = (subscriptionId: string, requestId: string) =>
    transactor.withTransaction(Effect.gen(function* () {
      const stored = yield* lockSubscription(subscriptionId)
      const request = yield* findRequest(subscriptionId, requestId)
      if (request.state !== "pending") return request
      const at = yield* now
      if (stored.subscription.status !== "active") {
        const failed = new QuantityRequest({
          ...request,
          state: "failed",
          reason: `the subscription is ${stored.subscription.status}`,
          updated_at: at
        })
        yield* requests.update(failed)
        yield* log.append([yield* quantityRequestEvent("quantity_request.failed", stored, failed)])
        return failed
      }
      const done = new QuantityRequest({ ...request, state: "completed", completed_at: at, updated_at: at })
      const updated: StoredSubscription = {
        ...stored,
        subscription: new Subscription({ ...stored.subscription, quantity: request.to_quantity, updated_at: at })
      }
      yield* requests.update(done)
      yield* write(updated, [
        yield* quantityRequestEvent("quantity_request.completed", updated, done),
        yield* subscriptionEvent("subscription.updated", updated, {
          changes: { quantity: { from: stored.subscription.quantity, to: request.to_quantity } },
          quantity_request_id: done.id
        })
      ])
      return done
    }))

  /** The provisioning side never acknowledged a pending decrease: it fails, the quantity stays. */
  const failQuantityRequest = (subscriptionId: string, requestId: string, reason: string) =>
    transactor.withTransaction(Effect.gen(function* () {
      const stored = yield* lockSubscription(subscriptionId)
      const request = yield* findRequest(subscriptionId, requestId)
      if (request.state !== "pending") return request
      const at = yield* now
      const failed = new QuantityRequest({ ...request, state: "failed", reason, updated_at: at })
      yield* requests.update(failed)
      yield* log.append([yield* quantityRequestEvent("quantity_request.failed", stored, failed)])
      return failed
    }))

  const getQuantityRequest = Effect.fn("Subscriptions.getQuantityRequest")(function* (
    principal: Principal,
    id: string,
    requestId: string
  ) {
    const stored = yield* findSubscription(principal, id)
    return yield* findRequest(stored.subscription.id, requestId)
  })

  // The scheduler ------------------------------------------------------------------------------

  /** Every end of period of one claimed subscription up to `at`, with the events; then its add-ons if it ended. */
  const processDue = (claimed: StoredSubscription, at: DateTime.Utc, written: DateTime.Utc) =>
    Effect.gen(function* () {
      const counts: Record<DueOutcome, number> = { renewed: 0, expired: 0, cancelled: 0 }
      let stored = claimed
      const events: Array<StoredEvent> = []
      // A scheduler that was not running catches up one period at a time, one event each.
      for (let step = dueStep(stored, at); step !== undefined; step = dueStep(stored, at)) {
        const previous = stored.subscription
        stored = { ...step.stored, subscription: new Subscription({ ...step.stored.subscription, updated_at: written }) }
        counts[step.outcome]++
        events.push(
          yield* subscriptionEvent(`subscription.${step.outcome}`, stored, {
            period: { start: DateTime.formatIso(previous.current_period_start), end: DateTime.formatIso(previous.current_period_end) }
          })
        )
      }
      yield* write(stored, events)
      const status = stored.subscription.status
      if (status === "cancelled" || status === "expired") {
        const ended = yield* endAddons(stored, status, stored.subscription.cancelled_at ?? stored.subscription.expired_at!, written)
        counts[status] += ended
      }
      return counts
    })

  /**
   * Renewals, expiries and end-of-period cancellations due at `at` (the clock's time when not
   * given), in batches of `DUE_BATCH`, each batch one transaction. Any number of processes may
   * run it at once: the storage hands each due subscription to exactly one of them.
   */
  const runDue = (at?: DateTime.Utc) =>
    Effect.gen(function* () {
      const until = at ?? (yield* now)
      const totals = { renewed: 0, expired: 0, cancelled: 0 }
      for (let batch = 0; batch < MAX_BATCHES; batch++) {
        // Counted once the batch's transaction has committed.
        const done = yield* transactor.withTransaction(Effect.gen(function* () {
          const due = yield* subscriptions.claimDue(until, DUE_BATCH)
          const written = yield* now
          const counts = { renewed: 0, expired: 0, cancelled: 0 }
          for (const stored of due) {
            const one = yield* processDue(stored, until, written)
            counts.renewed += one.renewed
            counts.expired += one.expired
            counts.cancelled += one.cancelled
          }
          return { claimed: due.length, counts }
        }))
        totals.renewed += done.counts.renewed
        totals.expired += done.counts.expired
        totals.cancelled += done.counts.cancelled
        if (done.claimed === 0) break
      }
      return new DueRun(totals)
    }).pipe(Effect.withSpan("Subscriptions.runDue"))

  return {
    listSubscriptions,
    getSubscription,
    getCharacteristics,
    getCustomFields,
    getInstallmentPlan,
    updateSubscription,
    updateCustomFields,
    cancelSubscription,
    cancelAddonAtPeriodEnd,
    requestQuantityDecrease,
    completeQuantityRequest,
    failQuantityRequest,
    getQuantityRequest,
    runDue
  } as const
})

export class Subscriptions extends Context.Tag("@provisio/core/Subscriptions")<
  Subscriptions,
  Effect.Effect.Success<typeof make>
>() {
  static readonly layer = Layer.effect(Subscriptions, make)
}
