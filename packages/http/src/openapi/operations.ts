import type { Spec } from "./spec.js"

/**
 * Every operation gets a summary and a description. Those the groups annotate (`OpenApi.Summary`,
 * `OpenApi.Description`) stand; the others are said from the operation's name and route, in
 * the same words for the same kind of operation, so a reader of Swagger UI or a generated
 * client learns the scoping and paging rules at each one.
 */

/** Words kept as written. */
const ACRONYMS: Record<string, string> = { sku: "SKU", skus: "SKUs", ssid: "SSID", ssids: "SSIDs", api: "API" }

/** `createPaymentMethod` -> ["create", "payment", "method"]. */
const words = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase().split(" ")

const phrase = (parts: ReadonlyArray<string>) => parts.map((word) => ACRONYMS[word] ?? word).join(" ")

/** The operation's name as a sentence: `identity.createApiKey` -> "Create API key". */
export const summaryOf = (operationId: string) => {
  const text = phrase(words(operationId.slice(operationId.indexOf(".") + 1)))
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** What an operation of this kind does, when its group says nothing more. */
const descriptionOf = (method: string, path: string, operationId: string) => {
  const [verb = "", ...rest] = words(operationId.slice(operationId.indexOf(".") + 1))
  const thing = phrase(rest)
  const scoped = "Outside the caller's scope it answers 404, as something that does not exist would."
  if (method === "get" && verb === "list") {
    return `The ${thing} the caller may see, oldest first, a page at a time: \`limit\` (1 to 200, default 50) and ` +
      "`cursor` (the `meta.page.next_cursor` of the page before, with the same filters: a cursor of another list " +
      "or other filters is 422 naming `cursor`)."
  }
  if (method === "get") return `Returns the ${thing}. ${scoped}`
  if (method === "put") return `Changes the ${thing}: the fields sent change, the others stay. ${scoped}`
  if (method === "delete") return `Deletes the ${thing}; answers 204 without a body. ${scoped}`
  const inScope = path.includes("{") ? ` ${scoped}` : ""
  if (verb === "create") return `Creates a ${thing} and answers 201 with it.${inScope}`
  return `${summaryOf(operationId)}.${inScope}`
}

export const describeOperations = (spec: Spec): Spec => {
  for (const [path, item] of Object.entries<any>(spec.paths ?? {})) {
    for (const [method, operation] of Object.entries<any>(item)) {
      if (typeof operation?.operationId !== "string") continue
      operation.summary ??= summaryOf(operation.operationId)
      operation.description ??= descriptionOf(method, path, operation.operationId)
    }
  }
  return spec
}
