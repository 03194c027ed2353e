import { collections, dunning, finalizations, renewals, Workers } from "@provisio/core/workers/service"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { AppLive } from "../database/layers.js"

/** `provisio worker`: the delivery workers and the scheduler until SIGTERM. */
export const runWorker = ({ interval }: { readonly interval: number }) =>
  Effect.gen(function* () {
    yield* Effect.logInfo("worker: delivery workers and the scheduler")
    yield* Layer.launch(Workers.layer({ deliveries: Duration.millis(interval) }))
  }).pipe(Effect.provide(AppLive))

/**
 * `provisio scheduler`: renewals, finalizations and dunning every `interval` seconds, or once;
 * automatic charges (the collector) with them.
 */
export const runScheduler = ({ interval, once }: { readonly interval: number; readonly once: boolean }) =>
  (once
    ? Effect.gen(function* () {
      const run = yield* renewals
      yield* Console.log(`renewed ${run.renewed}, expired ${run.expired}, cancelled ${run.cancelled}`)
      yield* finalizations
      const dunned = yield* dunning
      yield* Console.log(
        `overdue ${dunned.overdue}, dunning stages changed ${dunned.stage_changes}, ` +
          `suspended ${dunned.suspended}, resumed ${dunned.resumed}, terminated ${dunned.terminated}`
      )
      const charged = yield* collections
      yield* Console.log(
        `automatic charges ${charged.claimed}: succeeded ${charged.succeeded}, failed ${charged.failed}, ` +
          `pending ${charged.pending}, unknown ${charged.unknown}`
      )
    })
    : Layer.launch(Workers.layer({ scheduler: Duration.seconds(interval), deliveries: false }))).pipe(Effect.provide(AppLive))
