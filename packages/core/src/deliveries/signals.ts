import * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"

/**
 * Wake-ups for the delivery workers: the database tells when new events reach the outbox or new
 * deliveries become due (committed), so an idle worker starts at once instead of polling.
 */
export type WorkNotice = "events" | "deliveries"

export class DeliverySignals extends Context.Tag("@provisio/core/DeliverySignals")<DeliverySignals, {
  /** Every notice from now on, for as long as the stream is read. */
  readonly notices: Stream.Stream<WorkNotice>
  /** Whether notices come at all: without them a worker looks again at its idle interval. */
  readonly listening: boolean
}>() {
  /** No notices: workers poll (tests, and a database that cannot listen). */
  static readonly none = Layer.succeed(DeliverySignals, DeliverySignals.of({ notices: Stream.never, listening: false }))
}
