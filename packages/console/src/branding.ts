import { useEffect, useState } from "preact/hooks"
import type { Schema } from "@provisio/client"
import { api, type Me } from "./session.js"

export type Branding = Schema<"SettingsResponse">["data"]["branding"]

/** The branding the signed-in account shows: its own settings' branding. */
export const useBranding = (me: Me): Branding | undefined => {
  const [branding, setBranding] = useState<Branding | undefined>()
  useEffect(() => {
    api.GET("/api/v1/settings").then(({ data }) => setBranding(data?.data.branding))
  }, [me.account_id])
  return branding
}
