import * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import * as FiberSet from "effect/FiberSet"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import type { EventLog } from "../events/ports.js"
import type { EmailMessage } from "../notifications/model.js"
import type { MailSender } from "../notifications/ports.js"
import type { ProvisioningTargetRepo, PushSender } from "../provisioning/ports.js"
import { Decision, decide, type RetryPolicy } from "../provisioning/retry.js"
import { activeSecrets } from "../provisioning/secrets.js"
import type { PersistenceError } from "../shared/errors.js"
import { now } from "../shared/time.js"
import type { Transactor } from "../shared/transactor.js"
import type { Subscriptions } from "../subscriptions/service.js"
import type { WebhookRepo } from "../webhooks/ports.js"
import { type CircuitPolicy, DEFAULT_CIRCUIT_POLICY } from "./circuit.js"
import {
  CLAIM_BATCH,
  DEFAULT_LIMITS,
  DISPATCH_BATCH,
  type EngineLimits,
  LEASE_MARGIN_MILLIS,
  MAX_ROUNDS,
  MIN_CLAIM,
  RECORD_BATCH,
  SECRETS_TTL_MILLIS
} from "./limits.js"
import type { ClaimedDelivery, DeliveryRun } from "./model.js"
import { type Finished, makeRecorder, type Outcome, type Result } from "./outcomes.js"
import type { DeliveryRepo, DeliverySigner } from "./ports.js"
import type { DeliverySignals } from "./signals.js"

/**
 * The send worker, a pump rather than rounds: it keeps up to `inFlight` calls going, claiming
 * (one statement) as soon as enough of them finish, never waiting for the slowest of a batch.
 * Each finished call goes to a recorder that writes whatever has finished meanwhile in one
 * transaction; a recorded success may make the next call of its ordering key due, and the pump
 * looks again. Idle, it sleeps until the database says events or deliveries arrived
 * (signals.ts), or its idle interval passes.
 */

export interface WorkerDeps {
  readonly repo: Context.Tag.Service<typeof DeliveryRepo>
  readonly targets: Context.Tag.Service<typeof ProvisioningTargetRepo>
  readonly webhooks: Context.Tag.Service<typeof WebhookRepo>
  readonly subscriptions: Context.Tag.Service<typeof Subscriptions>
  readonly sender: Context.Tag.Service<typeof PushSender>
  readonly signer: Context.Tag.Service<typeof DeliverySigner>
  readonly mail: Context.Tag.Service<typeof MailSender>
  readonly log: Context.Tag.Service<typeof EventLog>
  readonly transactor: Context.Tag.Service<typeof Transactor>
  readonly signals: Context.Tag.Service<typeof DeliverySignals>
  readonly policy: RetryPolicy
  readonly limits?: EngineLimits
  readonly circuit?: CircuitPolicy
  /** Turns up to `DISPATCH_BATCH` undispatched events into deliveries (dispatcher.ts). */
  readonly dispatchBatch: Effect.Effect<{ readonly events: number; readonly created: number }, unknown>
}

interface PumpMode {
  /** Return once nothing is due and nothing is in flight (`runOnce`), or keep serving. */
  readonly untilIdle: boolean
  /** Asked before each claim: a stopping pump claims no more and returns once its calls are recorded. */
  readonly stopping: Effect.Effect<boolean>
  /** Completes when the pump is told to stop, so an idle one wakes for it. */
  readonly stopped: Effect.Effect<void>
  /** How long an idle pump waits for a wake-up before it looks anyway. */
  readonly idle: Duration.Duration
}

/**
 * Lets the event loop handle the I/O that is ready (answers arrived, sockets to read) before
 * going on. Real scheduling, not time: a timer of 0, so a test's clock does not hold it.
 */
const yieldToIo = Effect.async<void>((resume) => {
  const timer = setTimeout(() => resume(Effect.void), 0)
  return Effect.sync(() => clearTimeout(timer))
})

/** A claimed delivery that could not be sent or recorded for an unexpected reason: its lease is given up. */
interface Abandoned {
  readonly abandoned: ClaimedDelivery
}

