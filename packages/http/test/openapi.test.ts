import * as OpenApi from "@effect/platform/OpenApi"
import { ProvisioApi } from "@provisio/http/api"
import { documentText, FIXTURE } from "@provisio/http/openapi/write-fixture"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { Ajv2020 } from "ajv/dist/2020.js"
import addFormats from "ajv-formats"
import { describe, expect, it } from "vitest"
import { operationsOf, parametersOf, resolve, responseOf } from "./openapi-document"

const spec = OpenApi.fromApi(ProvisioApi) as Record<string, any>
const operations = operationsOf(spec)
const ROOT = path.resolve(import.meta.dirname, "../../..")

/** Every `$ref` and `$id` in a node, with the path to it. */
const collect = (node: unknown, key: "$ref" | "$id", found: Array<string> = []): Array<string> => {
  if (Array.isArray(node)) node.forEach((child) => collect(child, key, found))
  else if (node !== null && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === key && typeof v === "string") found.push(v)
      else collect(v, key, found)
    }
  }
  return found
}

describe("the OpenAPI document", () => {
  it("is the committed fixture (npm run openapi writes it): a change to the contract shows in review", () => {
    expect(fs.readFileSync(FIXTURE, "utf8"), "packages/http/openapi.json is stale: run npm run openapi").toBe(documentText())
  })

  it("describes every endpoint, each with a summary, a description and a described tag", () => {
    const endpoints = Object.values(ProvisioApi.groups).flatMap((group) => Object.values(group.endpoints))
    expect(operations.length).toBe(endpoints.length)
    const tags = new Map((spec.tags as Array<{ name: string; description?: string }>).map((t) => [t.name, t.description]))
    for (const { method, operation, path } of operations) {
      expect(operation.summary, `${method} ${path}`).toMatch(/\S/)
      expect(operation.description, `${method} ${path}`).toMatch(/\S/)
      for (const tag of operation.tags) expect(tags.get(tag), `tag ${tag}`).toMatch(/\S/)
    }
    expect(spec.servers.length).toBeGreaterThan(0)
    expect(spec.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" })
  })

  it("documents every success as the envelope sent, its data typed by the payload", () => {
    for (const { method, operation, path } of operations) {
      for (const [status, answer] of Object.entries<any>(operation.responses)) {
        if (!status.startsWith("2") || answer.content === undefined || !path.startsWith("/api/")) continue
        // A document (a PDF, a UBL e-invoice) is its own media type, not the envelope; so is an export (CSV or NDJSON).
        if (answer.content["application/json"] === undefined) {
          const types = Object.keys(answer.content)
          if (path.startsWith("/api/v1/exports/")) expect(types, `${method} ${path} ${status}`).toEqual(["text/csv", "application/x-ndjson"])
          else expect(types, `${method} ${path} ${status}`).toEqual([expect.stringMatching(/^application\/(pdf|xml)$/)])
          continue
        }
        const envelope = resolve(spec, answer.content["application/json"].schema)
        const where = `${method} ${path} ${status}`
        expect(envelope.required, where).toEqual(["success", "data", "meta"])
        expect(envelope.properties.success.enum, where).toEqual([true])
        const data = resolve(spec, envelope.properties.data)
        // A payload of its own, never the envelope again.
        expect(data.properties?.success, where).toBeUndefined()
        if (operation.operationId.split(".")[1].startsWith("list")) {
          expect(envelope.properties.meta.properties.page, `${where} has meta.page`).toBeDefined()
        }
      }
    }
    for (const [name, schema] of Object.entries<any>(spec.components.schemas)) {
      expect(schema.properties?.data?.$ref, `${name} holds itself`).not.toBe(`#/components/schemas/${name}`)
    }
  })

  it("has no $id twice and no reference to a component that is missing", () => {
    const ids = collect(spec, "$id")
    expect(ids.length).toBe(new Set(ids).size)
    for (const ref of collect(spec, "$ref")) expect(resolve(spec, { $ref: ref }), ref).toBeDefined()
  })

  it("types the query: limit an integer from 1 to 200, default 50; actions without parameters have no body", () => {
    const lists = operations.filter(({ operation }) => parametersOf(spec, operation).some((p) => p.name === "limit"))
    expect(lists.length).toBeGreaterThan(30)
    for (const { operation } of lists) {
      expect(parametersOf(spec, operation).find((p) => p.name === "limit").schema).toEqual({
        type: "integer",
        minimum: 1,
        maximum: 200,
        default: 50
      })
    }
    for (const action of ["publish", "checkout", "void", "finalize", "replay", "port/complete", "port/cancel"]) {
      const found = operations.find(({ method, path }) => method === "post" && path.endsWith(`/${action}`))
      expect(found, action).toBeDefined()
      expect(found!.operation.requestBody, action).toBeUndefined()
    }
  })

  it("gives each endpoint its error answers in the envelope, with X-Request-Id on every answer", () => {
    for (const { method, operation, path } of operations) {
      const statuses = Object.keys(operation.responses)
      expect(statuses.some((s) => /^2/.test(s)), `${method} ${path} has a success answer`).toBe(true)
      expect(statuses, `${method} ${path} documents 500`).toContain("500")
      if (path.startsWith("/api/v1")) {
        expect(statuses, `${method} ${path} documents 401`).toContain("401")
        expect(statuses, `${method} ${path} documents 404`).toContain("404")
      }
      if (operation.requestBody !== undefined) expect(statuses, `${method} ${path} documents 422`).toContain("422")
      for (const status of statuses) {
        expect(responseOf(spec, operation, status).headers["X-Request-Id"], `${method} ${path} ${status}`).toBeDefined()
      }
    }
    const notFound = spec.components.schemas["NotFound"]
    expect(notFound.properties.success.enum).toEqual([false])
    expect(notFound.properties.error.properties.code.enum).toEqual(["not_found"])
    expect(JSON.stringify(spec)).not.toContain("HttpApiDecodeError")
  })

  it("shows an example of each main resource, valid against its schema", () => {
    const ajv = new Ajv2020({ strict: false })
    addFormats.default(ajv)
    ajv.addSchema({ $id: "document.json", components: spec.components })
    for (const name of ["Customer", "Order", "Subscription", "Invoice", "Payment", "Plan", "Product", "Partner", "Distributor"]) {
      const examples = spec.components.schemas[name].examples
      expect(examples, name).toHaveLength(1)
      const validate = ajv.compile({ $ref: `document.json#/components/schemas/${name}` })
      expect(validate(examples[0]), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true)
    }
  })

  it("passes Redocly's recommended rules and Spectral's OpenAPI rules without an error", async () => {
    const run = promisify(execFile)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provisio-openapi-"))
    const ruleset = path.join(dir, ".spectral.yaml")
    fs.writeFileSync(ruleset, "extends: [\"spectral:oas\"]\n")
    const bin = (name: string) => path.join(ROOT, "node_modules", ".bin", name)
    try {
      const redocly = await run(bin("redocly"), ["lint", FIXTURE, "--extends=recommended", "--format=json"], {
        cwd: dir,
        maxBuffer: 64 * 1024 * 1024
      }).catch((error) => error as { stdout: string })
      const problems: Array<{ severity: string; ruleId: string; message: string }> = JSON.parse(redocly.stdout).problems
      expect(problems.filter((p) => p.severity === "error")).toEqual([])
      const spectral = await run(bin("spectral"), ["lint", FIXTURE, "--ruleset", ruleset, "--format", "json", "--quiet"], {
        cwd: dir,
        maxBuffer: 64 * 1024 * 1024
      }).catch((error) => error as { stdout: string })
      const results: Array<{ severity: number; code: string; message: string }> = JSON.parse(spectral.stdout)
      // Spectral's severities: 0 is an error.
      expect(results.filter((r) => r.severity === 0)).toEqual([])
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
