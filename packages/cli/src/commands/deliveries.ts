import { Args, Command, Options } from "@effect/cli"
import { type Delivery, DeliveryStatus } from "@provisio/core/deliveries/model"
import { Deliveries } from "@provisio/core/deliveries/service"
import { Identity } from "@provisio/core/identity/service"
import { Console, DateTime, Effect, Option } from "effect"
import { AppLive } from "../database.js"
import { pageOf, pageOptions } from "../paging.js"

const line = (d: Delivery) =>
  [
    d.id,
    d.status.padEnd(9),
    d.kind.padEnd(12),
    `${d.method} ${d.url}`,
    d.event_type,
    `attempts ${d.attempts}`,
    d.status === "retrying" ? `next ${DateTime.formatIso(d.next_attempt_at)}` : "",
    d.last_error ?? ""
  ].join("  ").trimEnd()

const status = Options.choice("status", DeliveryStatus.literals).pipe(
  Options.withDescription("Only deliveries in this state"),
  Options.optional
)
const target = Options.text("target").pipe(Options.withDescription("Only this product's or webhook's"), Options.optional)

const list = Command.make("list", { status, target, ...pageOptions }, (options) =>
  Effect.gen(function* () {
    const operator = yield* (yield* Identity).platformOperator
    const page = yield* (yield* Deliveries).listDeliveries(
      operator,
      { status: Option.getOrUndefined(options.status), target: Option.getOrUndefined(options.target) },
      yield* pageOf(options)
    )
    for (const delivery of page.items) yield* Console.log(line(delivery))
    if (page.next_cursor !== null) yield* Console.log(`more: --cursor ${page.next_cursor}`)
  }).pipe(Effect.provide(AppLive))
).pipe(Command.withDescription("List deliveries (provisioning pushes and webhook calls), oldest first"))

const id = Args.text({ name: "delivery" }).pipe(Args.withDescription("The delivery's id (dlv_...)"))

const replay = Command.make("replay", { id }, ({ id }) =>
  Effect.gen(function* () {
    yield* Console.log(line(yield* (yield* Deliveries).replayAny(id)))
  }).pipe(Effect.provide(AppLive))
).pipe(Command.withDescription("Send a dead or delivered delivery again (it goes back to pending; attempts are kept)"))

export const deliveries = Command.make("deliveries").pipe(
  Command.withDescription("Deliveries: list, replay"),
  Command.withSubcommands([list, replay])
)
