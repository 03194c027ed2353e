import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpMethod from "@effect/platform/HttpMethod"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { NotFound, ValidationError } from "@provisio/core/shared/errors"
import { excerpt, isStorableText, UNSTORABLE_TEXT_MESSAGE } from "@provisio/core/shared/text"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Schema from "effect/Schema"
import { Readable } from "node:stream"
import { BadRequest, BadRequestError, NotFoundError, PayloadTooLarge, PayloadTooLargeError, ValidationErrorError } from "../errors.js"
import { refuse } from "./answers.js"
import { fieldPath } from "../field-path.js"

export const MEGABYTE = 1024 * 1024

/** A JSON body's size, unless its route says otherwise (`BODY_POLICIES`). */
export const DEFAULT_BODY_LIMIT = MEGABYTE

/** How deep objects and arrays may nest in a JSON body: what the contract needs, with room to spare. */
export const MAX_JSON_DEPTH = 32

export interface BodyPolicy {
  readonly method: string
  readonly path: string
  readonly maxBytes: number
  /**
   * A top-level list whose items the use case reads one by one, rejecting a bad one on its own
   * and keeping the rest: the boundary leaves the text inside them to it.
   */
  readonly itemsReadByUseCase?: string
  /**
   * The body is a document read as text by its use case (a bank statement), not JSON: sent in one
   * of these content types (any other is `400`), it is handed on as its text, unparsed. `text/xml`
   * is handed on as `application/xml`.
   */
  readonly textTypes?: ReadonlyArray<string>
}

/** The routes that take more than `DEFAULT_BODY_LIMIT` (docs/limits.md lists them). */
export const BODY_POLICIES: ReadonlyArray<BodyPolicy> = [
  // 1,000 usage records with ids of up to 200 characters each.
  { method: "POST", path: "/api/v1/usage", maxBytes: 4 * MEGABYTE, itemsReadByUseCase: "records" },
  // A bank statement: a month of a busy account's camt.053 entries.
  {
    method: "POST",
    path: "/api/v1/reconciliation/statements",
    maxBytes: 16 * MEGABYTE,
    textTypes: ["application/xml", "text/xml", "text/csv"]
  }
]

export const policyOf = (method: string, path: string): BodyPolicy =>
  BODY_POLICIES.find((policy) => policy.method === method && policy.path === path) ??
    { method, path, maxBytes: DEFAULT_BODY_LIMIT }

/** The largest body a route takes (`method` in any case), for the document. */
export const bodyLimitOf = (method: string, path: string): number => policyOf(method.toUpperCase(), path).maxBytes

interface Finding {
  readonly problem: "unstorable" | "too_deep"
  readonly path: ReadonlyArray<PropertyKey>
}

/**
 * The first string (value or key) PostgreSQL could not store, or the first place nested deeper
 * than `MAX_JSON_DEPTH`. One pass; the recursion stops at the depth limit, so a hostile body
 * cannot exhaust the stack. Keys are pushed on `path` and popped, copied only for a finding.
 */
const inspect = (root: unknown, policy: BodyPolicy): Finding | undefined => {
  const path: Array<PropertyKey> = []
  const visit = (value: unknown, depth: number, checkText: boolean): Finding | undefined => {
    if (typeof value === "string") {
      return checkText && !isStorableText(value) ? { problem: "unstorable", path: [...path] } : undefined
    }
    if (typeof value !== "object" || value === null) return undefined
    if (depth > MAX_JSON_DEPTH) return { problem: "too_deep", path: [...path] }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        path.push(i)
        const found = visit(value[i], depth + 1, checkText)
        path.pop()
        if (found !== undefined) return found
      }
      return undefined
    }
    for (const key in value) {
      path.push(key)
      if (checkText && !isStorableText(key)) return { problem: "unstorable", path: [...path] }
      const useCaseReads = depth === 1 && key === policy.itemsReadByUseCase
      const found = visit((value as Record<string, unknown>)[key], depth + 1, checkText && !useCaseReads)
      path.pop()
      if (found !== undefined) return found
    }
    return undefined
  }
  return visit(root, 1, true)
}

/** Why a JSON body is refused, as the answer that refuses it. */
export type BodyRefusal = (request: HttpServerRequest.HttpServerRequest) => ReturnType<typeof refuse>

