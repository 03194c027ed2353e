import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/** An error of the contract as the API sends every error: the envelope, with the status of its wire schema. */
export const errorResponse = <A, I>(schema: Schema.Schema<A, I>, error: A) =>
  Effect.map(
    Effect.orDie(Schema.encode(schema)(error)),
    (body) => HttpServerResponse.unsafeJson(body, { status: HttpApiSchema.getStatusError(schema) })
  )

/**
 * An answer a middleware around the app gives itself, without running the app. Only answers
 * that come out of the app go through the pre-response handlers (the request id header, the log
 * line), so they are applied here, as the server would.
 */
export const answer = (request: HttpServerRequest.HttpServerRequest, response: HttpServerResponse.HttpServerResponse) =>
  Effect.flatMap(FiberRef.get(HttpApp.currentPreResponseHandlers), (handler) =>
    Option.isNone(handler)
      ? Effect.succeed(response)
      : Effect.orElseSucceed(handler.value(request, response), () => response))

/** `errorResponse` answered at once (`answer`). */
export const refuse = <A, I>(request: HttpServerRequest.HttpServerRequest, schema: Schema.Schema<A, I>, error: A) =>
  Effect.flatMap(errorResponse(schema, error), (response) => answer(request, response))
