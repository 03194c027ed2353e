import { useEffect, useState } from "preact/hooks"
import type { Schema } from "@provisio/client"
import { api, type Me } from "./session.js"

export type Branding = Schema<"EffectiveBranding">["branding"]

/**
 * The branding the signed-in account shows (`GET /branding`): its own, or the nearest one above
 * it, so a customer's portal wears its partner's name, colour and logo.
 */
export const useBranding = (me: Me): Branding | undefined => {
  const [branding, setBranding] = useState<Branding | undefined>()
  useEffect(() => {
    api.GET("/api/v1/branding").then(({ data }) => setBranding(data?.data.branding))
  }, [me.account_id])
  return branding
}
