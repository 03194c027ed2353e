import * as JSONSchema from "effect/JSONSchema"
import { ErrorBody } from "../envelope.js"
import { bodyLimitOf, MAX_JSON_DEPTH } from "../middleware/input-boundary.js"

/**
 * The request guards work around the endpoints (middleware/idempotency.ts, middleware/rate-limit.ts,
 * middleware/input-boundary.ts), so HttpApi does not see them: document them on the operations
 * they apply to. Every `POST` under `/api/v1` takes `X-Idempotency-Key` and may answer
 * `409 idempotency_in_progress` and `422 idempotency_key_reused`; every `429` carries
 * `Retry-After`; every operation but a GET may answer `413 payload_too_large`.
 */
export const documentRequestGuards = (spec: Record<string, any>): Record<string, any> => {
  const schemas = (spec.components ??= {}).schemas ??= {}
  const errorSchema = (code: string) => {
    const { $schema: _, ...schema } = JSONSchema.make(ErrorBody(code)) as unknown as Record<string, unknown>
    return schema
  }
  schemas["IdempotencyKeyReused"] ??= errorSchema("idempotency_key_reused")
  schemas["IdempotencyInProgress"] ??= errorSchema("idempotency_in_progress")
  schemas["PayloadTooLarge"] ??= errorSchema("payload_too_large")
  spec.components.parameters = {
    ...spec.components.parameters,
    IdempotencyKey: {
      name: "X-Idempotency-Key",
      in: "header",
      required: false,
      description:
        "Makes the request safe to retry: the same key and request within 24 hours answers the first " +
        "answer again (same status and body, with `Idempotent-Replayed: true`). Keys are scoped to the " +
        "caller's credential and to the `X-Tenant-ID` it sends. A JSON body is compared as parsed, so a retry " +
        "whose JSON differs only in spacing or key order is the same request; other JSON with the key is " +
        "422 idempotency_key_reused. `Idempotency-Key` is read too.",
      schema: { type: "string", minLength: 1, maxLength: 255 }
    }
  }

  const addError = (operation: any, status: string, name: string) => {
    const ref = { $ref: `#/components/schemas/${name}` }
    const response = (operation.responses[status] ??= { description: name })
    const content = (response.content ??= {})["application/json"] ??= {}
    if (content.schema === undefined) content.schema = ref
    else if (Array.isArray(content.schema.anyOf)) content.schema.anyOf.push(ref)
    else content.schema = { anyOf: [content.schema, ref] }
  }

  for (const [path, item] of Object.entries<any>(spec.paths ?? {})) {
    for (const [method, operation] of Object.entries<any>(item)) {
      if (operation?.responses === undefined) continue
      if (operation.responses["429"] !== undefined) {
        operation.responses["429"].headers = {
          "Retry-After": {
            description: "Seconds until the caller's budget allows another request",
            schema: { type: "integer", minimum: 1 }
          }
        }
      }
      // The input boundary reads the body of any method but GET, whether the route takes one or not.
      if (method !== "get") {
        addError(operation, "413", "PayloadTooLarge")
        operation.responses["413"].description =
          `The body is larger than the route accepts (${bodyLimitOf(method, path)} bytes) or nests deeper than ` +
          `${MAX_JSON_DEPTH} levels`
      }
      if (method !== "post" || !path.startsWith("/api/v1/")) continue
      operation.parameters = [...(operation.parameters ?? []), { $ref: "#/components/parameters/IdempotencyKey" }]
      addError(operation, "409", "IdempotencyInProgress")
      addError(operation, "422", "IdempotencyKeyReused")
    }
  }
  return spec
}
