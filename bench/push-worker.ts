/**
 * A delivery worker process for bench/push.ts: `Workers.layer` without the scheduler (what
 * `provisio worker` runs, minus renewals and billing) over the PostgreSQL database named by
 * `DATABASE_URL`, with a pool of 10 connections. Prints `ready` on stdout once the layer is built,
 * then runs until SIGTERM (a graceful stop) or SIGKILL. Logs warnings and errors only (stderr).
 *
 * It also stops when its stdin closes: the bench holds the other end, so a bench that dies
 * (Ctrl-C, a crash) leaves no worker behind.
 *
 *   DATABASE_URL=postgres://... node --conditions=source --import tsx bench/push-worker.ts
 */
import { NodeRuntime } from "@effect/platform-node"
import { PgClient } from "@effect/sql-pg"
import { ServicesLive } from "@provisio/adapters/services"
import { Workers } from "@provisio/core/workers/service"
import { Console, Layer, Logger, LogLevel, Redacted } from "effect"

const url = process.env["DATABASE_URL"]
if (!url) throw new Error("DATABASE_URL is required")

process.stdin.on("close", () => process.kill(process.pid, "SIGTERM"))
process.stdin.resume()

const WorkerLive = Workers.layer({ scheduler: false, collector: false }).pipe(
  Layer.provide(ServicesLive),
  Layer.provide(PgClient.layer({ url: Redacted.make(url), maxConnections: 10 }))
)

// `Layer.provide` builds the workers first: `ready` means the pool is open and the loops are running.
const ReadyLive = Layer.effectDiscard(Console.log("ready")).pipe(Layer.provide(WorkerLive))

NodeRuntime.runMain(Layer.launch(ReadyLive).pipe(Logger.withMinimumLogLevel(LogLevel.Warning)))
