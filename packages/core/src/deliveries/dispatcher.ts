import type * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { StoredEvent } from "../events/model.js"
import { plannedCall, provisioningBody, type PushAction, type ResourceKind } from "../provisioning/calls.js"
import type { StoredTarget } from "../provisioning/model.js"
import type { ProvisioningTargetRepo } from "../provisioning/ports.js"
import type { PersistenceError } from "../shared/errors.js"
import type { StoredWebhook } from "../webhooks/model.js"
import { makeIds } from "../shared/ids.js"
import { now } from "../shared/time.js"
import type { Transactor } from "../shared/transactor.js"
import { Subscription } from "../subscriptions/model.js"
import type { SubscriptionRepo } from "../subscriptions/ports.js"
import { matchesAny } from "../webhooks/patterns.js"
import { Delivery, type DeliveryId, type StoredDelivery } from "./model.js"
import type { DeliveryRepo } from "./ports.js"
import { DISPATCH_BATCH, MAX_ROUNDS } from "./limits.js"
import { EMAIL_TARGET, EMAIL_TIMEOUT_MS, type EmailPlanDeps, planEmails } from "./emails.js"
import { activationOf, SUBSCRIPTION_ACTIONS } from "./routing.js"

/**
 * The dispatcher: turns the outbox's events into deliveries, a provisioning call for the
 * product's target when it implements the endpoint, and a call for every webhook that asked for
 * the event. Ordered per subscription (provisioning) and per webhook and subscription or customer.
 */

const encodeSubscription = Schema.encode(Subscription)

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const str = (value: unknown): string | null => (typeof value === "string" ? value : null)

/** A delivery planned for an event, waiting for its id. */
type Draft = (id: string) => StoredDelivery

interface BatchLookups {
  readonly target: (productId: string) => Effect.Effect<Option.Option<StoredTarget>, PersistenceError>
}

export interface DispatcherDeps {
  readonly repo: Context.Tag.Service<typeof DeliveryRepo>
  readonly targets: Context.Tag.Service<typeof ProvisioningTargetRepo>
  readonly subscriptionRepo: Context.Tag.Service<typeof SubscriptionRepo>
  readonly transactor: Context.Tag.Service<typeof Transactor>
  readonly email: EmailPlanDeps
}

