import type { Route } from "../../app.js"
import type { Me } from "../../session.js"
import { PartnerHome } from "./home.js"

export const partnerRoutes = (_me: Me): ReadonlyArray<Route> => [
  { path: "", label: "Overview", view: PartnerHome }
]
