import type * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { ServerResponse } from "node:http"
import { ProvisioApi } from "./api.js"
import { logEntry } from "./middleware/request-log.js"

/**
 * What the direct routes (direct-reads.ts, direct-writes.ts) share with the app: the endpoint as
 * `ProvisioApi` declares it, and its answers encoded with the schemas the app encodes them with.
 */

/** An answer ready to be written: its status and its body before `JSON.stringify`. */
export interface DirectAnswer {
  readonly status: number
  readonly body: unknown
}

export type DeclaredEndpoint = HttpApiEndpoint.HttpApiEndpoint.AnyWithProps

/** An endpoint of `ProvisioApi` by its group and name; a wrong name is a bug, caught at start-up. */
export const declaredEndpoint = (group: string, endpoint: string): DeclaredEndpoint => {
  const declared = ProvisioApi.groups[group]?.endpoints[endpoint] as DeclaredEndpoint | undefined
  if (declared === undefined) throw new Error(`no endpoint ${group}.${endpoint}`)
  return declared
}

/** The endpoint's success encoded as the app encodes it, with the status it declares (200, 201). */
export const successAnswer = <A>(declared: DeclaredEndpoint) => {
  const schema = declared.successSchema as Schema.Schema<A, unknown>
  const encode = Schema.encode(schema)
  const status = HttpApiSchema.getStatusSuccess(schema)
  return (value: A): Effect.Effect<DirectAnswer, ParseResult.ParseError> =>
    Effect.map(encode(value), (body) => ({ status, body }))
}

/**
 * The errors the app can answer for `declared`, each with its wire schema (status, code, envelope):
 * the API's, its group's and its own, as `HttpApiBuilder` gathers them. `answer` encodes a failure
 * with the first that takes it; `undefined` for one the endpoint does not declare.
 */
export const errorAnswers = (group: string, declared: DeclaredEndpoint) => {
  const schemas = new Set<Schema.Schema.Any>()
  HttpApiSchema.deunionize(schemas, ProvisioApi.errorSchema as Schema.Schema.Any)
  HttpApiSchema.deunionize(schemas, ProvisioApi.groups[group]!.errorSchema as Schema.Schema.Any)
  HttpApiSchema.deunionize(schemas, declared.errorSchema as Schema.Schema.Any)
  const wires = Array.from(schemas, (schema) => ({
    is: Schema.is(Schema.typeSchema(schema as Schema.Schema<unknown, unknown>)),
    encode: Schema.encode(schema as Schema.Schema<unknown, unknown>),
    status: HttpApiSchema.getStatusError(schema)
  }))
  // Encoding reads the request id (a FiberRef), so it is an effect; `is` picks the schema first.
  return (error: unknown): Effect.Effect<DirectAnswer | undefined> => {
    const wire = wires.find((candidate) => candidate.is(error))
    if (wire === undefined) return Effect.succeed(undefined)
    return Effect.match(wire.encode(error), {
      onFailure: () => undefined,
      onSuccess: (body) => ({ status: wire.status, body })
    })
  }
}

/**
 * An answer written as the app writes it (its JSON, `content-length`, `x-request-id`), then the
 * request's log line, timed from `started`.
 */
export const writeAnswer = (
  response: ServerResponse,
  request: { readonly requestId: string; readonly method: string; readonly path: string; readonly started: number },
  status: number,
  text: string
) =>
  Effect.flatMap(Clock.currentTimeMillis, (ended) => {
    response.writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(text),
      "x-request-id": request.requestId
    })
    response.end(text)
    return logEntry({ request_id: request.requestId, method: request.method, path: request.path, status, duration_ms: ended - request.started })
  })
