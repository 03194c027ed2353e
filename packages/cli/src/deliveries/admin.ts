import { type Delivery, type DeliveryStatus } from "@provisio/core/deliveries/model"
import { Deliveries } from "@provisio/core/deliveries/service"
import { Identity } from "@provisio/core/identity/service"
import * as Console from "effect/Console"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { bootstrap } from "../bootstrap.js"
import { AppLive } from "../database/layers.js"
import { type PageOptions, pageOf, printPage } from "../paging.js"

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

/** `provisio deliveries list`, oldest first. */
export const listDeliveries = (options: PageOptions & {
  readonly status: Option.Option<DeliveryStatus>
  readonly target: Option.Option<string>
}) =>
  Effect.gen(function* () {
    yield* bootstrap
    const operator = yield* (yield* Identity).platformOperator
    const page = yield* (yield* Deliveries).listDeliveries(
      operator,
      { status: Option.getOrUndefined(options.status), target: Option.getOrUndefined(options.target) },
      yield* pageOf(options)
    )
    yield* printPage(page, line, "deliveries")
  }).pipe(Effect.provide(AppLive))

/** `provisio deliveries replay`: a dead or delivered delivery goes back to pending. */
export const replayDelivery = ({ id }: { readonly id: string }) =>
  Effect.gen(function* () {
    yield* Console.log(line(yield* (yield* Deliveries).replayAny(id)))
  }).pipe(Effect.provide(AppLive))
