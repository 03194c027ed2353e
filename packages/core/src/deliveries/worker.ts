import type * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { newEvent } from "../events/service.js"
import type { EventLog } from "../events/ports.js"
import type { ProvisioningTargetRepo, PushSender } from "../provisioning/ports.js"
import { type PushOutcome, PushTransportError } from "../provisioning/push.js"
import { Decision, decide, type RetryPolicy } from "../provisioning/retry.js"
import { activeSecrets } from "../provisioning/secrets.js"
import { now } from "../shared/time.js"
import type { Transactor } from "../shared/transactor.js"
import type { Subscriptions } from "../subscriptions/service.js"
import type { WebhookRepo } from "../webhooks/ports.js"
import { CLAIM_BATCH, LEASE_MARGIN_MILLIS, MAX_ROUNDS, SEND_CONCURRENCY } from "./limits.js"
import { activationOf } from "./routing.js"
import { Delivery, DeliveryAttempt, type DeliveryRun, type StoredDelivery } from "./model.js"
import type { DeliveryRepo, DeliverySigner } from "./ports.js"

/**
 * The send worker: claims due deliveries (the head of each ordering key, leased), signs and
 * sends each, and records the attempt and what the retry policy decides.
 */

const encodeDelivery = Schema.encode(Delivery)

export interface WorkerDeps {
  readonly repo: Context.Tag.Service<typeof DeliveryRepo>
  readonly targets: Context.Tag.Service<typeof ProvisioningTargetRepo>
  readonly webhooks: Context.Tag.Service<typeof WebhookRepo>
  readonly subscriptions: Context.Tag.Service<typeof Subscriptions>
  readonly sender: Context.Tag.Service<typeof PushSender>
  readonly signer: Context.Tag.Service<typeof DeliverySigner>
  readonly log: Context.Tag.Service<typeof EventLog>
  readonly transactor: Context.Tag.Service<typeof Transactor>
  readonly policy: RetryPolicy
  /** Turns the undispatched events into deliveries (dispatcher.ts): each round ends with it. */
  readonly dispatch: Effect.Effect<{ readonly events: number; readonly created: number }, unknown>
}

export const makeWorker = (
  { dispatch, log, policy, repo, sender, signer, subscriptions, targets, transactor, webhooks }: WorkerDeps
) => {
  /** The secrets that sign a delivery now, or why it cannot be sent. */
  const secretsOf = (stored: StoredDelivery, at: DateTime.Utc) =>
    stored.delivery.kind === "provisioning"
      ? Effect.map(targets.find(stored.delivery.target), Option.map((t) => activeSecrets(t.keys, at)))
      : Effect.map(
        webhooks.findById(stored.delivery.target),
        Option.flatMap((w) => (w.enabled ? Option.some(activeSecrets(w.keys, at)) : Option.none()))
      )

  type Result = "delivered" | "retrying" | "dead" | "skipped"
  type Outcome = PushOutcome | { readonly gone: string }

  /** The call made (signed with the target's or webhook's secrets), or why it cannot be. */
  const attempt = (claimed: StoredDelivery): Effect.Effect<Outcome> =>
    Effect.gen(function* () {
      const d = claimed.delivery
      const secrets = yield* secretsOf(claimed, yield* now).pipe(Effect.orDie)
      if (Option.isNone(secrets)) {
        return { gone: d.kind === "provisioning" ? "the product has no provisioning target" : "the webhook is gone or disabled" }
      }
      const request = yield* signer.sign({
        method: d.method as "POST" | "PUT" | "DELETE",
        url: d.url,
        timeout_ms: claimed.timeout_ms,
        id: d.event_id,
        body: claimed.body,
        secrets: secrets.value
      })
      return yield* sender.send(request).pipe(Effect.merge)
    })

  /** The attempt as the log keeps it: its answer's status and first KB, or the error. */
  const attemptRecord = (number: number, outcome: Outcome, decision: Decision, at: DateTime.Utc) =>
    new DeliveryAttempt({
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

  /** Delivered: the provider's configuration kept, a quantity decrease it acknowledged completed. */
  const delivered = (current: StoredDelivery, base: Delivery, configuration: Record<string, unknown> | null, at: DateTime.Utc) =>
    Effect.gen(function* () {
      const d = current.delivery
      yield* repo.update({ ...current, lease_until: null, delivery: new Delivery({ ...base, status: "delivered", last_error: null }) })
      if (configuration !== null && d.subscription_id !== null && d.kind === "provisioning" && activationOf(d.event_type) === null) {
        yield* repo.saveConfiguration(d.subscription_id, configuration, d.id, at)
      }
      if (d.quantity_request_id !== null && d.subscription_id !== null) {
        yield* subscriptions.completeQuantityRequest(d.subscription_id, d.quantity_request_id).pipe(
          Effect.catchTag("NotFound", () => Effect.void)
        )
      }
      return "delivered" as const
    })

  /** Dead: `delivery.failed` raised, a quantity decrease waiting on it failed. */
  const dead = (current: StoredDelivery, base: Delivery, reason: string) =>
    Effect.gen(function* () {
      const d = current.delivery
      const failed = new Delivery({ ...base, status: "dead", last_error: reason })
      yield* repo.update({ ...current, lease_until: null, delivery: failed })
      const encoded = yield* Effect.orDie(encodeDelivery(failed))
      yield* log.append([
        yield* newEvent("delivery.failed", { customer_id: current.customer_id, lineage: current.lineage }, { delivery: encoded })
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

  /**
   * Records the attempt and what the policy decided, in one transaction, unless the delivery was
   * replayed or finished by another worker meanwhile (a lease that ran out).
   */
  const record = (claimed: StoredDelivery, outcome: Outcome, decision: Decision, at: DateTime.Utc) =>
    transactor.withTransaction(Effect.gen(function* () {
      const d = claimed.delivery
      const current = yield* repo.lock(d.id)
      if (Option.isNone(current)) return "skipped" as const
      const live = current.value.delivery
      if (live.attempts !== d.attempts || (live.status !== "pending" && live.status !== "retrying")) {
        return "skipped" as const
      }
      const number = d.attempts + 1
      yield* repo.recordAttempt(d.id, attemptRecord(number, outcome, decision, at))
      const base = new Delivery({ ...live, attempts: number, updated_at: at })
      return yield* Decision.$match(decision, {
        Delivered: ({ configuration }) => delivered(current.value, base, configuration, at),
        RetryAt: ({ at: next, reason }) =>
          Effect.as(
            repo.update({
              ...current.value,
              lease_until: null,
              delivery: new Delivery({ ...base, status: "retrying", next_attempt_at: next, last_error: reason })
            }),
            "retrying" as const
          ),
        Dead: ({ reason }) => dead(current.value, base, reason)
      })
    }))

  /** Sends one claimed delivery and records the outcome. */
  const sendOne = (claimed: StoredDelivery): Effect.Effect<Result, never> =>
    Effect.gen(function* () {
      const outcome = yield* attempt(claimed)
      const at = yield* now
      const decision = "gone" in outcome
        ? Decision.Dead({ reason: outcome.gone })
        : yield* decide(policy, claimed.delivery.attempts + 1, outcome, at)
      return yield* record(claimed, outcome, decision, at)
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

  return { runUntil, runOnce }
}
