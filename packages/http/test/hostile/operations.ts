import { expect } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { type Answer, call } from "../harness"

/**
 * The operations of the served OpenAPI document, read the way a client generator reads them, so
 * the hostile-input tests cover an endpoint by its being in the document, not by a test of its own.
 */

export type Method = "GET" | "POST" | "PUT" | "DELETE"

export interface Parameter {
  readonly name: string
  readonly required: boolean
  /** The pattern its schema documents (an id's prefix and alphabet), if any. */
  readonly pattern: string | undefined
}

export interface Operation {
  readonly method: Method
  /** As the document writes it: `/api/v1/customers/{customerId}`. */
  readonly template: string
  readonly pathParams: ReadonlyArray<Parameter>
  readonly queryParams: ReadonlyArray<Parameter>
  /** The top-level fields its JSON body documents (none for an action without parameters). */
  readonly bodyFields: ReadonlyArray<string>
  /** Whether the method carries a body (a hostile one is sent whatever the document says). */
  readonly takesBody: boolean
  /**
   * Whether a JSON body is what it reads: no documented body, or one of `application/json`. An
   * operation that reads another media type (a bank statement's XML or CSV) refuses a JSON body
   * as such (400) before reading it (reconciliation-imports.test.ts holds that).
   */
  readonly readsJson: boolean
}

type Json = Record<string, any>

const resolve = (spec: Json, schema: Json | undefined): Json | undefined =>
  schema?.$ref === undefined ? schema : spec.components.schemas[String(schema.$ref).split("/").pop()!]

/** Every property name a body schema can have, through `$ref`, `anyOf`, `oneOf` and `allOf`. */
const propertiesOf = (spec: Json, schema: Json | undefined, seen = new Set<Json>()): Array<string> => {
  const resolved = resolve(spec, schema)
  if (resolved === undefined || seen.has(resolved)) return []
  seen.add(resolved)
  const nested = [...(resolved.anyOf ?? []), ...(resolved.oneOf ?? []), ...(resolved.allOf ?? [])]
  return [
    ...Object.keys(resolved.properties ?? {}),
    ...nested.flatMap((member: Json) => propertiesOf(spec, member, seen))
  ].filter((name, i, all) => all.indexOf(name) === i)
}

const parameter = (spec: Json, p: Json): Parameter => ({
  name: p.name,
  required: p.required === true,
  pattern: resolve(spec, p.schema)?.pattern
})

export const operationsOf = (spec: Json): ReadonlyArray<Operation> =>
  Object.entries<Json>(spec.paths).flatMap(([template, item]) =>
    Object.entries<Json>(item)
      .filter(([method]) => ["get", "post", "put", "delete"].includes(method))
      .map(([method, operation]) => ({
        method: method.toUpperCase() as Method,
        template,
        pathParams: (operation.parameters ?? []).filter((p: Json) => p.in === "path").map((p: Json) => parameter(spec, p)),
        queryParams: (operation.parameters ?? []).filter((p: Json) => p.in === "query").map((p: Json) => parameter(spec, p)),
        bodyFields: propertiesOf(spec, operation.requestBody?.content?.["application/json"]?.schema),
        takesBody: method !== "get",
        readsJson: operation.requestBody?.content === undefined || "application/json" in operation.requestBody.content
      }))
  )

/** The operations of the document the test server serves. */
export const operations = Effect.map(call("GET", "/openapi.json", { key: null }), (answer) => operationsOf(answer.body))

/** Values of the right shape for the parameters that are not under test. */
const SAMPLES: Record<string, string> = {
  countryCode: "DE",
  number: encodeURIComponent("+493012345678"),
  period: "2026-11"
}

/** A value its schema accepts: a sample, or an id of the prefix its pattern names. */
export const wellFormed = (param: Parameter): string => {
  const sample = SAMPLES[param.name]
  if (sample !== undefined) return sample
  const prefix = param.pattern === undefined ? undefined : /^\^([a-z]+)_/.exec(param.pattern)?.[1]
  return prefix === undefined ? "x" : `${prefix}_0000000000000000000000000`
}

/** The operation's path with `values` for the parameters they name and well-formed values for the rest. */
export const pathOf = (operation: Operation, values: Record<string, string> = {}): string =>
  operation.template.replace(/\{(\w+)\}/g, (_, name: string) =>
    values[name] ?? wellFormed(operation.pathParams.find((p) => p.name === name) ?? { name, required: true, pattern: undefined }))

/** What the answer is about, for assertion messages. */
export const describe = (operation: Operation, detail: string) => `${operation.method} ${operation.template} ${detail}`

/**
 * Hostile input refused as the contract says: the status, in the envelope (code, message, request
 * id), and never more than 2 KB, whatever the input was.
 */
export const expectRefused = (answer: Answer, status: number, code: string, about: string) => {
  expect(answer.status, `${about}: ${answer.text.slice(0, 300)}`).toBe(status)
  expect(answer.body?.success, about).toBe(false)
  expect(answer.body.error.code, about).toBe(code)
  expect(typeof answer.body.error.message, about).toBe("string")
  expect(answer.body.meta.request_id, about).toMatch(/./)
  expect(answer.text.length, `${about}: the error body's size`).toBeLessThanOrEqual(2048)
}
