import type { Route } from "../../app.js"
import { CustomerHome } from "./home.js"

export const customerRoutes: ReadonlyArray<Route> = [
  { path: "", label: "Overview", view: CustomerHome }
]
