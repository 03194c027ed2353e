import type { Principal } from "../identity/model.js"
import { Delivery } from "./model.js"

/** The part of a URL after its origin: the path and query a call was made to. */
const pathOf = (url: string): string => {
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(.*)$/i.exec(url)
  return match === null ? url : match[1] === "" ? "/" : match[1]!
}

/**
 * A provisioning call goes to the provider's address, which is the platform's (as is the target
 * it comes from): anyone below the platform sees only the path the call was made to. Webhook
 * URLs belong to whoever registered the webhook and are shown whole.
 */
export const visibleUrl = (principal: Principal, delivery: Pick<Delivery, "kind" | "url">): string =>
  delivery.kind === "provisioning" && principal.account_kind !== "platform" ? pathOf(delivery.url) : delivery.url

/** The delivery as `principal` may see it. */
export const asSeenBy = (principal: Principal, delivery: Delivery): Delivery => {
  const url = visibleUrl(principal, delivery)
  return url === delivery.url ? delivery : new Delivery({ ...delivery, url })
}