export const makeWorker = (deps: WorkerDeps) => {
  const { dispatchBatch, mail, policy, repo, sender, signals, signer, targets, webhooks } = deps
  const limits = deps.limits ?? DEFAULT_LIMITS
  const circuit = deps.circuit ?? DEFAULT_CIRCUIT_POLICY
  const { record } = makeRecorder({ ...deps, circuit })

  /**
   * The secrets that sign a target's or webhook's calls now; none when it is gone or disabled.
   * Read once a second per target, however many of its calls start meanwhile: concurrent calls
   * share the one read in progress.
   */
  const makeSecrets = () => {
    type Secrets = Option.Option<ReadonlyArray<string>>
    interface Entry {
      readonly until: number
      readonly read: Deferred.Deferred<Secrets, PersistenceError>
      /** Set once the read is done: the common case answers without waiting on anything. */
      value?: Secrets
    }
    const cache = new Map<string, Entry>()
    return (claimed: ClaimedDelivery): Effect.Effect<Secrets, PersistenceError> =>
      Effect.clockWith((clock) => {
        const millis = clock.unsafeCurrentTimeMillis()
        const key = `${claimed.kind}:${claimed.target}`
        const cached = cache.get(key)
        if (cached !== undefined && cached.until > millis) {
          return cached.value !== undefined ? Effect.succeed(cached.value) : Deferred.await(cached.read)
        }
        const at = DateTime.unsafeMake(millis)
        const entry: Entry = { until: millis + SECRETS_TTL_MILLIS, read: Deferred.unsafeMake(FiberId.none) }
        cache.set(key, entry)
        const read: Effect.Effect<Secrets, PersistenceError> = claimed.kind === "provisioning"
          ? Effect.map(targets.find(claimed.target), Option.map((t) => activeSecrets(t.keys, at)))
          : Effect.map(
            webhooks.findById(claimed.target),
            Option.flatMap((w) => (w.enabled ? Option.some(activeSecrets(w.keys, at)) : Option.none()))
          )
        return read.pipe(
          Effect.tap((value) => Effect.sync(() => (entry.value = value))),
          Effect.onError(() => Effect.sync(() => cache.delete(key))),
          (reading) => Deferred.complete(entry.read, reading),
          Effect.zipRight(Deferred.await(entry.read))
        )
      })
  }

  /** An email handed to the mail server; gone when none is configured any more. */
  const sendEmail = (claimed: ClaimedDelivery): Effect.Effect<Outcome> =>
    mail.enabled
      ? mail.send(JSON.parse(claimed.body) as EmailMessage, claimed.timeout_ms)
      : Effect.succeed({ gone: "no mail server is configured (PROVISIO_SMTP_URL)" })

  /** The call made (signed with the target's or webhook's secrets), or why it cannot be. */
  const attempt = (claimed: ClaimedDelivery, secretsOf: ReturnType<typeof makeSecrets>) =>
    claimed.kind === "email" ? sendEmail(claimed) : Effect.flatMap(secretsOf(claimed), (secrets): Effect.Effect<Outcome> =>
      Option.isNone(secrets)
        ? Effect.succeed({
          gone: claimed.kind === "provisioning" ? "the product has no provisioning target" : "the webhook is gone or disabled"
        })
        : Effect.flatMap(
          signer.sign({
            method: claimed.method as "POST" | "PUT" | "DELETE",
            url: claimed.url,
            timeout_ms: claimed.timeout_ms,
            id: claimed.event_id,
            body: claimed.body,
            secrets: secrets.value
          }),
          (request) => Effect.merge(sender.send(request))
        ))

  /**
   * Sends one claimed delivery and says what the retry policy makes of the outcome. A few steps
   * only: thousands run a second.
   */
  const sendOne = (
    claimed: ClaimedDelivery,
    secretsOf: ReturnType<typeof makeSecrets>,
    mayHaveFailures: boolean
  ): Effect.Effect<Finished | Abandoned> =>
    attempt(claimed, secretsOf).pipe(
      Effect.flatMap((outcome) =>
        Effect.clockWith((clock) => {
          const at = DateTime.unsafeMake(clock.unsafeCurrentTimeMillis())
          const decision = "gone" in outcome
            ? Effect.succeed(Decision.Dead({ reason: outcome.gone }))
            : decide(policy, claimed.attempts + 1, outcome, at)
          return Effect.map(decision, (decision): Finished => ({ claimed, outcome, decision, at, mayHaveFailures }))
        })
      ),
      Effect.catchAllCause((cause) =>
        Cause.isInterruptedOnly(cause)
          ? Effect.failCause(cause)
          : Effect.as(Effect.logWarning("delivery could not be sent", cause), { abandoned: claimed })
      ),
      Effect.orDie
    )

  const pump = (mode: PumpMode) =>
    Effect.scoped(Effect.gen(function* () {
      const run = { dispatched_events: 0, created: 0, sent: 0, delivered: 0, retrying: 0, dead: 0 }
      const secretsOf = makeSecrets()
      // Claimed and not yet recorded, in all and per target; their leases are given back if the pump is interrupted.
      const unrecorded = new Map<string, ClaimedDelivery>()
      const perTarget = new Map<string, number>()
      // Targets this pump saw fail: a later success must reset their count.
      const failing = new Set<string>()
      let recordings = 0
      let settledSinceClaim = 0
      // Work that may be there: events to dispatch (at start, on a notice, after a delivery died),
      // deliveries to claim (dispatched, replayed, or noticed).
      let eventsWaiting = true
      let deliveriesWaiting = true
      const finished = yield* Queue.unbounded<Finished | Abandoned>()
      const bell = yield* Queue.sliding<void>(1)
      const ring = Queue.offer(bell, undefined)

      const settle = (claimed: ClaimedDelivery) => {
        unrecorded.delete(claimed.id)
        const left = (perTarget.get(claimed.target) ?? 1) - 1
        if (left <= 0) perTarget.delete(claimed.target)
        else perTarget.set(claimed.target, left)
      }

      const tally = (results: ReadonlyArray<Result>) => {
        for (const result of results) {
          if (result === "skipped") continue
          run.sent++
          run[result]++
        }
      }

      // The recorder: whatever has finished since its last write, in one transaction. Once one
      // call has finished it lets pending I/O in first (the other answers that have arrived), so
      // a write carries every outcome at hand rather than the first alone.
      const recordFinished = Effect.gen(function* () {
        const first = yield* Queue.take(finished)
        if (unrecorded.size > 1) yield* yieldToIo
        const batch = [first, ...(yield* Queue.takeUpTo(finished, RECORD_BATCH - 1))]
        const sent: Array<Finished> = []
        const abandoned: Array<string> = []
        for (const item of batch) {
          if ("abandoned" in item) abandoned.push(item.abandoned.id)
          else sent.push(item)
        }
        if (sent.length > 0) {
          const results: ReadonlyArray<Result> = yield* record(sent).pipe(
            Effect.catchAllCause((cause) =>
              Effect.as(
                Effect.logWarning("delivery outcomes could not be recorded; their leases will run out", cause),
                []
              )
            )
          )
          tally(results)
          if (results.includes("dead")) eventsWaiting = true
          for (const item of sent) {
            if ("gone" in item.outcome) continue
            if (item.decision._tag === "Delivered") failing.delete(item.claimed.target)
            else failing.add(item.claimed.target)
          }
        }
        if (abandoned.length > 0) yield* Effect.ignore(repo.release(abandoned))
        for (const item of batch) settle("abandoned" in item ? item.abandoned : item.claimed)
        settledSinceClaim += batch.length
        recordings++
        yield* ring
      })
      // Two recorders: one batch commits while the next is written.
      yield* Effect.forkScoped(Effect.forever(recordFinished))
      yield* Effect.forkScoped(Effect.forever(recordFinished))

      yield* Effect.forkScoped(Effect.zipRight(mode.stopped, ring))
      if (!mode.untilIdle && signals.listening) {
        yield* Effect.forkScoped(Stream.runForEach(signals.notices, (notice) => {
          if (notice === "events") eventsWaiting = true
          else deliveriesWaiting = true
          return ring
        }))
      }

      const sends = yield* FiberSet.make<void>()
      const claim = (limit: number) =>
        Effect.flatMap(now, (at) =>
          repo.claimDue({
            now: at,
            limit,
            leaseMarginMillis: LEASE_MARGIN_MILLIS,
            inFlight: perTarget,
            perTarget: limits.perTarget,
            failureThreshold: circuit.threshold
          }))

      // Whether a claim is worth its statement: after a claim that found less than it asked for,
      // the next waits until a quarter of the calls then in flight (at most MIN_CLAIM) were
      // recorded, or work arrived; each record would otherwise cost a claim of one.
      let lastClaimFull = true
      let inFlightAtClaim = 0
      const worthClaiming = () =>
        lastClaimFull || deliveriesWaiting || unrecorded.size === 0 ||
        settledSinceClaim >= Math.max(1, Math.min(MIN_CLAIM, Math.ceil(inFlightAtClaim / 4)))

      const dispatchEvents = Effect.gen(function* () {
        eventsWaiting = false
        const dispatched = yield* dispatchBatch
        if (dispatched.events >= DISPATCH_BATCH) eventsWaiting = true
        run.dispatched_events += dispatched.events
        run.created += dispatched.created
        if (dispatched.created > 0) deliveriesWaiting = true
        return dispatched.events > 0
      })

      // The dispatcher runs beside the pump, a batch at a time: calls go out (and claims go on)
      // while a long outbox is turned into deliveries.
      let dispatching = false
      const dispatchBeside = Effect.suspend(() => {
        dispatching = true
        return dispatchEvents.pipe(
          Effect.catchAllCause((cause) => Effect.logWarning("events could not be dispatched", cause)),
          Effect.ensuring(Effect.zipRight(Effect.sync(() => (dispatching = false)), ring)),
          Effect.forkScoped
        )
      })

      const body = Effect.gen(function* () {
        for (let round = 0; !mode.untilIdle || round < MAX_ROUNDS; round++) {
          const stopping = yield* mode.stopping
          const before = recordings
          let progressed = false
          if (!stopping) {
            if (eventsWaiting && !dispatching) yield* dispatchBeside
            const free = limits.inFlight - unrecorded.size
            const wanted = free >= Math.min(MIN_CLAIM, limits.inFlight) && worthClaiming() ? Math.min(free, CLAIM_BATCH) : 0
            if (wanted > 0) {
              deliveriesWaiting = false
              settledSinceClaim = 0
              const claimed = yield* claim(wanted)
              for (const delivery of claimed) {
                unrecorded.set(delivery.id, delivery)
                perTarget.set(delivery.target, (perTarget.get(delivery.target) ?? 0) + 1)
                const mayHaveFailures = delivery.target_failures > 0 || failing.has(delivery.target)
                yield* FiberSet.run(
                  sends,
                  Effect.flatMap(sendOne(delivery, secretsOf, mayHaveFailures), (done) => Queue.offer(finished, done))
                )
              }
              lastClaimFull = claimed.length === wanted
              inFlightAtClaim = unrecorded.size
              // A full claim may leave more due.
              progressed ||= lastClaimFull
            }
          }
          if (progressed) continue
          if ((mode.untilIdle || stopping) && unrecorded.size === 0 && !dispatching) {
            // Nothing in flight. Done, unless a recording landed while this round looked (it may
            // have made a head due) or events arrived meanwhile.
            if (recordings !== before || (eventsWaiting && !stopping)) continue
            if (!stopping && (yield* dispatchEvents)) continue
            break
          }
          const woken = yield* Queue.take(bell).pipe(
            mode.untilIdle || stopping ? Effect.asSome : Effect.timeoutOption(mode.idle)
          )
          // Without wake-ups from the database, an idle interval is when new events are looked for.
          if (Option.isNone(woken) && !signals.listening) eventsWaiting = true
          if (Option.isNone(woken)) deliveriesWaiting = true
        }
        return run satisfies DeliveryRun
      })

      // Interrupted, or failed (the database went away mid-turn): the calls claimed and not
      // recorded are given back at once rather than left to their leases.
      return yield* body.pipe(
        Effect.ensuring(Effect.suspend(() =>
          unrecorded.size === 0 ? Effect.void : Effect.ignore(repo.release([...unrecorded.keys()]))
        ))
      )
    }))

  /**
   * Dispatches the undispatched events, then sends every delivery due, heads of their ordering
   * keys first, until nothing is due or in flight (what tests and `--once` runs use). `stopping`
   * is asked before each claim: once it says yes, the calls in flight finish (each bounded by its
   * time-out) and are recorded, and nothing more is claimed. Interrupted outright (or failing), the pump gives
   * back the leases of every claimed call not yet recorded rather than leaving them to run out.
   */
  const runUntil = (stopping: Effect.Effect<boolean>) =>
    pump({ untilIdle: true, stopping, stopped: Effect.never, idle: Duration.zero }).pipe(Effect.withSpan("Deliveries.run"))

  /** A whole turn of a worker: everything due now. */
  const runOnce = runUntil(Effect.succeed(false))

  /**
   * Serves until `stop` is done: sends as deliveries become due and sleeps in between until a
   * wake-up (or `idle` passes, for retries coming due and workers without wake-ups). Then the
   * calls in flight finish (each bounded by its time-out) and are recorded, and it returns.
   */
  const serve = (stop: Deferred.Deferred<void>, idle: Duration.DurationInput) =>
    pump({ untilIdle: false, stopping: Deferred.isDone(stop), stopped: Deferred.await(stop), idle: Duration.decode(idle) })

  return { runUntil, runOnce, serve }
}
