import * as Cause from "effect/Cause"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { EventLog } from "../events/ports.js"
import { newEvent } from "../events/service.js"
import type { Principal } from "../identity/model.js"
import { reachableBy, requireAdmin, requireKind } from "../identity/policy.js"
import type { BillingMonth } from "../invoices/model.js"
import { ValidationError } from "../shared/errors.js"
import type { PageRequest } from "../shared/pagination.js"
import { makeId } from "../shared/ids.js"
import { now } from "../shared/time.js"
import { Transactor } from "../shared/transactor.js"
import { issueUpstreamInvoices } from "../channel/upstream.js"
import { billNextChunk } from "./chunk.js"
import { BillingGraceSeconds, BillingWorkers, CHUNK_SIZE } from "./config.js"
import { BillingRun, type BillingRunId, GRACE_PERIOD_LIMIT, GRACE_PERIOD_SHAPE, MAX_GRACE_SECONDS } from "./model.js"
import { BillingRunRepo } from "./ports.js"

/**
 * Billing runs: the queue of a month's chunks of customers, and the executors that bill them.
 * Any number of executors, in one process or several, share a run's chunks.
 */

/** A pending or running run whose heartbeat is younger than this is still at work: a new start answers it. */
export const HEARTBEAT_TIMEOUT = Duration.seconds(60)

const encodeRun = Schema.encode(BillingRun)

/**
 * A duration such as "2 hours", "3 days", "90 minutes" (or a number of seconds) as whole seconds;
 * none when it is not one.
 */
export const parseGracePeriod = (text: string): Option.Option<number> => {
  const trimmed = text.trim()
  if (/^\d+$/.test(trimmed)) return Option.some(Number(trimmed))
  return Duration.decodeUnknown(trimmed).pipe(
    Option.filter((d) => Duration.isFinite(d) && Duration.toMillis(d) >= 0),
    Option.map((d) => Math.ceil(Duration.toMillis(d) / 1000))
  )
}

export const GRACE_MESSAGE = "must be a duration such as \"2 hours\" or \"3 days\" (seconds, minutes, hours, days, weeks), or 0"

export const requireBiller = (principal: Principal, action: string) =>
  Effect.zipRight(requireKind(principal, ["platform", "distributor", "partner"], action), requireAdmin(principal))

/**
 * A duration as text, or a whole number of seconds as a JSON number (7200), as docs/billing.md
 * says; at most MAX_GRACE_SECONDS ("99999999999 weeks" made a run no timestamp can hold: a 500).
 */
const gracePeriodSeconds = (given: string | number | undefined) =>
  given === undefined
    ? BillingGraceSeconds
    : Effect.filterOrFail(
      typeof given === "number"
        ? Number.isSafeInteger(given) && given >= 0
          ? Effect.succeed(given)
          : Effect.fail(ValidationError.of("grace_period", GRACE_PERIOD_SHAPE))
        : Option.match(parseGracePeriod(given), {
          onNone: () => Effect.fail(ValidationError.of("grace_period", GRACE_PERIOD_SHAPE)),
          onSome: Effect.succeed
        }),
      (seconds) => seconds <= MAX_GRACE_SECONDS,
      () => ValidationError.of("grace_period", GRACE_PERIOD_LIMIT)
    )

/**
 * A run of the caller's account for `period`: the one still at work (pending or running with a
 * heartbeat younger than a minute), else a new pending one. `created` says which; the caller
 * executes a created run (`executeRun`).
 */
export const startRun = (
  principal: Principal,
  input: { readonly period: BillingMonth; readonly grace_period?: string | number | undefined }
) =>
  Effect.gen(function* () {
    const queue = yield* BillingRunRepo
    yield* requireBiller(principal, "start billing runs")
    const grace = yield* gracePeriodSeconds(input.grace_period)
    const at = yield* now
    return yield* (yield* Transactor).withTransaction(Effect.gen(function* () {
      const live = yield* queue.findLiveRun(
        principal.account_id,
        input.period,
        DateTime.subtract(at, { millis: Duration.toMillis(HEARTBEAT_TIMEOUT) })
      )
      if (Option.isSome(live)) return { run: live.value.run, created: false }
      const run = new BillingRun({
        id: (yield* makeId("brn")) as BillingRunId,
        account_id: principal.account_id,
        period: input.period,
        status: "pending",
        grace_period_seconds: grace,
        customers_total: null,
        customers_processed: 0,
        subscriptions_billed: 0,
        invoices_created: 0,
        error: null,
        started_at: null,
        completed_at: null,
        created_at: at,
        updated_at: at
      })
      yield* queue.insertRun({ run, lineage: principal.lineage, heartbeat_at: null })
      return { run, created: true }
    }))
  }).pipe(Effect.withSpan("Billing.startRun"))