export const makeDispatcher = ({ email, repo, subscriptionRepo, targets, transactor }: DispatcherDeps) => {
  /** A product's target, read once per dispatch batch however many of its events the batch holds. */
  const batchLookups = () => {
    const found = new Map<string, Option.Option<StoredTarget>>()
    return {
      target: (productId: string) => {
        const known = found.get(productId)
        return known !== undefined
          ? Effect.succeed(known)
          : Effect.tap(targets.find(productId), (target) => found.set(productId, target))
      }
    }
  }
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
    // A draft: the batch's ids are made together once it is planned (`makeIds`).
    Effect.succeed((id: string): StoredDelivery => ({
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
      }, true), // every field made here from checked values: validated once, by the database's constraints
      body: fields.body,
      timeout_ms: fields.timeout_ms,
      lease_until: null,
      customer_id: event.event.customer_id,
      lineage: event.lineage
    }))

  /**
   * The push of an event's resource to its product's target, when the target implements the
   * endpoint of that kind and action; ordered with the subscription's other calls (ordering key:
   * the subscription id).
   */
  const pushFor = (
    stored: StoredEvent,
    at: DateTime.Utc,
    lookups: BatchLookups,
    push: {
      readonly productId: string
      readonly subscriptionId: string
      readonly action: PushAction
      readonly kind: ResourceKind
      readonly id: string
      readonly resource: Record<string, unknown>
      readonly quantityRequestId: string | null
    }
  ) =>
    Effect.gen(function* () {
      const target = yield* lookups.target(push.productId)
      if (Option.isNone(target)) return Option.none<Draft>()
      const call = plannedCall(target.value, { action: push.action, kind: push.kind, id: push.id })
      if (Option.isNone(call)) return Option.none<Draft>()
      return Option.some(
        yield* newDelivery(stored, {
          kind: "provisioning",
          target: push.productId,
          url: call.value.url,
          method: call.value.method,
          body: provisioningBody({
            event_id: stored.event.id,
            action: push.action,
            occurred_at: stored.event.occurred_at,
            kind: push.kind,
            resource: push.resource
          }),
          timeout_ms: target.value.timeout_ms,
          ordering_key: push.subscriptionId,
          quantity_request_id: push.quantityRequestId,
          subscription_id: push.subscriptionId
        }, at)
      )
    })

  /**
   * The push of an activation event to the product's target, when it implements the kind's
   * endpoint; ordered with the subscription's own calls (ordering key: the subscription id).
   */
  const activationFor = (
    stored: StoredEvent,
    at: DateTime.Utc,
    lookups: BatchLookups,
    activation: NonNullable<ReturnType<typeof activationOf>>
  ) =>
    Effect.gen(function* () {
      const { data } = stored.event
      const subscriptionId = str(data["subscription_id"])
      const productId = str(data["product_id"])
      const resource = data[activation.resource]
      if (subscriptionId === null || productId === null || !isRecord(resource)) return Option.none<Draft>()
      const id = str(resource["id"])
      if (id === null) return Option.none<Draft>()
      return yield* pushFor(stored, at, lookups, {
        productId,
        subscriptionId,
        action: activation.action,
        kind: activation.kind,
        id,
        resource,
        quantityRequestId: null
      })
    })

  /** The provisioning push of an event, when its product's target implements the endpoint. */
  const provisioningFor = (stored: StoredEvent, at: DateTime.Utc, lookups: BatchLookups) =>
    Effect.gen(function* () {
      const { data, type } = stored.event
      const activation = activationOf(type)
      if (activation !== null) return yield* activationFor(stored, at, lookups, activation)
      const action = SUBSCRIPTION_ACTIONS[type]
      if (action === undefined) return Option.none<Draft>()
      let resource: Record<string, unknown>
      let quantityRequestId: string | null = null
      if (type === "quantity_request.created") {
        const request = data["quantity_request"]
        if (!isRecord(request)) return Option.none<Draft>()
        const found = yield* subscriptionRepo.findById(String(request["subscription_id"]))
        if (Option.isNone(found)) return Option.none<Draft>()
        const encoded = yield* Effect.orDie(encodeSubscription(found.value.subscription))
        resource = { ...encoded, quantity: request["to_quantity"], quantity_request_id: request["id"] }
        quantityRequestId = str(request["id"])
      } else {
        const subscription = data["subscription"]
        if (!isRecord(subscription)) return Option.none<Draft>()
        resource = subscription
      }
      const subscriptionId = str(resource["id"])
      const productId = str(resource["product_id"])
      if (subscriptionId === null || productId === null) return Option.none<Draft>()
      return yield* pushFor(stored, at, lookups, {
        productId,
        subscriptionId,
        action,
        kind: "subscriptions",
        id: subscriptionId,
        resource,
        quantityRequestId
      })
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

  const webhooksFor = (stored: StoredEvent, at: DateTime.Utc, batchHooks: ReadonlyArray<StoredWebhook>) =>
    Effect.gen(function* () {
      const { event } = stored
      const failedHook = event.type === "delivery.failed" && isRecord(event.data["delivery"]) &&
          event.data["delivery"]["kind"] === "webhook"
        ? str(event.data["delivery"]["target"])
        : null
      // An internal ticket comment is for the channel above the customer: never the customer's own hooks.
      const internalToCustomer = event.type === "ticket.commented" && event.data["internal"] === true
      const hooks = batchHooks.filter((hook) =>
        stored.lineage.includes(hook.account_id) && matchesAny(hook.events, event.type) && hook.id !== failedHook &&
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
          timeout_ms: hook.timeout_ms,
          ordering_key: about === null ? null : `${hook.id}:${about}`,
          quantity_request_id: null,
          subscription_id: subscriptionOf(stored)
        }, at))
    })

  /** One transaction: claim up to `DISPATCH_BATCH` undispatched events, create their deliveries, mark them dispatched. */
  const dispatchBatch = transactor.withTransaction(Effect.gen(function* () {
    const events = yield* repo.claimEvents(DISPATCH_BATCH)
    if (events.length === 0) return { events: 0, created: 0 }
    const at = yield* now
    // One read of the webhooks of every account of the batch's lineages, and of each product's target.
    const hooks = yield* repo.webhooksFor([...new Set(events.flatMap((stored) => stored.lineage))])
    const lookups = batchLookups()
    const drafts: Array<Draft> = []
    for (const stored of events) {
      const push = yield* provisioningFor(stored, at, lookups)
      if (Option.isSome(push)) drafts.push(push.value)
      drafts.push(...(yield* webhooksFor(stored, at, hooks)))
    }
    for (const { message, stored } of yield* planEmails(email, events)) {
      drafts.push(yield* newDelivery(stored, {
        kind: "email",
        target: EMAIL_TARGET,
        url: `mailto:${message.to.join(",")}`,
        method: "SEND",
        body: JSON.stringify(message),
        timeout_ms: EMAIL_TIMEOUT_MS,
        // A customer's emails go out in the order of their events.
        ordering_key: `email:${stored.event.customer_id}`,
        quantity_request_id: null,
        subscription_id: null
      }, at))
    }
    const ids = yield* makeIds("dlv", drafts.length)
    const created = drafts.map((draft, i) => draft(ids[i]!))
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

  return { dispatch, dispatchBatch }
}
