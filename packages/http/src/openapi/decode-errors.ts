/**
 * HttpApi documents its built-in `HttpApiDecodeError` as a 400 on every endpoint, but the
 * error-mapping middleware answers schema failures (body, query, headers) as `422
 * validation_error`: drop it, so the document shows only the envelopes that are really sent. A
 * 400 is left where a body is read (any method but GET): a body that is not JSON.
 */
export const withoutBuiltInDecodeError = (spec: Record<string, any>): Record<string, any> => {
  const builtIn = new Set(["HttpApiDecodeError", "Issue", "PropertyKey"])
  const isBuiltIn = (schema: any) =>
    typeof schema?.$ref === "string" && builtIn.has(schema.$ref.replace("#/components/schemas/", ""))
  for (const path of Object.values<any>(spec.paths ?? {})) {
    for (const [method, operation] of Object.entries<any>(path)) {
      const content = operation?.responses?.["400"]?.content?.["application/json"]
      if (!content?.schema) continue
      if (Array.isArray(content.schema.anyOf)) {
        const rest = content.schema.anyOf.filter((schema: any) => !isBuiltIn(schema))
        content.schema = rest.length === 1 ? rest[0] : { anyOf: rest }
      }
      if (method === "get") delete operation.responses["400"]
      else operation.responses["400"].description = "The body is not JSON"
    }
  }
  for (const name of builtIn) delete spec.components?.schemas?.[name]
  return spec
}
