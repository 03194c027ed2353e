/** The document as `OpenApi.fromApi` makes it: plain JSON, walked and amended by the steps of document.ts. */
export type Spec = Record<string, any>

/** Every operation of the document with its path and method. */
export const operationsOf = (spec: Spec) =>
  Object.entries<any>(spec.paths ?? {}).flatMap(([path, item]) =>
    Object.entries<any>(item).filter(([, operation]) => operation?.responses !== undefined).map(([method, operation]) => ({
      path,
      method,
      operation
    }))
  )