export const getRun = (principal: Principal, id: string) =>
  Effect.flatMap(BillingRunRepo, (queue) => queue.findRun(id).pipe(reachableBy(principal, "billing run", id))).pipe(
    Effect.map((stored) => stored.run)
  )

/** The runs started by the caller's account or below it, newest first. */
export const listRuns = (principal: Principal, page: PageRequest) =>
  Effect.flatMap(BillingRunRepo, (queue) => queue.listRuns(principal.account_id, page)).pipe(
    Effect.map((found) => ({ ...found, items: found.items.map((stored) => stored.run) }))
  )

export interface ExecuteOptions {
  readonly chunkSize?: number
  /** Stops after that many chunks, as a crash would (tests). */
  readonly maxChunks?: number
  readonly workers?: number
}

/**
 * Does the work of a run: `workers` fibers bill its pending chunks (each one transaction, as
 * executors in other processes may at the same time), then the run is marked completed
 * (`billing_run.completed`) once no chunk is left. A chunk another executor holds is waited
 * for; one it left behind when it died is billed here. A failure marks the run failed with the
 * reason. Running it again (or a new run of the same month) bills only what is not billed yet.
 */
export const executeRun = (
  runId: string,
  onProgress?: (run: BillingRun) => Effect.Effect<void>,
  options: ExecuteOptions = {}
) =>
  Effect.gen(function* () {
    const queue = yield* BillingRunRepo
    const transactor = yield* Transactor
    const workers = Math.max(1, options.workers ?? (yield* BillingWorkers))
    const started = yield* transactor.withTransaction(
      Effect.flatMap(now, (at) => queue.markRunning(runId, at, Math.max(1, options.chunkSize ?? CHUNK_SIZE)))
    )
    if (started.status !== "running") return started
    if (onProgress) yield* onProgress(started)
    const current = Effect.map(queue.findRun(runId), Option.match({ onNone: () => started, onSome: (s) => s.run }))
    let budget = options.maxChunks ?? Infinity
    const worker = Effect.gen(function* () {
      while (budget > 0) {
        budget -= 1
        if (!(yield* transactor.withTransaction(billNextChunk(runId)))) {
          budget += 1
          return
        }
        if (onProgress) yield* Effect.flatMap(current, onProgress)
      }
    })
    for (;;) {
      yield* Effect.all(Array.from({ length: workers }, () => worker), { concurrency: "unbounded", discard: true })
      if (budget <= 0) return yield* current
      // What is still pending is another executor's, or was left by one that died: wait for it.
      const pending = yield* transactor.withTransaction(queue.awaitPendingChunks(runId))
      if (pending === 0) break
      const run = yield* current
      if (run.status !== "running") return run
    }
    const completed = yield* transactor.withTransaction(completeRun(runId))
    return Option.isSome(completed) ? completed.value.run : yield* current
  }).pipe(
    Effect.catchAllCause((cause) =>
      Cause.isInterruptedOnly(cause)
        ? Effect.failCause(cause)
        : Effect.gen(function* () {
          yield* Effect.logError("billing run failed", cause)
          const reason = Cause.squash(cause)
          const message = reason instanceof Error ? reason.message : String(reason)
          yield* Effect.flatMap(BillingRunRepo, (queue) => Effect.flatMap(now, (at) => queue.failRun(runId, message, at))).pipe(
            Effect.ignore
          )
          return yield* Effect.failCause(cause)
        })
    ),
    Effect.withSpan("Billing.executeRun")
  )

/** The run marked completed, with its `billing_run.completed` event; none if another executor did it first. */
const completeRun = (runId: string) =>
  Effect.gen(function* () {
    const at = yield* now
    const done = yield* (yield* BillingRunRepo).completeRun(runId, at)
    if (Option.isSome(done)) {
      // Up the channel, from the same run: every chunk's costs are in (docs/channel.md "Upstream invoices").
      yield* issueUpstreamInvoices(done.value.run, at)
      const data = yield* Effect.orDie(encodeRun(done.value.run))
      yield* (yield* EventLog).append([
        yield* newEvent("billing_run.completed", { customer_id: null, lineage: done.value.lineage }, { billing_run: data })
      ])
    }
    return done
  })
