import { operationsOf, type Spec } from "./spec.js"

/**
 * The request headers of API.md's conventions that no endpoint declares, since middleware reads
 * them (middleware/authentication.ts, middleware/request-log.ts): documented as parameters, so a
 * generated client types them and a reader of Swagger UI finds them at each operation.
 * `X-Tenant-ID` on every operation that takes a bearer token; `X-Request-Id` on every operation.
 */
export const withRequestHeaders = (spec: Spec): Spec => {
  const components = (spec.components ??= {})
  components.parameters = {
    ...components.parameters,
    TenantId: {
      name: "X-Tenant-ID",
      in: "header",
      required: false,
      description:
        "Acts within a descendant of the caller's account (an account id, `acc_...`, or a customer id, `cus_...`): " +
        "the request runs with that account's scope and edition and the caller's role. Any other value, and an " +
        "account outside the caller's reach, is `404 not_found` with `field` `X-Tenant-ID`.",
      schema: { type: "string", pattern: "^(acc|cus)_[0-9a-z]{1,64}$" }
    },
    RequestId: {
      name: "X-Request-Id",
      in: "header",
      required: false,
      description:
        "The caller's id for the request, reused as `meta.request_id` and the `X-Request-Id` answer header. One of " +
        "another form is replaced by an id of the server's (`req_...`).",
      schema: { type: "string", pattern: "^[A-Za-z0-9._:-]{1,128}$" }
    }
  }
  for (const { operation } of operationsOf(spec)) {
    const bearer = (operation.security ?? []).some((requirement: Record<string, unknown>) => "bearer" in requirement)
    operation.parameters = [
      ...(operation.parameters ?? []),
      ...(bearer ? [{ $ref: "#/components/parameters/TenantId" }] : []),
      { $ref: "#/components/parameters/RequestId" }
    ]
  }
  return spec
}
