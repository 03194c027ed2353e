import { makeId } from "@provisio/core/shared/ids"
import * as Effect from "effect/Effect"
import { createServer, type Server } from "node:http"
import type { Duplex } from "node:stream"
import { API_VERSION } from "./envelope.js"

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
    meta: { request_id: Effect.runSync(makeId("req")), api_version: API_VERSION }
  })
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`
  )
}

/** The Node server the API is served by (`ServerLive`). */
export const createApiServer = (): Server => createServer().on("clientError", answerUnparsable)
