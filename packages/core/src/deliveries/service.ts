import { Context, DateTime, Effect, Layer, Option, Schema } from "effect"
import type { StoredEvent } from "../events/model.js"
import { EventLog } from "../events/ports.js"
import { newEvent } from "../events/service.js"
import type { Principal } from "../identity/model.js"
import { reachableBy, requireWrite } from "../identity/policy.js"
import { type PushAction, plannedCall, provisioningBody, type ResourceKind } from "../provisioning/calls.js"
import { ProvisioningTargetRepo, PushSender } from "../provisioning/ports.js"
import { type PushOutcome, PushTransportError } from "../provisioning/push.js"
import { Decision, decide, RetryPolicyConfig } from "../provisioning/retry.js"
import { activeSecrets } from "../provisioning/secrets.js"
import { InvalidState, orNotFound, ValidationError } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import type { PageRequest } from "../shared/pagination.js"
import { Transactor } from "../shared/transactor.js"
import { Subscription } from "../subscriptions/model.js"
import { SubscriptionRepo } from "../subscriptions/ports.js"
import { Subscriptions } from "../subscriptions/service.js"
import { matchesAny } from "../webhooks/patterns.js"
import { WebhookRepo } from "../webhooks/ports.js"
import {
  Delivery,
  DeliveryAttempt,
  type DeliveryId,
  type DeliveryRun,
  DeliveryDetail,
  DeliveryStatus,
  type StoredDelivery,
  SubscriptionProvisioning
} from "./model.js"
import { asSeenBy, visibleUrl } from "./visibility.js"
import { DeliveryRepo, type DeliveryFilter, DeliverySigner } from "./ports.js"
import { now } from "../shared/time.js"

/** Events one dispatch transaction claims. */
export const DISPATCH_BATCH = 200
/** Deliveries one claim takes. */
export const CLAIM_BATCH = 64
/** Calls in flight at once in one process. */
export const SEND_CONCURRENCY = 16
/** Added to a call's time-out for its lease: past it, another worker may take the delivery. */
export const LEASE_MARGIN_MILLIS = 30_000
/** Webhooks have no time-out of their own. */
export const WEBHOOK_TIMEOUT_MS = 10_000
/** A `runOnce` stops after this many claims, so it cannot spin forever. */
const MAX_ROUNDS = 10_000

const SUBSCRIPTION_ACTIONS: Record<string, PushAction> = {
  "subscription.created": "CREATE",
  "subscription.updated": "UPDATE",
  "subscription.renewed": "UPDATE",
  "quantity_request.created": "UPDATE",
  "subscription.cancelled": "DELETE",
  "subscription.expired": "DELETE"
}

/**
 * Activation events (`network|ssid|device.created|updated|deleted`, data `{subscription_id,
 * product_id, network|ssid|device}`): the endpoint they go to and the action.
 */
const ACTIVATION_KINDS: Record<string, ResourceKind> = { network: "networks", ssid: "ssids", device: "devices" }
const ACTIVATION_ACTIONS: Record<string, PushAction> = { created: "CREATE", updated: "UPDATE", deleted: "DELETE" }

const activationOf = (type: string) => {
  const [resource, verb] = type.split(".")
  const kind = resource === undefined ? undefined : ACTIVATION_KINDS[resource]
  const action = verb === undefined ? undefined : ACTIVATION_ACTIONS[verb]
  return kind === undefined || action === undefined || resource === undefined ? null : { resource, kind, action }
}

const encodeSubscription = Schema.encode(Subscription)
const encodeDelivery = Schema.encode(Delivery)

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const str = (value: unknown): string | null => (typeof value === "string" ? value : null)

