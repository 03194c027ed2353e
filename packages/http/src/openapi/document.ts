import { withoutBuiltInDecodeError } from "./decode-errors.js"
import { withExamples } from "./examples.js"
import { describeOperations } from "./operations.js"
import { operationsOf, type Spec } from "./spec.js"
import { documentRequestGuards } from "./request-guards.js"
import { withRequestHeaders } from "./request-headers.js"
import { describeErrorResponses, withResponseHeaders, withSharedResponses } from "./responses.js"
import { describeTags } from "./tags.js"

/**
 * What `OpenApi.fromApi` leaves for the document to be read as the contract: each step below says
 * what it corrects or adds. The server serves the result at `/openapi.json`; the committed
 * `openapi.json` fixture is the same document, so a change to the contract shows in review.
 */

/** `NoBody` as HttpApi documents it: its members, since it splits a payload union by content type. */
const isNoBody = (schema: any) => {
  const members: ReadonlyArray<any> = Array.isArray(schema?.anyOf) ? schema.anyOf : []
  const emptyObject = (member: any) =>
    member?.$id === "/schemas/%7B%7D" || JSON.stringify(member) === JSON.stringify({ anyOf: [{ type: "object" }, { type: "array" }] }) ||
    // The record NoBody checks to be empty (a field sent is 422): no property of its own.
    (member?.type === "object" && Object.keys(member.properties ?? {}).length === 0 && member.additionalProperties?.title === "unknown")
  return members.length === 2 && members.some((m) => m?.type === "null") && members.some(emptyObject)
}

/**
 * Actions without parameters (publish, checkout, void, ...) take no body: the document shows
 * none. An action whose parameters are all optional (`NullOr` of them: cancel) takes its body or
 * none: the body is not required, and `null` is no body to document.
 */
const withoutEmptyBodies = (spec: Spec): Spec => {
  for (const { operation } of operationsOf(spec)) {
    const content = operation.requestBody?.content?.["application/json"]
    if (isNoBody(content?.schema)) {
      delete operation.requestBody
      continue
    }
    const members: ReadonlyArray<any> | undefined = content?.schema?.anyOf
    if (members?.some((member) => member?.type === "null")) {
      const rest = members.filter((member) => member?.type !== "null")
      content.schema = rest.length === 1 ? rest[0] : { anyOf: rest }
      operation.requestBody.required = false
    }
  }
  return spec
}

/**
 * Effect's JSON Schema marks its `unknown` and `{}` schemas with an `$id` (`/schemas/unknown`),
 * repeated wherever they appear: validators refuse a document in which one id names two schemas.
 */
const withoutSchemaIds = (spec: Spec): Spec => {
  const strip = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(strip)
    if (node === null || typeof node !== "object") return
    const record = node as Record<string, unknown>
    if (typeof record["$id"] === "string" && record["$id"].startsWith("/schemas/")) delete record["$id"]
    Object.values(record).forEach(strip)
  }
  strip(spec)
  return spec
}

const withServers = (spec: Spec): Spec => ({
  ...spec,
  info: { ...spec.info, contact: { name: "Provisio", url: "https://github.com/provisio" } },
  servers: [{ url: "http://localhost:8080", description: "A server started with `npm start` (PORT, default 8080)" }]
})

/** The document as served: every correction and addition, in order (bodies go before the guards read them). */
export const finishDocument = (spec: Spec): Spec =>
  [
    withoutEmptyBodies,
    withoutBuiltInDecodeError,
    documentRequestGuards,
    withoutSchemaIds,
    withResponseHeaders,
    describeErrorResponses,
    withSharedResponses,
    describeOperations,
    describeTags,
    withExamples,
    withServers,
    withRequestHeaders
  ].reduce((document, step) => step(document), spec)