const refusal = <A, I>(schema: Schema.Schema<A, I>, error: A): BodyRefusal => (request) => refuse(request, schema, error)

/**
 * A JSON body's text (already within its size) parsed and checked: malformed JSON is `400`,
 * nesting deeper than `MAX_JSON_DEPTH` `413`, text PostgreSQL cannot store `422` naming its field.
 * An empty text is `null`. The input boundary and the direct writes (direct-writes.ts) both use it.
 */
export const parseJsonBody = (text: string, policy: BodyPolicy): Either.Either<unknown, BodyRefusal> => {
  if (text === "") return Either.right(null)
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return Either.left(refusal(BadRequestError, new BadRequest({ message: "the request body is not valid JSON" })))
  }
  const finding = inspect(body, policy)
  if (finding === undefined) return Either.right(body)
  if (finding.problem === "too_deep") {
    const first = finding.path[0]
    return Either.left(refusal(
      PayloadTooLargeError,
      new PayloadTooLarge({
        message: `the JSON body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels`,
        field: typeof first === "string" ? first : undefined
      })
    ))
  }
  const field = fieldPath(finding.path)
  return Either.left(refusal(
    ValidationErrorError,
    new ValidationError({ message: UNSTORABLE_TEXT_MESSAGE, field: field === "" ? undefined : field })
  ))
}

/** A path segment decoded, or undefined when it is not valid percent-encoded UTF-8. */
const decodeSegment = (segment: string): string | undefined => {
  if (segment.indexOf("%") === -1) return segment
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

const tooLarge = (request: HttpServerRequest.HttpServerRequest, maxBytes: number) =>
  refuse(
    request,
    PayloadTooLargeError,
    new PayloadTooLarge({ message: `the request body is larger than ${maxBytes} bytes, the most this route accepts` })
  )

type BodyRead = string | "too_large" | "unreadable"

/**
 * Node's request stream read up to `maxBytes`. Past it the rest is let run by unread, not
 * destroyed (the platform's reader destroys the socket, and the 413 with it): the server drains it
 * and the connection stays usable.
 */
const readNodeBody = (source: Readable, maxBytes: number): Effect.Effect<BodyRead> =>
  Effect.async<BodyRead>((resume) => {
    const chunks: Array<Buffer> = []
    let bytes = 0
    const stop = () => {
      source.off("data", onData)
      source.off("end", onEnd)
      source.off("error", onError)
    }
    const onData = (chunk: Buffer) => {
      bytes += chunk.length
      if (bytes <= maxBytes) return void chunks.push(chunk)
      stop()
      resume(Effect.succeed("too_large"))
    }
    const onEnd = () => {
      stop()
      resume(Effect.succeed(Buffer.concat(chunks).toString("utf8")))
    }
    const onError = () => {
      stop()
      resume(Effect.succeed("unreadable"))
    }
    source.on("data", onData)
    source.once("end", onEnd)
    source.once("error", onError)
    return Effect.sync(stop)
  })

/** The body as text, within `maxBytes`: from Node's stream, or from a host's web request. */
const readBody = (request: HttpServerRequest.HttpServerRequest, maxBytes: number): Effect.Effect<BodyRead> => {
  const source = (request as { readonly source?: unknown }).source
  if (source instanceof Readable) return readNodeBody(source, maxBytes)
  return Effect.match(request.text, {
    onFailure: () => "unreadable" as const,
    onSuccess: (text) =>
      text.length > maxBytes / 3 && Buffer.byteLength(text, "utf8") > maxBytes ? "too_large" as const : text
  })
}

/**
 * A document body (`BodyPolicy.textTypes`): refused unless sent as one of `types` or with text
 * PostgreSQL cannot store, else handed on unparsed with its media type (no parameters).
 */
const handOnText = <E, R>(
  app: HttpApp.Default<E, R>,
  request: HttpServerRequest.HttpServerRequest,
  types: ReadonlyArray<string>,
  text: string
) => {
  const sent = (request.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase()
  if (!types.includes(sent)) {
    return refuse(
      request,
      BadRequestError,
      new BadRequest({ message: `the body must be sent as ${types.join(", ")}; it came as ${JSON.stringify(excerpt(sent))}` })
    )
  }
  if (!isStorableText(text)) {
    return refuse(request, ValidationErrorError, ValidationError.of("body", UNSTORABLE_TEXT_MESSAGE))
  }
  const bytes = Buffer.from(text, "utf8")
  const parsed = Object.create(request, {
    headers: { value: { ...request.headers, "content-type": sent === "text/xml" ? "application/xml" : sent } },
    text: { value: Effect.succeed(text) },
    arrayBuffer: { value: Effect.succeed(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) }
  }) as HttpServerRequest.HttpServerRequest
  return Effect.provideService(app, HttpServerRequest.HttpServerRequest, parsed)
}

/**
 * The API's one input boundary, around the whole app and before anything reads the request:
 * - a path segment that is not valid percent-encoded UTF-8, or holds a NUL character, names
 *   nothing: `404`; a query parameter that holds one is `422 validation_error` naming it;
 * - a body larger than its route allows (`DEFAULT_BODY_LIMIT`, `BODY_POLICIES`) is
 *   `413 payload_too_large`, by its `Content-Length` before a byte is read, else as it streams
 *   (the rest is drained unread, so the answer reaches the client);
 * - the body is read as JSON whatever its Content-Type claims (`curl -d` labels it a form, and a
 *   form parsed as one would only report every field missing); malformed JSON is `400`;
 * - objects and arrays nested deeper than `MAX_JSON_DEPTH` are `413`, and a string (or key)
 *   with a NUL character or a lone surrogate, which PostgreSQL cannot store, is `422` naming
 *   its field: before any schema decodes the body and whichever endpoint it is for.
 * The parsed body is handed on, so the handler and the idempotency guard do not parse it again. A
 * route whose body is a document (`textTypes`: a bank statement) gets its text, not JSON.
 */
export const inputBoundary = <E, R>(app: HttpApp.Default<E, R>) =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    const queryAt = request.url.indexOf("?")
    const path = queryAt === -1 ? request.url : request.url.slice(0, queryAt)

    for (const segment of path.split("/")) {
      const decoded = decodeSegment(segment)
      if (decoded === undefined || !isStorableText(decoded)) {
        return refuse(request, NotFoundError, new NotFound({ message: "no resource has this path" }))
      }
    }
    if (queryAt !== -1) {
      for (const [name, value] of new URLSearchParams(request.url.slice(queryAt + 1))) {
        if (!isStorableText(name) || !isStorableText(value)) {
          return refuse(request, ValidationErrorError, ValidationError.of(excerpt(name), UNSTORABLE_TEXT_MESSAGE))
        }
      }
    }
    // A bodiless request (most reads) goes straight on: no generator, nothing more to check.
    return HttpMethod.hasBody(request.method) ? readJsonBody(app, request, path) : app
  })

