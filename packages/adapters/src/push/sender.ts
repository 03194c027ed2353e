import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { readConfiguration } from "@provisio/core/provisioning/calls"
import { PushSender } from "@provisio/core/provisioning/ports"
import { type PushRequest, type PushResponse, PushTransportError } from "@provisio/core/provisioning/push"
import { parseRetryAfter } from "@provisio/core/provisioning/retry"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"

/**
 * Sends signed calls with `@effect/platform`'s HttpClient (undici's request API in production:
 * `PushSenderUndici`). One time-out covers the whole exchange: connecting, the answer's head and
 * reading its body. Redirects are not followed (a receiver answers at its URL) and no tracing
 * headers are sent to receivers.
 */

/** The most of an answer's body that is read; a larger body is cut off (and not parsed for a configuration). */
export const MAX_ANSWER_BYTES = 256 * 1024

/** What is kept of an answer for the attempt log: its first KB. */
export const EXCERPT_BYTES = 1024

interface Read {
  readonly chunks: Array<Uint8Array>
  size: number
}

const concat = (read: Read, limit: number): Uint8Array => {
  const out = new Uint8Array(Math.min(read.size, limit))
  let offset = 0
  for (const chunk of read.chunks) {
    if (offset >= out.length) break
    const part = chunk.subarray(0, out.length - offset)
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** UTF-8 text of the bytes; a character cut in half at the end is left out rather than garbled. */
const text = (bytes: Uint8Array): string => new TextDecoder("utf-8").decode(bytes, { stream: true })

const message = (cause: unknown): string => {
  const error = cause as { readonly message?: string; readonly cause?: { readonly code?: string; readonly message?: string } }
  const inner = error?.cause
  return inner?.code ?? inner?.message ?? error?.message ?? String(cause)
}

export const makePushSender = Effect.gen(function* () {
  const client = HttpClient.withTracerPropagation(yield* HttpClient.HttpClient, false)

  const send = (request: PushRequest): Effect.Effect<PushResponse, PushTransportError> =>
    Effect.gen(function* () {
      const started = yield* Clock.currentTimeNanos
      const latency = Effect.map(Clock.currentTimeNanos, (now) => Math.round(Number(now - started) / 1e6))
      const outgoing = HttpClientRequest.make(request.method)(request.url).pipe(
        HttpClientRequest.setHeaders(request.headers),
        HttpClientRequest.bodyText(request.body, request.headers["content-type"] ?? "application/json")
      )
      const exchange = Effect.gen(function* () {
        const response = yield* client.execute(outgoing)
        const read = yield* Stream.runFoldWhile(
          response.stream,
          { chunks: [], size: 0 } as Read,
          (read) => read.size < MAX_ANSWER_BYTES,
          (read, chunk) => {
            read.chunks.push(chunk)
            read.size += chunk.length
            return read
          }
        )
        return { response, read }
      })
      const { read, response } = yield* exchange.pipe(
        Effect.timeoutFail({
          duration: Duration.millis(request.timeout_ms),
          onTimeout: () => "timeout" as const
        }),
        Effect.catchAll((error) =>
          Effect.flatMap(latency, (latency_ms) =>
            Effect.fail(
              error === "timeout"
                ? new PushTransportError({ kind: "timeout", message: `no answer within ${request.timeout_ms} ms`, latency_ms })
                : new PushTransportError({
                  kind: "connection",
                  message: error._tag === "ResponseError"
                    ? `the connection failed while reading the answer: ${message(error.cause)}`
                    : message(error.cause ?? error),
                  latency_ms
                })
            ))
        )
      )
      const latency_ms = yield* latency
      const complete = read.size <= MAX_ANSWER_BYTES
      const ok = response.status >= 200 && response.status < 300
      return {
        status: response.status,
        latency_ms,
        body_excerpt: text(concat(read, EXCERPT_BYTES)),
        retry_after: parseRetryAfter(response.headers["retry-after"], yield* Clock.currentTimeMillis),
        configuration: ok && complete ? readConfiguration(text(concat(read, MAX_ANSWER_BYTES))) : null
      } satisfies PushResponse
    }).pipe(Effect.withSpan("PushSender.send", { attributes: { method: request.method, url: request.url } }))

  return PushSender.of({ send })
})

/** The sender on whatever `HttpClient` is provided. */
export const PushSenderLive: Layer.Layer<PushSender, never, HttpClient.HttpClient> = Layer.effect(PushSender, makePushSender)

/** The sender on undici's request API, with its own connection pool (closed with the layer). */
export const PushSenderUndici: Layer.Layer<PushSender> = PushSenderLive.pipe(Layer.provide(NodeHttpClient.layerUndici))
