import type { BillingRun } from "@provisio/core/billing/model"
import { Billing, CHUNK_SIZE } from "@provisio/core/billing/service"
import { Identity } from "@provisio/core/identity/service"
import { BillingMonth } from "@provisio/core/invoices/model"
import { ValidationError } from "@provisio/core/shared/errors"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { AppLive } from "../database/layers.js"
import { count, type ImportOutput, stdoutOutput } from "../progress.js"
import { bootstrap } from "../bootstrap.js"

/**
 * The progress of a run: on a terminal one line rewritten with `\r`, elsewhere a plain line per
 * chunk, so logs stay readable.
 */
const progressReporter = (output: ImportOutput, started: number) => {
  const line = (run: BillingRun, now: number) => {
    const total = run.customers_total ?? 0
    const done = run.customers_processed
    const percent = total === 0 ? 100 : (100 * done) / total
    const seconds = Math.max((now - started) / 1000, 0.001)
    return `${count(done)} / ${count(total)} customers (${percent.toFixed(1)}%), ` +
      `${count(run.subscriptions_billed)} subscriptions billed, ${count(run.invoices_created)} invoices, ` +
      `${count(Math.round(done / seconds))} customers/s`
  }
  let last: BillingRun | undefined
  return {
    update: (run: BillingRun) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        last = run
        return output.write(output.tty ? `\r  ${line(run, now).padEnd(78)}` : `  ${line(run, now)}\n`)
      }),
    finish: Effect.suspend(() => (output.tty && last !== undefined ? output.write("\n") : Effect.void))
  }
}

/**
 * Bills `period` for the platform's customers now, in this process: starts a run (or joins the
 * one still at work for that month, e.g. after a crash) and executes it with a progress line.
 */
export const runBilling = (
  period: string,
  options: { readonly gracePeriod?: string | undefined; readonly chunkSize?: number | undefined; readonly output?: ImportOutput } = {}
) =>
  Effect.gen(function* () {
    const output = options.output ?? stdoutOutput
    const month = yield* Schema.decodeUnknown(BillingMonth)(period).pipe(
      Effect.mapError(() => ValidationError.of("period", "must be a month written YYYY-MM, e.g. \"2026-11\""))
    )
    const billing = yield* Billing
    const operator = yield* (yield* Identity).platformOperator
    const started = yield* billing.startRun(operator, { period: month, grace_period: options.gracePeriod })
    yield* output.write(
      `${started.created ? "Billing" : "Resuming billing run"} ${started.run.id} for ${month} ` +
        `(grace period ${started.run.grace_period_seconds} s)\n`
    )
    const startedAt = yield* Clock.currentTimeMillis
    const progress = progressReporter(output, startedAt)
    const run = yield* billing.executeRun(started.run.id, progress.update, { chunkSize: options.chunkSize ?? CHUNK_SIZE }).pipe(
      Effect.ensuring(progress.finish)
    )
    const seconds = ((yield* Clock.currentTimeMillis) - startedAt) / 1000
    yield* output.write(
      `${run.id} ${run.status}: ${count(run.customers_processed)} customers, ${count(run.subscriptions_billed)} ` +
        `subscriptions billed, ${count(run.invoices_created)} invoices created in ${seconds.toFixed(1)} s\n`
    )
    return run
  })

/** `provisio billing run`: fails when the run ends other than completed. */
export const runBillingCommand = (options: {
  readonly period: string
  readonly gracePeriod: Option.Option<string>
  readonly chunkSize: Option.Option<number>
}) =>
  Effect.gen(function* () {
    yield* bootstrap
    const done = yield* runBilling(options.period, {
      gracePeriod: Option.getOrUndefined(options.gracePeriod),
      chunkSize: Option.getOrUndefined(options.chunkSize)
    })
    if (done.status !== "completed") return yield* Effect.fail(new Error(`billing run ${done.id} is ${done.status}`))
  }).pipe(Effect.provide(AppLive))
