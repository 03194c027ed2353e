import { Command, Options } from "@effect/cli"
import { finalizations, renewals, Workers } from "@provisio/core/workers/service"
import { Console, Duration, Effect, Layer } from "effect"
import { AppLive } from "../database.js"

const workerInterval = Options.integer("interval").pipe(
  Options.withDescription("Milliseconds an idle delivery worker waits before looking again (default 1000)"),
  Options.withDefault(1000)
)

export const worker = Command.make("worker", { interval: workerInterval }, ({ interval }) =>
  Effect.gen(function* () {
    yield* Effect.logInfo("worker: delivery workers and the scheduler")
    yield* Layer.launch(Workers.layer({ deliveries: Duration.millis(interval) }))
  }).pipe(Effect.provide(AppLive))
).pipe(
  Command.withDescription(
    "Run the delivery workers (provisioning pushes, webhooks) and the scheduler. Any number of worker processes may " +
      "share one PostgreSQL server: deliveries are claimed with leases, one subscription's in order"
  )
)

const once = Options.boolean("once").pipe(Options.withDescription("Run once and exit"))
const schedulerInterval = Options.integer("interval").pipe(
  Options.withDescription("Seconds between runs (default 30)"),
  Options.withDefault(30)
)

export const scheduler = Command.make("scheduler", { interval: schedulerInterval, once }, ({ interval, once }) =>
  (once
    ? Effect.gen(function* () {
      const run = yield* renewals
      yield* Console.log(`renewed ${run.renewed}, expired ${run.expired}, cancelled ${run.cancelled}`)
      yield* finalizations
    })
    : Layer.launch(Workers.layer({ scheduler: Duration.seconds(interval), deliveries: false }))).pipe(Effect.provide(AppLive))
).pipe(
  Command.withDescription(
    "Renew, expire and cancel subscriptions whose billing period has ended. Any number of processes may run it " +
      "at once against one PostgreSQL server: each due subscription is handled by exactly one"
  )
)
