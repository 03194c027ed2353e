/** Reading the OpenAPI document in tests: what a `$ref` stands for, and the operations. */
export type Spec = Record<string, any>

/** The node a local `$ref` (`#/components/...`) points at, followed until it is not a reference. */
export const resolve = (spec: Spec, node: any): any => {
  if (typeof node?.$ref !== "string" || !node.$ref.startsWith("#/")) return node
  const target = node.$ref.slice(2).split("/").reduce((at: any, key: string) => at?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], spec)
  return resolve(spec, target)
}

export const operationsOf = (spec: Spec) =>
  Object.entries<any>(spec.paths).flatMap(([path, item]) =>
    Object.entries<any>(item)
      .filter(([method]) => ["get", "post", "put", "delete", "patch"].includes(method))
      .map(([method, operation]) => ({ path, method, operation }))
  )

/** An operation's answer for `status`, references followed. */
export const responseOf = (spec: Spec, operation: any, status: string) => resolve(spec, operation.responses[status])

/** An operation's parameters, references followed. */
export const parametersOf = (spec: Spec, operation: any): ReadonlyArray<any> =>
  (operation.parameters ?? []).map((parameter: any) => resolve(spec, parameter))
