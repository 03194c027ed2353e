import * as Effect from "effect/Effect"
import type { StoredEvent } from "../events/model.js"
import { EventLog } from "../events/ports.js"
import { newEvent } from "../events/service.js"
import { now } from "../shared/time.js"
import { subscriptionEvent } from "../subscriptions/events.js"
import { SubscriptionRepo } from "../subscriptions/ports.js"
import { planStage, type StageChange, subscriptionEffect } from "./dunning-plan.js"
import { DunningRepo } from "./ports.js"
import { effectiveRules } from "./policy.js"
import * as Option from "effect/Option"

/**
 * Writing dunning's decisions, in the caller's transaction: the customers' new stages, what they
 * do to their subscriptions (set-based: suspend, cancel, resume), and every event
 * (`customer.dunning_stage_changed`, `subscription.suspended|cancelled|resumed`). The scheduler's
 * turn (dunning.ts) and a payment that settles a customer (`leaveIfSettled`) both write through it.
 */
export const makeStageChanges = Effect.gen(function* () {
  const repo = yield* DunningRepo
  const subscriptions = yield* SubscriptionRepo
  const log = yield* EventLog

  const stageEvent = (change: StageChange) =>
    newEvent("customer.dunning_stage_changed", { customer_id: change.customer_id, lineage: change.lineage }, {
      customer_id: change.customer_id,
      from: change.from,
      to: change.to,
      days_past_due: change.days_past_due,
      notify: change.notify
    })

  const apply = (changes: ReadonlyArray<StageChange>) =>
    Effect.gen(function* () {
      const at = yield* now
      yield* repo.setStages(changes, at)
      const byEffect = (effect: ReturnType<typeof subscriptionEffect>) =>
        changes.filter((change) => subscriptionEffect(change) === effect).map((change) => change.customer_id)
      const suspended = yield* subscriptions.setStatusOfCustomers(byEffect("suspend"), ["active"], "suspended", at)
      const terminated = yield* subscriptions.setStatusOfCustomers(
        byEffect("terminate"),
        ["pending", "active", "suspended"],
        "cancelled",
        at
      )
      const resumed = yield* subscriptions.setStatusOfCustomers(byEffect("resume"), ["suspended"], "active", at)
      const reason = { reason: "dunning" }
      const events: Array<StoredEvent> = [
        ...(yield* Effect.forEach(changes, stageEvent)),
        ...(yield* Effect.forEach(suspended, (s) => subscriptionEvent("subscription.suspended", s, reason))),
        ...(yield* Effect.forEach(terminated, (s) => subscriptionEvent("subscription.cancelled", s, { when: "immediately", ...reason }))),
        ...(yield* Effect.forEach(resumed, (s) => subscriptionEvent("subscription.resumed", s, reason)))
      ]
      yield* log.append(events)
      return { suspended: suspended.length, resumed: resumed.length, terminated: terminated.length }
    })

  /**
   * Once a payment leaves a customer nothing overdue, it leaves dunning at once (its suspended
   * subscriptions resume) rather than at the scheduler's next turn. A customer another
   * transaction holds is left to that one (or the next turn). Only leaving happens here: stages
   * are escalated by the scheduler alone.
   */
  const leaveIfSettled = (customerId: string) =>
    Effect.gen(function* () {
      const candidates = yield* repo.lockCandidates(yield* now, null, 1, [customerId])
      const changes = candidates.flatMap((candidate) => {
        if (candidate.days_past_due !== null) return []
        const change = planStage(candidate, effectiveRules(Option.none()))
        return change === null ? [] : [change]
      })
      if (changes.length > 0) yield* apply(changes)
    })

  return { apply, leaveIfSettled }
})
