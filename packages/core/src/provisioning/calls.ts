import * as DateTime from "effect/DateTime"
import * as Option from "effect/Option"

/**
 * The calls Provisio makes to a provider (API.md, "Outbound push"): the URL is the target's
 * base URL plus the endpoint path; CREATE posts to the collection, UPDATE and DELETE address
 * the resource by id. Pure: the engine builds each call with these and signs it in the adapter.
 */

export const PUSH_ACTIONS = ["CREATE", "UPDATE", "DELETE"] as const
export type PushAction = typeof PUSH_ACTIONS[number]

/** The endpoints a provider may implement, in the order answers list them. */
export const RESOURCE_KINDS = ["subscriptions", "networks", "ssids", "devices"] as const
export type ResourceKind = typeof RESOURCE_KINDS[number]

/** The body's key for the resource: `subscription`, `network`, `ssid`, `device`. */
export const RESOURCE_KEY: Record<ResourceKind, string> = {
  subscriptions: "subscription",
  networks: "network",
  ssids: "ssid",
  devices: "device"
}

export type PushMethod = "POST" | "PUT" | "DELETE"

const METHOD: Record<PushAction, PushMethod> = { CREATE: "POST", UPDATE: "PUT", DELETE: "DELETE" }

export interface CallTarget {
  readonly action: PushAction
  readonly kind: ResourceKind
  /** The resource's id (`sub_...`, `net_...`); unused by CREATE, whose URL is the collection. */
  readonly id: string
  /** The target's base URL, as stored (no trailing slash; one is tolerated). */
  readonly base_url: string
}

/** The method and URL of a call: `POST {base}/subscriptions`, `PUT|DELETE {base}/subscriptions/{id}`, the same for the other kinds. */
export const provisioningCall = (call: CallTarget): { readonly method: PushMethod; readonly url: string } => {
  const collection = `${call.base_url.replace(/\/+$/, "")}/${call.kind}`
  return {
    method: METHOD[call.action],
    url: call.action === "CREATE" ? collection : `${collection}/${encodeURIComponent(call.id)}`
  }
}

/**
 * The call for a target, or none when the target does not implement the kind's endpoint (a
 * product without `networks` gets no network calls).
 */
export const plannedCall = (
  target: { readonly base_url: string; readonly endpoints: ReadonlyArray<ResourceKind> },
  call: Omit<CallTarget, "base_url">
) => target.endpoints.includes(call.kind) ? Option.some(provisioningCall({ ...call, base_url: target.base_url })) : Option.none()

export interface CallBody {
  readonly event_id: string
  readonly action: PushAction
  readonly occurred_at: DateTime.Utc
  readonly kind: ResourceKind
  /** The resource as the API shows it (JSON). */
  readonly resource: unknown
}

/** `{ event_id, action, occurred_at, <resource>: {...} }`, as JSON text: exactly what is signed and sent. */
export const provisioningBody = (body: CallBody): string =>
  JSON.stringify({
    event_id: body.event_id,
    action: body.action,
    occurred_at: DateTime.formatIso(body.occurred_at),
    [RESOURCE_KEY[body.kind]]: body.resource
  })

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * The service configuration in a provider's 2xx answer: the `configuration` object of a JSON
 * body, or null for an acknowledgement (an empty body, one that is not JSON, or JSON without a
 * `configuration` object).
 */
export const readConfiguration = (body: string): Record<string, unknown> | null => {
  const text = body.trim()
  if (!text.startsWith("{")) return null
  try {
    const parsed: unknown = JSON.parse(text)
    return isPlainObject(parsed) && isPlainObject(parsed["configuration"]) ? parsed["configuration"] : null
  } catch {
    return null
  }
}
