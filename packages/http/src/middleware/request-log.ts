import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { makeId } from "@provisio/core/shared/ids"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { CurrentRequestId } from "../envelope.js"

const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * Around every request: the request id (the caller's `X-Request-Id` when it sent a usable one),
 * echoed in a header and in the envelope, and one structured log line once the answer is known.
 * The server writes the answer before outer middleware sees it, hence the pre-response handler.
 */
export const requestLog = <E, R>(app: HttpApp.Default<E, R>) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const inbound = request.headers["x-request-id"]
    const requestId = inbound !== undefined && VALID_REQUEST_ID.test(inbound) ? inbound : yield* makeId("req")
    const started = yield* Clock.currentTimeMillis
    yield* HttpApp.appendPreResponseHandler((_, response) =>
      Effect.gen(function* () {
        yield* Effect.logInfo("request").pipe(
          Effect.annotateLogs({
            request_id: requestId,
            method: request.method,
            path: request.url.split("?")[0],
            status: response.status,
            duration_ms: (yield* Clock.currentTimeMillis) - started
          })
        )
        return HttpServerResponse.setHeader(response, "x-request-id", requestId)
      })
    )
    return yield* Effect.locally(app, CurrentRequestId, requestId)
  })
