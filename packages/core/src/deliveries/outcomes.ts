import type * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { EventLog } from "../events/ports.js"
import { newEvent } from "../events/service.js"
import { type PushOutcome, PushTransportError } from "../provisioning/push.js"
import { Decision } from "../provisioning/retry.js"
import type { Transactor } from "../shared/transactor.js"
import type { Subscriptions } from "../subscriptions/service.js"
import { circuitChanges, type CircuitPolicy } from "./circuit.js"
import { type ClaimedDelivery, Delivery, DeliveryAttempt, type RecordedOutcome } from "./model.js"
import type { DeliveryRepo } from "./ports.js"
import { activationOf } from "./routing.js"

/**
 * Recording what the calls did, a batch at a time: every attempt and its outcome in one
 * statement, the circuits of the targets that failed, then the follow-ups of the few outcomes
 * that have one (a configuration to keep, a quantity decrease to complete or fail, a dead
 * delivery's `delivery.failed` event), all in one transaction.
 */

/** A call could not be made at all (its target or webhook is gone or disabled). */
export interface Gone {
  readonly gone: string
}

export type Outcome = PushOutcome | Gone

/** A claimed delivery once its call has been made, ready to record. */
export interface Finished {
  readonly claimed: ClaimedDelivery
  readonly outcome: Outcome
  readonly decision: Decision
  readonly at: DateTime.Utc
  /** The target may have failures counted (circuit.ts). */
  readonly mayHaveFailures: boolean
}

export type Result = "delivered" | "retrying" | "dead" | "skipped"

const encodeDelivery = Schema.encode(Delivery)

const isGone = (outcome: Outcome): outcome is Gone => "gone" in outcome

/** No answer, or one a healthy provider does not give: what counts toward opening a circuit. */
export const isFailure = (outcome: Outcome): boolean =>
  !isGone(outcome) &&
  (outcome instanceof PushTransportError || outcome.status === 408 || outcome.status === 429 || outcome.status >= 500)

/** The attempt as the log keeps it: its answer's status and first KB, or the error. */
export const attemptRecord = (number: number, outcome: Outcome, decision: Decision, at: DateTime.Utc) =>
  // Built from checked values on the hot path: not validated again.
  new DeliveryAttempt({
    number,
    status_code: isGone(outcome) || outcome instanceof PushTransportError ? null : outcome.status,
    latency_ms: isGone(outcome) ? 0 : Math.round(outcome.latency_ms),
    response_excerpt: isGone(outcome) || outcome instanceof PushTransportError ? null : outcome.body_excerpt,
    error: isGone(outcome)
      ? outcome.gone
      : outcome instanceof PushTransportError
      ? `${outcome.kind}: ${outcome.message}`
      : Decision.$is("Delivered")(decision)
      ? null
      : `answered ${outcome.status}`,
    at
  }, true)

/** The row a batch writes for one finished call. */
export const recordedOutcome = ({ at, claimed, decision, outcome }: Finished): RecordedOutcome => {
  const attempt = attemptRecord(claimed.attempts + 1, outcome, decision, at)
  return Decision.$match(decision, {
    Delivered: () => ({ id: claimed.id, attempt, status: "delivered" as const, next_attempt_at: null, last_error: null }),
    RetryAt: ({ at: next, reason }) => ({ id: claimed.id, attempt, status: "retrying" as const, next_attempt_at: next, last_error: reason }),
    Dead: ({ reason }) => ({ id: claimed.id, attempt, status: "dead" as const, next_attempt_at: null, last_error: reason })
  })
}

export interface RecorderDeps {
  readonly repo: Context.Tag.Service<typeof DeliveryRepo>
  readonly subscriptions: Context.Tag.Service<typeof Subscriptions>
  readonly log: Context.Tag.Service<typeof EventLog>
  readonly transactor: Context.Tag.Service<typeof Transactor>
  readonly circuit: CircuitPolicy
}

export const makeRecorder = ({ circuit, log, repo, subscriptions, transactor }: RecorderDeps) => {
  /** Delivered: the provider's configuration kept, a quantity decrease it acknowledged completed. */
  const delivered = (claimed: ClaimedDelivery, configuration: Record<string, unknown> | null, at: DateTime.Utc) =>
    Effect.gen(function* () {
      if (
        configuration !== null && claimed.subscription_id !== null && claimed.kind === "provisioning" &&
        activationOf(claimed.event_type) === null
      ) {
        yield* repo.saveConfiguration(claimed.subscription_id, configuration, claimed.id, at)
      }
      if (claimed.quantity_request_id !== null && claimed.subscription_id !== null) {
        yield* subscriptions.completeQuantityRequest(claimed.subscription_id, claimed.quantity_request_id).pipe(
          Effect.catchTag("NotFound", () => Effect.void)
        )
      }
    })

  /** Dead: `delivery.failed` raised (as the delivery now stands), a quantity decrease waiting on it failed. */
  const dead = (claimed: ClaimedDelivery, reason: string) =>
    Effect.gen(function* () {
      const stored = yield* repo.findById(claimed.id)
      if (Option.isSome(stored)) {
        const encoded = yield* Effect.orDie(encodeDelivery(stored.value.delivery))
        yield* log.append([
          yield* newEvent("delivery.failed", { customer_id: claimed.customer_id, lineage: claimed.lineage }, { delivery: encoded })
        ])
      }
      if (claimed.quantity_request_id !== null && claimed.subscription_id !== null) {
        yield* subscriptions.failQuantityRequest(
          claimed.subscription_id,
          claimed.quantity_request_id,
          `the provider did not acknowledge the change: ${reason}`
        ).pipe(Effect.catchTag("NotFound", () => Effect.void))
      }
    })

  /** Records a batch in one transaction; answers each call's result, in the batch's order. */
  const record = (batch: ReadonlyArray<Finished>) =>
    transactor.withTransaction(Effect.gen(function* () {
      const rows = batch.map(recordedOutcome)
      const recorded = new Set(yield* repo.recordOutcomes(rows))
      const changes = circuitChanges(batch.map((finished, i) => {
        const failed = isFailure(finished.outcome)
        return {
          target: finished.claimed.target,
          kind: finished.claimed.kind,
          failed,
          error: failed ? rows[i]!.attempt.error : null,
          mayHaveFailures: finished.mayHaveFailures
        }
      }))
      if (changes.length > 0) yield* repo.updateCircuits(changes, batch[batch.length - 1]!.at, circuit)
      const results: Array<Result> = []
      for (const finished of batch) {
        if (!recorded.has(finished.claimed.id)) {
          results.push("skipped")
          continue
        }
        results.push(
          yield* Decision.$match(finished.decision, {
            Delivered: ({ configuration }) => Effect.as(delivered(finished.claimed, configuration, finished.at), "delivered" as const),
            RetryAt: () => Effect.succeed("retrying" as const),
            Dead: ({ reason }) => Effect.as(dead(finished.claimed, reason), "dead" as const)
          })
        )
      }
      return results
    }))

  return { record }
}
