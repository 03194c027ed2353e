import * as OpenApi from "@effect/platform/OpenApi"
import { ProvisioApi } from "@provisio/http/api"
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js"
import addFormats from "ajv-formats"
import { resolve } from "./openapi-document"

/**
 * Every answer the suites receive is held to the document the server serves (Ajv, JSON Schema
 * 2020-12, with formats): its status must be documented for the operation, and its body must
 * match what the document says of that status. A difference fails the test that received it.
 */
const spec = OpenApi.fromApi(ProvisioApi) as Record<string, any>
const DOCUMENT = "provisio-openapi.json"

const ajv = new Ajv2020({ strict: false, allErrors: true })
addFormats.default(ajv)
ajv.addSchema({ $id: DOCUMENT, components: spec.components })

/** A document's path template as a pattern, its literal segments counted to prefer the most specific. */
const routes = Object.entries<any>(spec.paths).map(([template, item]) => {
  const segments = template.split("/")
  const pattern = new RegExp(`^${segments.map((s) => (/^\{.+\}$/.test(s) ? "[^/]+" : s.replace(/[.*+?^$()|[\]\\]/g, "\\$&"))).join("/")}$`)
  return { template, item, pattern, literals: segments.filter((s) => !/^\{.+\}$/.test(s)).length }
}).sort((a, b) => b.literals - a.literals)

const validators = new Map<string, ValidateFunction>()

/** The schema of a documented answer, its references aimed at the document Ajv holds. */
const validatorFor = (key: string, schema: unknown) => {
  let validate = validators.get(key)
  if (validate === undefined) {
    const text = JSON.stringify(schema).replaceAll("\"#/components/", `"${DOCUMENT}#/components/`)
    validate = ajv.compile(JSON.parse(text))
    validators.set(key, validate)
  }
  return validate
}

export interface Received {
  readonly method: string
  readonly path: string
  readonly status: number
  readonly contentType: string | undefined
  readonly body: unknown
}

/** Why an answer differs from the document, or undefined when it conforms (or the route is not in it). */
export const nonConformance = (received: Received): string | undefined => {
  const pathOnly = received.path.split("?")[0]!.split("#")[0]!
  const route = routes.find((r) => r.pattern.test(pathOnly) && r.item[received.method.toLowerCase()] !== undefined)
  if (route === undefined) return undefined
  const operation = route.item[received.method.toLowerCase()]
  const where = `${received.method} ${route.template} ${received.status}`
  const documented = operation.responses[String(received.status)] ?? operation.responses["default"]
  if (documented === undefined) {
    return `${where}: the status is not documented (documented: ${Object.keys(operation.responses).join(", ")})`
  }
  const schema = resolve(spec, documented).content?.["application/json"]?.schema
  if (schema === undefined) return undefined
  if (!(received.contentType ?? "").includes("json")) return `${where}: documented as JSON, sent ${received.contentType ?? "no body"}`
  const validate = validatorFor(`${received.method} ${route.template} ${received.status}`, schema)
  if (validate(received.body)) return undefined
  const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || "(body)"} ${e.message}`).join("; ")
  return `${where}: the body differs from the document: ${errors}`
}
