import { PER_TARGET } from "@provisio/core/deliveries/limits"
import { readConfiguration } from "@provisio/core/provisioning/calls"
import { PushSender } from "@provisio/core/provisioning/ports"
import { type PushRequest, type PushResponse, PushTransportError } from "@provisio/core/provisioning/push"
import { parseRetryAfter } from "@provisio/core/provisioning/retry"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Agent, type Dispatcher } from "undici"

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
class CutOff extends Error {}

/**
 * Time-outs for thousands of calls a second: one timer checks every deadline every 20 ms, instead
 * of a timer (and an AbortSignal) per call. A call may run up to 20 ms past its time-out.
 */
const makeDeadlines = () => {
  const pending = new Set<{ readonly at: number; readonly expire: () => void }>()
  let timer: ReturnType<typeof setInterval> | undefined
  const tick = () => {
    const now = performance.now()
    for (const entry of pending) {
      if (entry.at <= now) {
        pending.delete(entry)
        entry.expire()
      }
    }
    if (pending.size === 0 && timer !== undefined) {
      clearInterval(timer)
      timer = undefined
    }
  }
  return {
    add: (millis: number, expire: () => void) => {
      const entry = { at: performance.now() + millis, expire }
      pending.add(entry)
      if (timer === undefined) {
        timer = setInterval(tick, 20)
        timer.unref()
      }
      return () => void pending.delete(entry)
    }
  }
}

const origins = new Map<string, { readonly origin: string; readonly path: string }>()
/** A URL as undici dispatches it; the few URLs a worker calls are parsed once. */
const partsOf = (url: string) => {
  let parts = origins.get(url)
  if (parts === undefined) {
    const parsed = new URL(url)
    parts = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` }
    if (origins.size > 10_000) origins.clear()
    origins.set(url, parts)
  }
  return parts
}

/**
 * The exchange on undici's dispatcher API (no stream, no promise per call): the answer's head
 * and up to `MAX_ANSWER_BYTES` of its body (a larger body is cut off there and its connection
 * closed), or why there is none. `abort` ends it early.
 */
const exchange = (
  agent: Agent,
  request: PushRequest,
  done: (error: unknown, answer?: Answer) => void
): ((reason: Error) => void) => {
  const { origin, path } = partsOf(request.url)
  let status = 0
  let headers: Answer["headers"] = {}
  const chunks: Array<Uint8Array> = []
  let size = 0
  let controller: Dispatcher.DispatchController | undefined
  let abortedWith: Error | undefined
  let finished = false
  const finish = (error: unknown, answer?: Answer) => {
    if (finished) return
    finished = true
    done(error, answer)
  }
  const handler: Dispatcher.DispatchHandler = {
    onRequestStart: (c) => {
      controller = c
      if (abortedWith !== undefined) c.abort(abortedWith)
    },
    onResponseStart: (_c, statusCode, responseHeaders) => {
      status = statusCode
      headers = responseHeaders
    },
    onResponseData: (c, chunk) => {
      chunks.push(chunk)
      size += chunk.length
      if (size > MAX_ANSWER_BYTES) c.abort(new CutOff())
    },
    onResponseEnd: () => finish(undefined, { status, headers, chunks, size }),
    onResponseError: (_c, error) =>
      error instanceof CutOff ? finish(undefined, { status, headers, chunks, size }) : finish(error)
  }
  try {
    agent.dispatch({ origin, path, method: request.method, headers: request.headers, body: request.body }, handler)
  } catch (error) {
    finish(error)
  }
  return (reason) => {
    abortedWith = reason
    if (controller !== undefined) controller.abort(reason)
    else finish(reason)
  }
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
  const deadlines = makeDeadlines()
  // One asynchronous step per call (thousands a second): the clock read directly, no pipeline.
  const send = (request: PushRequest): Effect.Effect<PushResponse, PushTransportError> =>
    Effect.clockWith((clock) =>
      Effect.async<PushResponse, PushTransportError>((resume) => {
        const started = clock.unsafeCurrentTimeNanos()
        const latency = () => Math.round(Number(clock.unsafeCurrentTimeNanos() - started) / 1e6)
        let abort: (reason: Error) => void = () => {}
        const cancel = deadlines.add(request.timeout_ms, () => abort(new TimedOut()))
        abort = exchange(agent, request, (error, answer) => {
          cancel()
          if (answer !== undefined) {
            resume(Effect.succeed(responseOf(answer, latency(), clock.unsafeCurrentTimeMillis())))
          } else {
            resume(Effect.fail(
              error instanceof TimedOut
                ? new PushTransportError({ kind: "timeout", message: `no answer within ${request.timeout_ms} ms`, latency_ms: latency() })
                : new PushTransportError({ kind: "connection", message: message(error), latency_ms: latency() })
            ))
          }
        })
        return Effect.sync(() => {
          cancel()
          abort(new Error("interrupted"))
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
