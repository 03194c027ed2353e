import { PER_TARGET } from "@provisio/core/deliveries/limits"
import { readConfiguration } from "@provisio/core/provisioning/calls"
import { PushSender } from "@provisio/core/provisioning/ports"
import { type PushRequest, type PushResponse, PushTransportError } from "@provisio/core/provisioning/push"
import { parseRetryAfter } from "@provisio/core/provisioning/retry"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Agent, request as undiciRequest } from "undici"

/**
 * Sends signed calls with undici's request API over one `Agent`: a keep-alive connection pool
 * per origin (at most `PER_TARGET` connections each, the engine's cap of calls in flight to one
 * target), closed with the layer. One time-out covers the whole exchange: connecting, the
 * answer's head and reading its body. Redirects are not followed (a receiver answers at its URL)
 * and no tracing headers are sent to receivers.
 */

/** The most of an answer's body that is read; a larger body is cut off (and not parsed for a configuration). */
export const MAX_ANSWER_BYTES = 256 * 1024

/** What is kept of an answer for the attempt log: its first KB. */
export const EXCERPT_BYTES = 1024

const concat = (chunks: ReadonlyArray<Uint8Array>, size: number, limit: number): Uint8Array => {
  const out = new Uint8Array(Math.min(size, limit))
  let offset = 0
  for (const chunk of chunks) {
    if (offset >= out.length) break
    const part = chunk.subarray(0, out.length - offset)
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** UTF-8 text of the bytes; a character cut in half at the end is left out rather than garbled. */
const text = (bytes: Uint8Array): string => new TextDecoder("utf-8").decode(bytes, { stream: true })

/** The most telling part of a failure: the system's code (ECONNREFUSED, ...) or undici's message. */
const message = (cause: unknown): string => {
  const error = cause as { readonly code?: unknown; readonly message?: unknown; readonly cause?: { readonly code?: unknown; readonly message?: unknown } }
  // A DOMException's `code` is a number: only a system's code (a string) names the failure.
  const found = [error?.cause?.code, error?.code, error?.cause?.message, error?.message].find((part) => typeof part === "string")
  return (found as string | undefined) ?? String(cause)
}

interface Answer {
  readonly status: number
  readonly headers: Record<string, string | Array<string> | undefined>
  readonly chunks: ReadonlyArray<Uint8Array>
  readonly size: number
}

class TimedOut extends Error {}

/** The exchange itself: the answer's head and up to `MAX_ANSWER_BYTES` of its body, or why there is none. */
const exchange = async (agent: Agent, request: PushRequest, signal: AbortSignal): Promise<Answer> => {
  const response = await undiciRequest(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    dispatcher: agent,
    signal
  })
  const chunks: Array<Uint8Array> = []
  let size = 0
  for await (const chunk of response.body) {
    chunks.push(chunk as Uint8Array)
    size += (chunk as Uint8Array).length
    // Leaving the loop destroys the rest of the body (and that connection).
    if (size > MAX_ANSWER_BYTES) break
  }
  return { status: response.statusCode, headers: response.headers, chunks, size }
}

/** The answer as the engine reads it: its status, first KB, `Retry-After` and any configuration. */
const responseOf = (answer: Answer, latency_ms: number, nowMillis: number): PushResponse => {
  const complete = answer.size <= MAX_ANSWER_BYTES
  const ok = answer.status >= 200 && answer.status < 300
  const retryAfter = answer.headers["retry-after"]
  return {
    status: answer.status,
    latency_ms,
    body_excerpt: answer.size === 0 ? "" : text(concat(answer.chunks, answer.size, EXCERPT_BYTES)),
    retry_after: parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, nowMillis),
    configuration: ok && complete && answer.size > 0
      ? readConfiguration(text(concat(answer.chunks, answer.size, MAX_ANSWER_BYTES)))
      : null
  }
}

export const makePushSender = (agent: Agent) => {
  // One asynchronous step per call (thousands a second): the clock read directly, no pipeline.
  const send = (request: PushRequest): Effect.Effect<PushResponse, PushTransportError> =>
    Effect.clockWith((clock) =>
      Effect.async<PushResponse, PushTransportError>((resume) => {
        const started = clock.unsafeCurrentTimeNanos()
        const latency = () => Math.round(Number(clock.unsafeCurrentTimeNanos() - started) / 1e6)
        const controller = new AbortController()
        const timer = setTimeout(() => controller.abort(new TimedOut()), request.timeout_ms)
        exchange(agent, request, controller.signal).then(
          (answer) => {
            clearTimeout(timer)
            resume(Effect.succeed(responseOf(answer, latency(), clock.unsafeCurrentTimeMillis())))
          },
          (error) => {
            clearTimeout(timer)
            const timedOut = controller.signal.aborted && controller.signal.reason instanceof TimedOut
            resume(Effect.fail(
              timedOut
                ? new PushTransportError({ kind: "timeout", message: `no answer within ${request.timeout_ms} ms`, latency_ms: latency() })
                : new PushTransportError({ kind: "connection", message: message(error), latency_ms: latency() })
            ))
          }
        )
        return Effect.sync(() => {
          clearTimeout(timer)
          controller.abort()
        })
      })
    )

  return PushSender.of({ send })
}

/** The sender on undici, with its own connection pools (closed with the layer). */
export const PushSenderUndici: Layer.Layer<PushSender> = Layer.scoped(
  PushSender,
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() => new Agent({ connections: PER_TARGET, keepAliveTimeout: 10_000, pipelining: 1 })),
      (agent) => Effect.promise(() => agent.destroy()).pipe(Effect.ignore)
    ),
    makePushSender
  )
)

/** The same, for a host that names the layer by what it is. */
export const PushSenderLive = PushSenderUndici
