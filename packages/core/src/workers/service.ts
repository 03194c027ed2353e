import * as Deferred from "effect/Deferred"
import { Dunning } from "../collection/dunning.js"
import { Collector } from "../collection/collector.js"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Billing } from "../billing/service.js"
import { Deliveries } from "../deliveries/service.js"
import { Subscriptions } from "../subscriptions/service.js"

/**
 * The background work of a Provisio process, as one layer: the scheduler (renewals, expiries,
 * cancellations at period end, then the billing drafts whose grace period has ended), the
 * collector (automatic charges through the payment gateways) and the delivery workers
 * (provisioning calls and webhooks). `provisio serve` and `provisio worker`
 * provide it, and so does a host that embeds Provisio. Each loop claims its work in the
 * database (`FOR UPDATE SKIP LOCKED`, leases), so any number of processes may run it at once.
 */

/** How often the scheduler looks for due work. */
export const SCHEDULER_INTERVAL = Duration.seconds(30)
/**
 * How long an idle delivery worker waits before looking again when nothing wakes it: new events
 * and deliveries wake it at once (deliveries/signals.ts); this catches retries coming due.
 */
export const DELIVERY_INTERVAL = Duration.seconds(1)

/** How often the collector looks for automatic charges coming due (finalization and failed charges queue them). */
export const COLLECTOR_INTERVAL = Duration.seconds(30)

/** How long a stop waits for the turns at work to end before it interrupts them. */
export const STOP_TIMEOUT = Duration.seconds(15)

export interface WorkersOptions {
  /** The scheduler's interval; `false` leaves the scheduler to other processes. */
  readonly scheduler?: Duration.DurationInput | false
  /** The delivery workers' idle wait; `false` leaves deliveries to other processes. */
  readonly deliveries?: Duration.DurationInput | false
  /** The collector's interval (automatic charges); `false` leaves them to other processes. */
  readonly collector?: Duration.DurationInput | false
  /** How long a stop waits for the turns at work (`STOP_TIMEOUT` by default). */
  readonly stopTimeout?: Duration.DurationInput
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

/** Invoices gone overdue and the dunning stages they lead to: collection's part of a scheduler run. */
export const dunning = Effect.gen(function* () {
  const run = yield* (yield* Dunning).runDue
  if (run.overdue + run.stage_changes > 0) yield* Effect.logInfo("dunning", run)
  return run
})

/** Automatic charges due, through the payment gateways: the collector's run (collection/collector.ts). */
export const collections = Effect.gen(function* () {
  const run = yield* (yield* Collector).collectDue()
  if (run.claimed > 0) yield* Effect.logInfo("collector", run)
  return run
})

/**
 * One turn of the delivery workers: dispatch new events and send everything due, until nothing
 * is due or in flight (a host that drives the engine itself; `Workers.layer` serves instead).
 */
export const deliveryTurn = (stopping: Effect.Effect<boolean> = Effect.succeed(false)) =>
  Effect.gen(function* () {
    const run = yield* (yield* Deliveries).runUntil(stopping)
    if (run.sent > 0 || run.created > 0) yield* Effect.logInfo("deliveries", run)
    return run
  })

/**
 * The delivery workers: dispatch new events and send what is due as it comes, until `stop` is
 * done (then the calls in flight finish and are recorded, and nothing more is claimed).
 */
export const deliveryWorker = (stop: Deferred.Deferred<void>, idle: Duration.DurationInput) =>
  Effect.gen(function* () {
    const run = yield* (yield* Deliveries).serve(stop, idle)
    yield* Effect.logInfo("deliveries", run)
  })

/** `turn`, a failure logged rather than ending the loop: the next turn tries again. */
const logFailure = <A, E, R>(name: string, turn: Effect.Effect<A, E, R>) =>
  Effect.asVoid(turn).pipe(Effect.catchAllCause((cause) => Effect.logError(`${name} run failed`, cause)))

/** A scheduler run: the subscriptions' part, then billing's, then dunning, each failing on its own. */
export const schedulerTurn = Effect.zipRight(
  Effect.zipRight(logFailure("scheduler", renewals), logFailure("billing finalization", finalizations)),
  logFailure("dunning", dunning)
)

/** `turn` now and again `interval` after each end, until `stop` is done. */
const loop = <R>(turn: Effect.Effect<void, never, R>, interval: Duration.DurationInput, stop: Deferred.Deferred<void>) =>
  Effect.gen(function* () {
    while (!(yield* Deferred.isDone(stop))) {
      yield* turn
      yield* Effect.raceFirst(Effect.sleep(interval), Deferred.await(stop))
    }
  })

/**
 * The loops as fibers of the layer's scope. When the scope closes (the process is told to stop)
 * they are asked to stop: a scheduler turn at work ends; a delivery turn sends the batch it
 * claimed (each call bounded by its time-out) and claims no more. What is still at work after
 * `stopTimeout` is interrupted: a delivery turn then gives the claimed deliveries it had not
 * started back, and a scheduler turn's open transaction rolls back; another process (or the
 * next start) takes the work up.
 */
export const layer = (options: WorkersOptions = {}) =>
  Layer.scopedDiscard(Effect.gen(function* () {
    const scheduler = options.scheduler ?? SCHEDULER_INTERVAL
    const deliveries = options.deliveries ?? DELIVERY_INTERVAL
    const collector = options.collector ?? COLLECTOR_INTERVAL
    const stop = yield* Deferred.make<void>()
    const fibers = [
      ...(scheduler === false ? [] : [yield* Effect.forkScoped(loop(schedulerTurn, scheduler, stop))]),
      ...(collector === false ? [] : [yield* Effect.forkScoped(loop(logFailure("collector", collections), collector, stop))]),
      ...(deliveries === false
        ? []
        : [yield* Effect.forkScoped(loop(logFailure("delivery", deliveryWorker(stop, deliveries)), deliveries, stop))])
    ]
    // Runs before the fibers' own finalizers interrupt them (finalizers run last added, first).
    // A finalizer is uninterruptible: the wait is made interruptible, or the time-out could not end it.
    yield* Effect.addFinalizer(() =>
      Deferred.succeed(stop, undefined).pipe(
        Effect.zipRight(Effect.interruptible(
          Effect.forEach(fibers, (fiber) => fiber.await, { concurrency: "unbounded", discard: true })
        )),
        Effect.timeout(options.stopTimeout ?? STOP_TIMEOUT),
        Effect.ignore
      )
    )
  }))

export const Workers = { layer } as const
