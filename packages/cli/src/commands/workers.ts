import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { lazily } from "../lazy.js"

const load = () => import("../workers/run.js")

const workerInterval = Options.integer("interval").pipe(
  Options.withDescription(
    "Milliseconds an idle delivery worker waits before looking again when nothing wakes it (new events and " +
      "deliveries wake it at once; this is when retries come due; default 1000)"
  ),
  Options.withDefault(1000)
)

export const worker = Command.make("worker", { interval: workerInterval }, lazily(load, (m) => m.runWorker)).pipe(
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

export const scheduler = Command.make("scheduler", { interval: schedulerInterval, once }, lazily(load, (m) => m.runScheduler)).pipe(
  Command.withDescription(
    "Renew, expire and cancel subscriptions whose billing period has ended. Any number of processes may run it " +
      "at once against one PostgreSQL server: each due subscription is handled by exactly one"
  )
)
