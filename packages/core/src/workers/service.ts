import { Duration, Effect, Layer, Schedule } from "effect"
import { Billing } from "../billing/service.js"
import { Deliveries } from "../deliveries/service.js"
import { Subscriptions } from "../subscriptions/service.js"

/**
 * The background work of a Provisio process, as one layer: the scheduler (renewals, expiries,
 * cancellations at period end, then the billing drafts whose grace period has ended) and the
 * delivery workers (provisioning calls and webhooks). `provisio serve` and `provisio worker`
 * provide it, and so does a host that embeds Provisio. Each loop claims its work in the
 * database (`FOR UPDATE SKIP LOCKED`, leases), so any number of processes may run it at once.
 */

/** How often the scheduler looks for due work. */
export const SCHEDULER_INTERVAL = Duration.seconds(30)
/** How long an idle delivery worker waits before looking again. */
export const DELIVERY_INTERVAL = Duration.seconds(1)

export interface WorkersOptions {
  /** The scheduler's interval; `false` leaves the scheduler to other processes. */
  readonly scheduler?: Duration.DurationInput | false
  /** The delivery workers' idle wait; `false` leaves deliveries to other processes. */
  readonly deliveries?: Duration.DurationInput | false
}

/** Renewals, expiries and cancellations at period end that are due: the subscriptions' part of a scheduler run. */
export const renewals = Effect.gen(function* () {
  const run = yield* (yield* Subscriptions).runDue()
  if (run.renewed + run.expired + run.cancelled > 0) {
    yield* Effect.logInfo("scheduler", { renewed: run.renewed, expired: run.expired, cancelled: run.cancelled })
  }
  return run
})

/** Billing drafts re-rated or finalized once their grace period has ended: billing's part of a scheduler run. */
export const finalizations = Effect.gen(function* () {
  const done = yield* (yield* Billing).finalizeDue
  if (done.rerated + done.finalized > 0) yield* Effect.logInfo("billing", done)
  return done
})

/** One turn of the delivery workers: dispatch new events, send what is due; logged when it did something. */
export const deliveryTurn = Effect.gen(function* () {
  const run = yield* (yield* Deliveries).runOnce
  if (run.sent > 0 || run.created > 0) yield* Effect.logInfo("deliveries", run)
  return run
})

/** `turn`, a failure logged rather than ending the loop: the next turn tries again. */
const logFailure = <A, E, R>(name: string, turn: Effect.Effect<A, E, R>) =>
  Effect.asVoid(turn).pipe(Effect.catchAllCause((cause) => Effect.logError(`${name} run failed`, cause)))

/** A scheduler run: the subscriptions' part, then billing's, each failing on its own. */
export const schedulerTurn = Effect.zipRight(logFailure("scheduler", renewals), logFailure("billing finalization", finalizations))

/** `turn` now and again `interval` after each end, for ever. */
const loop = <R>(turn: Effect.Effect<void, never, R>, interval: Duration.DurationInput) =>
  Effect.repeat(turn, Schedule.spaced(interval)).pipe(Effect.asVoid)

/**
 * The loops as scoped fibers of the layer: when the layer's scope closes (the process is told to
 * stop), they are interrupted. A delivery turn then finishes the calls in flight and releases the
 * deliveries it claimed and had not started; a scheduler turn's open transaction rolls back, and
 * another process (or the next start) takes the work up.
 */
export const layer = (options: WorkersOptions = {}) =>
  Layer.scopedDiscard(Effect.gen(function* () {
    const scheduler = options.scheduler ?? SCHEDULER_INTERVAL
    const deliveries = options.deliveries ?? DELIVERY_INTERVAL
    if (scheduler !== false) yield* Effect.forkScoped(loop(schedulerTurn, scheduler))
    if (deliveries !== false) yield* Effect.forkScoped(loop(logFailure("delivery", deliveryTurn), deliveries))
  }))

export const Workers = { layer } as const
