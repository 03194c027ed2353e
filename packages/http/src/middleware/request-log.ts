import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { unsafeRequestId } from "@provisio/core/shared/ids"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import { CurrentRequestId } from "../envelope.js"

const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** The request id: the caller's `X-Request-Id` when it sent a usable one, else a new `req_...`. */
export const requestIdOf = (headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>): string => {
  const inbound = headers["x-request-id"]
  return typeof inbound === "string" && VALID_REQUEST_ID.test(inbound) ? inbound : unsafeRequestId()
}

/** What the one log line of a request says. */
export interface RequestLogEntry {
  readonly request_id: string
  readonly method: string
  readonly path: string
  readonly status: number
  readonly duration_ms: number
}

/**
 * Where a request's log line goes. By default through Effect's logger (`Effect.logInfo("request")`
 * annotated with the entry), formatted by whatever logger is installed. `provisio serve` installs
 * `jsonLines` instead: the same JSON object `Logger.json` prints, written without the logger's
 * per-line work (console formatting, colour checks), which cost ~6% of a small request.
 */
export class RequestLog extends Context.Reference<RequestLog>()("@provisio/http/RequestLog", {
  defaultValue: (): {
    readonly write: ((entry: RequestLogEntry, fiberId: FiberId.FiberId | undefined) => void) | undefined
  } => ({ write: undefined })
}) {}

/**
 * `FiberId.threadName`, which builds a HashSet of the ids to print one: a request's fiber is a
 * runtime fiber, whose name is its one id (~5 us a line less).
 */
const fiberName = (fiberId: FiberId.FiberId) => (fiberId._tag === "Runtime" ? `#${fiberId.id}` : FiberId.threadName(fiberId))

/**
 * A `RequestLog` writing each entry as `Logger.json` would (`message`, `logLevel`, `timestamp`,
 * `annotations`, `spans`, `fiberId`; no `fiberId` for an answer given before any fiber ran, the
 * probes), one line each. Lines of one turn of the event loop go out in one write.
 */
export const jsonLines = (out: (text: string) => void): Context.Tag.Service<RequestLog> => {
  let pending: Array<string> = []
  const flush = () => {
    const lines = pending
    pending = []
    out(lines.join(""))
  }
  return {
    write: (entry, fiberId) => {
      const line = JSON.stringify({
        message: "request",
        logLevel: "INFO",
        timestamp: new Date().toISOString(),
        annotations: entry,
        spans: {},
        fiberId: fiberId === undefined ? undefined : fiberName(fiberId)
      })
      if (pending.push(`${line}\n`) === 1) setImmediate(flush)
    }
  }
}

/** Writes a request's log line where the `RequestLog` in context sends it. */
export const logEntry = (entry: RequestLogEntry) =>
  Effect.withFiberRuntime<void>((fiber) => {
    const log = Context.get(fiber.currentContext, RequestLog)
    if (log.write === undefined) return Effect.annotateLogs(Effect.logInfo("request"), { ...entry })
    log.write(entry, fiber.id())
    return Effect.void
  })

/**
 * The request id and the log line around a request: the id goes into the envelope
 * (`CurrentRequestId`) and the `x-request-id` header, and one structured log line is written once
 * the answer is known. The server writes the answer before outer middleware sees it, hence the
 * pre-response handler (which `answer` in answers.ts also applies to a middleware's own answers).
 */
export const requestLog = <E, R>(app: HttpApp.Default<E, R>) =>
  Effect.flatMap(Effect.zip(HttpServerRequest.HttpServerRequest, Clock.currentTimeMillis), ([request, started]) => {
    const requestId = requestIdOf(request.headers)
    const queryAt = request.url.indexOf("?")
    const path = queryAt === -1 ? request.url : request.url.slice(0, queryAt)
    return HttpApp.appendPreResponseHandler((_, response) =>
      Effect.flatMap(Clock.currentTimeMillis, (ended) =>
        Effect.as(
          logEntry({ request_id: requestId, method: request.method, path, status: response.status, duration_ms: ended - started }),
          HttpServerResponse.setHeader(response, "x-request-id", requestId)
        ))
    ).pipe(
      Effect.zipRight(FiberRef.set(CurrentRequestId, requestId)),
      Effect.zipRight(app)
    )
  })
