import type * as Context from "effect/Context"
import { createServer, type IncomingMessage, Server, type ServerResponse } from "node:http"
import type { Duplex } from "node:stream"
import type { DirectReads, HandOver } from "./direct-reads.js"
import { API_VERSION } from "./envelope.js"
import { RequestLog, requestIdOf } from "./middleware/request-log.js"
import { unsafeRequestId } from "@provisio/core/shared/ids"

/**
 * A request Node's parser refuses before the app sees it (a NUL or a newline in a header, a
 * header block over 16 KB, a broken request line) is answered in the envelope too, not with
 * Node's bare `400`: a client reads the same shape whatever went wrong.
 */
const answerUnparsable = (error: Error & { readonly code?: string }, socket: Duplex) => {
  if (!socket.writable) return void socket.destroy()
  const tooLarge = error.code === "HPE_HEADER_OVERFLOW"
  const [status, reason] = tooLarge ? [431, "Request Header Fields Too Large"] : [400, "Bad Request"]
  const body = JSON.stringify({
    success: false,
    error: {
      code: "bad_request",
      message: tooLarge ? "the request's headers are larger than 16 KB" : "the request could not be parsed as HTTP"
    },
    meta: { request_id: unsafeRequestId(), api_version: API_VERSION }
  })
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`
  )
}

type LogWrite = NonNullable<Context.Tag.Service<RequestLog>["write"]>

/**
 * `GET /healthz` answered as the API answers it (the envelope, the request id in it and in
 * `x-request-id`, the log line), before the request reaches the Effect app: a liveness probe
 * needs none of it, and the app's fixed cost per request made it run at a tenth of what Node
 * does (docs/performance.md). The API's route stays, for the document and for hosts.
 */
const answerHealth = (request: IncomingMessage, response: ServerResponse, write: LogWrite): boolean => {
  if (request.url !== "/healthz" || request.method !== "GET") return false
  const started = Date.now()
  const requestId = requestIdOf(request.headers)
  const body = `{"success":true,"data":{"status":"ok"},"meta":{"request_id":${JSON.stringify(requestId)},"api_version":"${API_VERSION}"}}`
  response.writeHead(200, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    "x-request-id": requestId
  })
  response.end(body)
  write({ request_id: requestId, method: "GET", path: "/healthz", status: 200, duration_ms: Date.now() - started }, undefined)
  return true
}

/**
 * The Node server the API is served by (`ServerLive`). With the `RequestLog` the server writes
 * (`provisio serve`), it answers `/healthz` itself; with `direct`, the hottest reads
 * (direct-reads.ts); every other request goes to the app. Requests it answers never reach the
 * `request` listeners the platform adds: the place for any other handler that must run before the
 * app (a static folder).
 */
export const createApiServer = (
  options: { readonly log?: Context.Tag.Service<RequestLog>; readonly direct?: (handOver: HandOver) => DirectReads } = {}
): Server => {
  const write = options.log?.write
  const makeDirect = options.direct
  if (write === undefined && makeDirect === undefined) return createServer().on("clientError", answerUnparsable)
  const server = new (class extends Server {
    readonly direct = makeDirect?.((request, response) => void super.emit("request", request, response))
    override emit(event: string, ...args: Array<any>): boolean {
      if (event === "request") {
        if (write !== undefined && answerHealth(args[0], args[1], write)) return true
        if (this.direct !== undefined && this.direct(args[0], args[1])) return true
      }
      return super.emit(event, ...args)
    }
  })()
  return server.on("clientError", answerUnparsable)
}