/** `inputBoundary` for a request that may have a body: read, limited, parsed and checked. */
const readJsonBody = <E, R>(app: HttpApp.Default<E, R>, request: HttpServerRequest.HttpServerRequest, path: string) =>
  Effect.gen(function* () {
    const policy = policyOf(request.method, path)
    const declared = Number(request.headers["content-length"] ?? Number.NaN)
    if (declared > policy.maxBytes) return yield* tooLarge(request, policy.maxBytes)

    const text = yield* readBody(request, policy.maxBytes)
    if (text === "too_large") return yield* tooLarge(request, policy.maxBytes)
    if (text === "unreadable") {
      return yield* refuse(request, BadRequestError, new BadRequest({ message: "the request body could not be read" }))
    }

    if (policy.textTypes !== undefined) return yield* handOnText(app, request, policy.textTypes, text)

    const parsed = parseJsonBody(text, policy)
    if (Either.isLeft(parsed)) return yield* parsed.left(request)
    const body = parsed.right

    // The same request, read: its text and JSON from here, and JSON whatever the Content-Type said.
    const read = Object.create(request, {
      headers: { value: { ...request.headers, "content-type": "application/json" } },
      text: { value: Effect.succeed(text) },
      json: { value: Effect.succeed(body) }
    }) as HttpServerRequest.HttpServerRequest
    return yield* Effect.provideService(app, HttpServerRequest.HttpServerRequest, read)
  })