export const make = Effect.gen(function* () {
  const repo = yield* DeliveryRepo
  const targets = yield* ProvisioningTargetRepo
  const webhooks = yield* WebhookRepo
  const subscriptionRepo = yield* SubscriptionRepo
  const subscriptions = yield* Subscriptions
  const sender = yield* PushSender
  const signer = yield* DeliverySigner
  const log = yield* EventLog
  const transactor = yield* Transactor
  const policy = yield* Effect.orDie(RetryPolicyConfig)

  // Dispatch ------------------------------------------------------------------------------------

  const newDelivery = (
    event: StoredEvent,
    fields: {
      kind: Delivery["kind"]
      target: string
      url: string
      method: string
      body: string
      timeout_ms: number
      ordering_key: string | null
      quantity_request_id: string | null
      subscription_id: string | null
    },
    at: DateTime.Utc
  ) =>
    Effect.map(makeId("dlv"), (id): StoredDelivery => ({
      delivery: new Delivery({
        id: id as DeliveryId,
        event_id: event.event.id,
        event_type: event.event.type,
        kind: fields.kind,
        target: fields.target,
        url: fields.url,
        method: fields.method,
        ordering_key: fields.ordering_key,
        status: "pending",
        attempts: 0,
        next_attempt_at: at,
        last_error: null,
        quantity_request_id: fields.quantity_request_id,
        subscription_id: fields.subscription_id,
        created_at: at,
        updated_at: at
      }),
      body: fields.body,
      timeout_ms: fields.timeout_ms,
      lease_until: null,
      customer_id: event.event.customer_id,
      lineage: event.lineage
    }))

  /**
   * The push of an activation event to the product's target, when it implements the kind's
   * endpoint; ordered with the subscription's own calls (ordering key: the subscription id).
   */
  const activationFor = (stored: StoredEvent, at: DateTime.Utc, activation: NonNullable<ReturnType<typeof activationOf>>) =>
    Effect.gen(function* () {
      const { data } = stored.event
      const subscriptionId = str(data["subscription_id"])
      const productId = str(data["product_id"])
      const resource = data[activation.resource]
      if (subscriptionId === null || productId === null || !isRecord(resource)) return Option.none<StoredDelivery>()
      const id = str(resource["id"])
      if (id === null) return Option.none<StoredDelivery>()
      const target = yield* targets.find(productId)
      if (Option.isNone(target)) return Option.none<StoredDelivery>()
      const call = plannedCall(target.value, { action: activation.action, kind: activation.kind, id })
      if (Option.isNone(call)) return Option.none<StoredDelivery>()
      return Option.some(
        yield* newDelivery(stored, {
          kind: "provisioning",
          target: productId,
          url: call.value.url,
          method: call.value.method,
          body: provisioningBody({
            event_id: stored.event.id,
            action: activation.action,
            occurred_at: stored.event.occurred_at,
            kind: activation.kind,
            resource
          }),
          timeout_ms: target.value.timeout_ms,
          ordering_key: subscriptionId,
          quantity_request_id: null,
          subscription_id: subscriptionId
        }, at)
      )
    })

  /** The provisioning push of an event, when its product's target implements the endpoint. */
  const provisioningFor = (stored: StoredEvent, at: DateTime.Utc) =>
    Effect.gen(function* () {
      const { data, type } = stored.event
      const activation = activationOf(type)
      if (activation !== null) return yield* activationFor(stored, at, activation)
      const action = SUBSCRIPTION_ACTIONS[type]
      if (action === undefined) return Option.none<StoredDelivery>()
      let resource: Record<string, unknown>
      let quantityRequestId: string | null = null
      if (type === "quantity_request.created") {
        const request = data["quantity_request"]
        if (!isRecord(request)) return Option.none<StoredDelivery>()
        const found = yield* subscriptionRepo.findById(String(request["subscription_id"]))
        if (Option.isNone(found)) return Option.none<StoredDelivery>()
        const encoded = yield* Effect.orDie(encodeSubscription(found.value.subscription))
        resource = { ...encoded, quantity: request["to_quantity"], quantity_request_id: request["id"] }
        quantityRequestId = str(request["id"])
      } else {
        const subscription = data["subscription"]
        if (!isRecord(subscription)) return Option.none<StoredDelivery>()
        resource = subscription
      }
      const subscriptionId = str(resource["id"])
      const productId = str(resource["product_id"])
      if (subscriptionId === null || productId === null) return Option.none<StoredDelivery>()
      const target = yield* targets.find(productId)
      if (Option.isNone(target)) return Option.none<StoredDelivery>()
      const call = plannedCall(target.value, { action, kind: "subscriptions", id: subscriptionId })
      if (Option.isNone(call)) return Option.none<StoredDelivery>()
      return Option.some(
        yield* newDelivery(stored, {
          kind: "provisioning",
          target: productId,
          url: call.value.url,
          method: call.value.method,
          body: provisioningBody({
            event_id: stored.event.id,
            action,
            occurred_at: stored.event.occurred_at,
            kind: "subscriptions",
            resource
          }),
          timeout_ms: target.value.timeout_ms,
          ordering_key: subscriptionId,
          quantity_request_id: quantityRequestId,
          subscription_id: subscriptionId
        }, at)
      )
    })

  /** The subscription an event is about, if any. */
  const subscriptionOf = (stored: StoredEvent): string | null => {
    const { data } = stored.event
    if (isRecord(data["subscription"])) return str(data["subscription"]["id"])
    if (isRecord(data["quantity_request"])) return str(data["quantity_request"]["subscription_id"])
    if (isRecord(data["delivery"])) return str(data["delivery"]["subscription_id"])
    if (activationOf(stored.event.type) !== null) return str(data["subscription_id"])
    return null
  }

  const webhooksFor = (stored: StoredEvent, at: DateTime.Utc) =>
    Effect.gen(function* () {
      const { event } = stored
      const failedHook = event.type === "delivery.failed" && isRecord(event.data["delivery"]) &&
          event.data["delivery"]["kind"] === "webhook"
        ? str(event.data["delivery"]["target"])
        : null
      // An internal ticket comment is for the channel above the customer: never the customer's own hooks.
      const internalToCustomer = event.type === "ticket.commented" && event.data["internal"] === true
      const hooks = (yield* repo.webhooksFor(stored.lineage)).filter((hook) =>
        matchesAny(hook.events, event.type) && hook.id !== failedHook &&
        !(internalToCustomer && hook.account_id === event.customer_id)
      )
      const about = subscriptionOf(stored) ?? event.customer_id
      const body = JSON.stringify({
        event_id: event.id,
        type: event.type,
        occurred_at: DateTime.formatIso(event.occurred_at),
        data: event.data
      })
      return yield* Effect.forEach(hooks, (hook) =>
        newDelivery(stored, {
          kind: "webhook",
          target: hook.id,
          url: hook.url,
          method: "POST",
          body,
          timeout_ms: WEBHOOK_TIMEOUT_MS,
          ordering_key: about === null ? null : `${hook.id}:${about}`,
          quantity_request_id: null,
          subscription_id: subscriptionOf(stored)
        }, at))
    })

  /** One transaction: claim undispatched events, create their deliveries, mark them dispatched. */
  const dispatchBatch = transactor.withTransaction(Effect.gen(function* () {
    const events = yield* repo.claimEvents(DISPATCH_BATCH)
    if (events.length === 0) return { events: 0, created: 0 }
    const at = yield* now
    const created: Array<StoredDelivery> = []
    for (const stored of events) {
      const push = yield* provisioningFor(stored, at)
      if (Option.isSome(push)) created.push(push.value)
      created.push(...(yield* webhooksFor(stored, at)))
    }
    yield* repo.insert(created)
    yield* repo.markDispatched(events.map((e) => e.event.id), at)
    return { events: events.length, created: created.length }
  }))

  /** Turns every undispatched event into its deliveries. */
  const dispatch = Effect.gen(function* () {
    let events = 0
    let created = 0
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const done = yield* dispatchBatch
      events += done.events
      created += done.created
      if (done.events < DISPATCH_BATCH) break
    }
    return { events, created }
  }).pipe(Effect.withSpan("Deliveries.dispatch"))

  // Sending ---------------------------------------------------------------------------------------

  /** The secrets that sign a delivery now, or why it cannot be sent. */
  const secretsOf = (stored: StoredDelivery, at: DateTime.Utc) =>
    stored.delivery.kind === "provisioning"
      ? Effect.map(targets.find(stored.delivery.target), Option.map((t) => activeSecrets(t.keys, at)))
      : Effect.map(
        webhooks.findById(stored.delivery.target),
        Option.flatMap((w) => (w.enabled ? Option.some(activeSecrets(w.keys, at)) : Option.none()))
      )

  type Result = "delivered" | "retrying" | "dead" | "skipped"

  /** Sends one claimed delivery and records the outcome. */
  const sendOne = (claimed: StoredDelivery): Effect.Effect<Result, never> =>
    Effect.gen(function* () {
      const d = claimed.delivery
      const secrets = yield* secretsOf(claimed, yield* now)
      let outcome: PushOutcome | { readonly gone: string }
      if (Option.isNone(secrets)) {
        outcome = { gone: d.kind === "provisioning" ? "the product has no provisioning target" : "the webhook is gone or disabled" }
      } else {
        const request = yield* signer.sign({
          method: d.method as "POST" | "PUT" | "DELETE",
          url: d.url,
          timeout_ms: claimed.timeout_ms,
          id: d.event_id,
          body: claimed.body,
          secrets: secrets.value
        })
        outcome = yield* sender.send(request).pipe(Effect.merge)
      }
      const at = yield* now
      const number = d.attempts + 1
      const decision = "gone" in outcome
        ? Decision.Dead({ reason: outcome.gone })
        : yield* decide(policy, number, outcome, at)
      return yield* transactor.withTransaction(Effect.gen(function* () {
        const current = yield* repo.lock(d.id)
        if (Option.isNone(current)) return "skipped" as const
        const live = current.value.delivery
        // Replayed or finished by another worker meanwhile (a lease that ran out): leave it.
        if (live.attempts !== d.attempts || (live.status !== "pending" && live.status !== "retrying")) {
          return "skipped" as const
        }
        const attempt = new DeliveryAttempt({
          number,
          status_code: "gone" in outcome || outcome instanceof PushTransportError ? null : outcome.status,
          latency_ms: "gone" in outcome ? 0 : outcome.latency_ms,
          response_excerpt: "gone" in outcome || outcome instanceof PushTransportError ? null : outcome.body_excerpt,
          error: "gone" in outcome
            ? outcome.gone
            : outcome instanceof PushTransportError
            ? `${outcome.kind}: ${outcome.message}`
            : Decision.$is("Delivered")(decision)
            ? null
            : `answered ${outcome.status}`,
          at
        })
        yield* repo.recordAttempt(d.id, attempt)
        const base = { ...current.value.delivery, attempts: number, updated_at: at }
        return yield* Decision.$match(decision, {
          Delivered: ({ configuration }) =>
            Effect.gen(function* () {
              yield* repo.update({
                ...current.value,
                lease_until: null,
                delivery: new Delivery({ ...base, status: "delivered", last_error: null })
              })
              if (configuration !== null && d.subscription_id !== null && d.kind === "provisioning" && activationOf(d.event_type) === null) {
                yield* repo.saveConfiguration(d.subscription_id, configuration, d.id, at)
              }
              if (d.quantity_request_id !== null && d.subscription_id !== null) {
                yield* subscriptions.completeQuantityRequest(d.subscription_id, d.quantity_request_id).pipe(
                  Effect.catchTag("NotFound", () => Effect.void)
                )
              }
              return "delivered" as const
            }),
          RetryAt: ({ at: next, reason }) =>
            Effect.as(
              repo.update({
                ...current.value,
                lease_until: null,
                delivery: new Delivery({ ...base, status: "retrying", next_attempt_at: next, last_error: reason })
              }),
              "retrying" as const
            ),
          Dead: ({ reason }) =>
            Effect.gen(function* () {
              const dead = new Delivery({ ...base, status: "dead", last_error: reason })
              yield* repo.update({ ...current.value, lease_until: null, delivery: dead })
              const encoded = yield* Effect.orDie(encodeDelivery(dead))
              yield* log.append([
                yield* newEvent("delivery.failed", {
                  customer_id: current.value.customer_id,
                  lineage: current.value.lineage
                }, { delivery: encoded })
              ])
              if (d.quantity_request_id !== null && d.subscription_id !== null) {
                yield* subscriptions.failQuantityRequest(
                  d.subscription_id,
                  d.quantity_request_id,
                  `the provider did not acknowledge the change: ${reason}`
                ).pipe(Effect.catchTag("NotFound", () => Effect.void))
              }
              return "dead" as const
            })
        })
      }))
    }).pipe(
      Effect.catchAllCause((cause) => Effect.as(Effect.logWarning("delivery failed to record", cause), "skipped" as const)),
      Effect.withSpan("Deliveries.send", { attributes: { delivery_id: claimed.delivery.id } })
    )

  const claim = Effect.flatMap(now, (at) =>
    transactor.withTransaction(repo.claimDue(at, CLAIM_BATCH, LEASE_MARGIN_MILLIS)))

  /**
   * Dispatches the undispatched events, then sends every delivery due now, head of its ordering
   * key first, `SEND_CONCURRENCY` at a time; a delivery that becomes due by another's success
   * (the next of its key) goes out in the same run. `stopping` is asked between batches: a worker
   * told to stop sends the batch it claimed (each call bounded by its time-out) and claims no
   * more. Interrupted outright, it gives the claimed deliveries it had not started back at once
   * rather than leaving them to their leases.
   */
  const runUntil = (stopping: Effect.Effect<boolean>) => Effect.gen(function* () {
    const dispatched = yield* dispatch
    const run = {
      dispatched_events: dispatched.events,
      created: dispatched.created,
      sent: 0,
      delivered: 0,
      retrying: 0,
      dead: 0
    }
    for (let round = 0; round < MAX_ROUNDS && !(yield* stopping); round++) {
      const batch = yield* claim
      if (batch.length === 0) break
      const unsent = new Set(batch.map((claimed) => claimed.delivery.id))
      const results = yield* Effect.forEach(
        batch,
        (claimed) => Effect.suspend(() => {
          unsent.delete(claimed.delivery.id)
          return sendOne(claimed)
        }),
        { concurrency: SEND_CONCURRENCY }
      ).pipe(Effect.onInterrupt(() => Effect.ignore(repo.release([...unsent]))))
      for (const result of results) {
        if (result === "skipped") continue
        run.sent++
        run[result]++
      }
      // Failures leave their dead/retrying rows; successes may have made new heads: dispatch new events too.
      const more = yield* dispatch
      run.dispatched_events += more.events
      run.created += more.created
    }
    return run satisfies DeliveryRun
  }).pipe(Effect.withSpan("Deliveries.run"))

  /** A whole turn of a worker: everything due now. */
  const runOnce = runUntil(Effect.succeed(false))

  // Reading and replaying -------------------------------------------------------------------------

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

  /** A dead or delivered delivery goes back to pending, due now; its attempts are kept. */
  const replayDelivery = Effect.fn("Deliveries.replayDelivery")(function* (principal: Principal, id: string) {
    yield* findDelivery(principal, id)
    yield* requireWrite(principal)
    return yield* transactor.withTransaction(Effect.gen(function* () {
      const stored = yield* repo.lock(id).pipe(orNotFound("delivery", id))
      const d = stored.delivery
      if (d.status !== "dead" && d.status !== "delivered") {
        return yield* new InvalidState({ message: `delivery ${id} is ${d.status}: only dead or delivered deliveries are replayed` })
      }
      const at = yield* now
      const replayed = new Delivery({ ...d, status: "pending", next_attempt_at: at, updated_at: at })
      yield* repo.update({ ...stored, lease_until: null, delivery: replayed })
      return asSeenBy(principal, replayed)
    }))
  })

  /** As the platform operator (the CLI): replays without a principal's scope. */
  const replayAny = (id: string) =>
    transactor.withTransaction(Effect.gen(function* () {
      const stored = yield* repo.lock(id).pipe(orNotFound("delivery", id))
      const d = stored.delivery
      if (d.status !== "dead" && d.status !== "delivered") {
        return yield* new InvalidState({ message: `delivery ${id} is ${d.status}: only dead or delivered deliveries are replayed` })
      }
      const at = yield* now
      const replayed = new Delivery({ ...d, status: "pending", next_attempt_at: at, updated_at: at })
      yield* repo.update({ ...stored, lease_until: null, delivery: replayed })
      return replayed
    }))

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

  return {
    dispatch,
    runOnce,
    runUntil,
    listDeliveries,
    getDelivery,
    replayDelivery,
    replayAny,
    getSubscriptionProvisioning
  } as const
})

export class Deliveries extends Context.Tag("@provisio/core/Deliveries")<Deliveries, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(Deliveries, make)
}
