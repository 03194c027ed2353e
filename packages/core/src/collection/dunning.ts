import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { EventLog } from "../events/ports.js"
import { newEvent } from "../events/service.js"
import { Invoice } from "../invoices/model.js"
import { InvoiceRepo } from "../invoices/ports.js"
import type { PersistenceError } from "../shared/errors.js"
import { now } from "../shared/time.js"
import { Transactor } from "../shared/transactor.js"
import { makeStageChanges } from "./dunning-changes.js"
import { planStage, rulesFor } from "./dunning-plan.js"
import { DunningPolicyRepo, DunningRepo } from "./ports.js"

/** Invoices marked overdue, and customers looked at, per transaction. */
export const DUNNING_BATCH = 200

/** A run stops after this many batches, so a bug that leaves work behind cannot spin forever. */
const MAX_BATCHES = 1_000

export interface DunningRun {
  readonly overdue: number
  readonly stage_changes: number
  readonly suspended: number
  readonly resumed: number
  readonly terminated: number
}

const encodeInvoice = Schema.encode(Invoice)

/**
 * Dunning, one scheduler turn: invoices that passed their due date raise `invoice.overdue`; each
 * customer with overdue invoices moves to the stage its policy sets for its days past due
 * (`customer.dunning_stage_changed`); `suspend` suspends its active subscriptions (each pushed to
 * the provider as an `UPDATE` with `status: suspended`), `terminate` cancels them (a `DELETE`);
 * once nothing is overdue the stage is left and suspended subscriptions resume (`UPDATE` with
 * `status: active`). Every step is one transaction over locked rows (`skip locked`), so repeated
 * turns and two schedulers change each thing once.
 */
export const make = Effect.gen(function* () {
  const repo = yield* DunningRepo
  const policies = yield* DunningPolicyRepo
  const invoices = yield* InvoiceRepo
  const log = yield* EventLog
  const transactor = yield* Transactor
  const stageChanges = yield* makeStageChanges

  const markOverdue = Effect.gen(function* () {
    let total = 0
    for (let batch = 0; batch < MAX_BATCHES; batch++) {
      const marked = yield* transactor.withTransaction(Effect.gen(function* () {
        const found = yield* invoices.markOverdue(yield* now, DUNNING_BATCH)
        const events = yield* Effect.forEach(found, (stored) =>
          Effect.flatMap(Effect.orDie(encodeInvoice(stored.invoice)), (invoice) =>
            newEvent("invoice.overdue", { customer_id: stored.invoice.customer_id, lineage: stored.lineage }, { invoice })))
        yield* log.append(events)
        return found.length
      }))
      total += marked
      if (marked < DUNNING_BATCH) break
    }
    return total
  })

  /** Stages of the customers with something overdue or a stage to leave, a batch per transaction. */
  const moveStages = Effect.gen(function* () {
    const totals = { stage_changes: 0, suspended: 0, resumed: 0, terminated: 0 }
    let after: string | null = null
    for (let batch = 0; batch < MAX_BATCHES; batch++) {
      const step: { readonly looked: number; readonly last: string | null } = yield* transactor.withTransaction(
        Effect.gen(function* () {
          const at = yield* now
          const candidates = yield* repo.lockCandidates(at, after, DUNNING_BATCH)
          const found = yield* policies.among(candidates.flatMap((c) => c.lineage))
          const byAccount = new Map(found.map((policy) => [policy.account_id, policy]))
          const changes = candidates.flatMap((candidate) => {
            const change = planStage(candidate, rulesFor(candidate.lineage, byAccount))
            return change === null ? [] : [change]
          })
          const applied = yield* stageChanges.apply(changes)
          totals.stage_changes += changes.length
          totals.suspended += applied.suspended
          totals.resumed += applied.resumed
          totals.terminated += applied.terminated
          return { looked: candidates.length, last: candidates.at(-1)?.customer_id ?? null }
        })
      )
      if (step.looked < DUNNING_BATCH || step.last === null) break
      after = step.last
    }
    return totals
  })

  /** One turn: overdue invoices first, then the stages they lead to. */
  const runDue: Effect.Effect<DunningRun, PersistenceError> = Effect.gen(function* () {
    const overdue = yield* markOverdue
    const moved = yield* moveStages
    return { overdue, ...moved }
  }).pipe(Effect.withSpan("Dunning.runDue"))

  return { runDue } as const
})

export class Dunning extends Context.Tag("@provisio/core/Dunning")<Dunning, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(Dunning, make)
}
