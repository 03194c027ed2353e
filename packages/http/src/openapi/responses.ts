import { isKeptAnswer } from "@provisio/core/shared/idempotency"
import { operationsOf, type Spec } from "./spec.js"

/** The answers of the operations: their headers, the words of the errors, the shared ones. */

/** What each error status means, for the answers HttpApi describes by a schema's name. */
const STATUS_TEXT: Record<string, string> = {
  "400": "The body is not JSON",
  "401": "No credentials, or they are invalid or expired",
  "403": "The caller's role, edition or account does not allow it",
  "404": "Not found, or outside the caller's scope",
  "409": "A conflict with the current state, or with a request in progress under the same idempotency key",
  "413": "The body is too large or nests too deep",
  "422": "A field is invalid, or a business rule refuses the request (`field` names the field)",
  "429": "Too many requests: wait the `Retry-After` seconds",
  "500": "A failure on our side; never bad input",
  "503": "Not ready"
}

const refName = (schema: any) => (typeof schema?.$ref === "string" ? schema.$ref.split("/").pop() : undefined)

/** The error schemas an answer may carry (`NotFound`, `Forbidden`, ...), in order. */
const schemaNames = (response: any): ReadonlyArray<string> => {
  const schema = response?.content?.["application/json"]?.schema
  const members: ReadonlyArray<any> = Array.isArray(schema?.anyOf) ? schema.anyOf : schema === undefined ? [] : [schema]
  return members.map(refName).filter((name): name is string => name !== undefined)
}

/** Error answers described by a schema's name (HttpApi's default) say what the status means. */
export const describeErrorResponses = (spec: Spec): Spec => {
  for (const { operation } of operationsOf(spec)) {
    for (const [status, response] of Object.entries<any>(operation.responses)) {
      if (status.startsWith("2") || STATUS_TEXT[status] === undefined) continue
      if (schemaNames(response).includes(response.description)) response.description = STATUS_TEXT[status]
    }
  }
  return spec
}

/** `ForbiddenOrAccountSuspended`; with `OnPost` where the answer may be an idempotent replay. */
const responseName = (status: string, response: any) => {
  const names = schemaNames(response)
  const base = names.length > 0 ? names.join("Or") : `Status${status}`
  return response.headers?.["Idempotent-Replayed"] === undefined ? base : `${base}OnPost`
}

const header = (name: string) => ({ $ref: `#/components/headers/${name}` })

/**
 * Every answer carries `X-Request-Id`; a `POST`'s may be a replay (`Idempotent-Replayed`), of
 * the statuses the idempotency store keeps. Declared once, referenced.
 */
export const withResponseHeaders = (spec: Spec): Spec => {
  spec.components.headers = {
    ...spec.components.headers,
    RequestId: {
      description: "The request's id, as in `meta.request_id` (an inbound `X-Request-Id` is reused)",
      schema: { type: "string" }
    },
    IdempotentReplayed: {
      description: "`true` when the answer is the stored answer to an earlier request with the same `X-Idempotency-Key`",
      schema: { type: "string", enum: ["true"] }
    }
  }
  for (const { method, operation, path } of operationsOf(spec)) {
    for (const [status, response] of Object.entries<any>(operation.responses)) {
      response.headers = {
        "X-Request-Id": header("RequestId"),
        ...(method === "post" && path.startsWith("/api/v1/") && isKeptAnswer(Number(status))
          ? { "Idempotent-Replayed": header("IdempotentReplayed") }
          : {}),
        ...response.headers
      }
    }
  }
  return spec
}

/**
 * An answer documented alike on many operations (401, 404, 429, 500, ...) is declared once in
 * `components.responses`, named after what it answers, and referenced: the same contract in a
 * document a reader (and a diff) can take in.
 */
export const withSharedResponses = (spec: Spec): Spec => {
  const uses = new Map<string, number>()
  const responses = operationsOf(spec).flatMap(({ operation }) => Object.entries<any>(operation.responses))
  const statusOf = new Map<string, string>()
  for (const [status, response] of responses) {
    if (status.startsWith("2")) continue
    const key = JSON.stringify(response)
    uses.set(key, (uses.get(key) ?? 0) + 1)
    statusOf.set(key, status)
  }
  const names = new Map<string, string>()
  const shared: Record<string, unknown> = {}
  for (const [key, count] of uses) {
    if (count < 3) continue
    const response = JSON.parse(key)
    const status = statusOf.get(key)!
    const base = responseName(status, response)
    let name = base
    for (let n = 2; shared[name] !== undefined; n++) name = `${base}${n}`
    shared[name] = response
    names.set(key, name)
  }
  for (const { operation } of operationsOf(spec)) {
    for (const [status, response] of Object.entries<any>(operation.responses)) {
      const name = names.get(JSON.stringify(response))
      if (name !== undefined) operation.responses[status] = { $ref: `#/components/responses/${name}` }
    }
  }
  spec.components.responses = { ...spec.components.responses, ...shared }
  return spec
}

