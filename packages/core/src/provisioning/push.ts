import * as Schema from "effect/Schema"
import type { PushMethod } from "./calls.js"

/** One outbound call, signed and ready to send (provisioning and webhooks alike). */
export interface PushRequest {
  readonly method: PushMethod
  readonly url: string
  /** Every header to send, the Standard Webhooks ones included. */
  readonly headers: Readonly<Record<string, string>>
  /** The raw JSON body, exactly as signed. */
  readonly body: string
  /** How long the whole exchange (connect, answer, body) may take. */
  readonly timeout_ms: number
}

/** An answer from the receiver, whatever its status. */
export interface PushResponse {
  readonly status: number
  readonly latency_ms: number
  /** The first KB (1024 bytes) of the answer's body, as text. */
  readonly body_excerpt: string
  /** `Retry-After` in seconds (from delta-seconds or an HTTP date), when the answer has one. */
  readonly retry_after: number | null
  /** The `configuration` object of a 2xx JSON answer; null for an acknowledgement or any other status. */
  readonly configuration: Record<string, unknown> | null
}

/** The call got no answer: it timed out, or the connection failed (refused, reset, TLS, DNS). */
export class PushTransportError extends Schema.TaggedError<PushTransportError>()("PushTransportError", {
  kind: Schema.Literal("timeout", "connection"),
  message: Schema.String,
  latency_ms: Schema.Number
}) {}

export type PushOutcome = PushResponse | PushTransportError
