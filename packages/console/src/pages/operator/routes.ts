import type { Route } from "../../app.js"
import { OperatorHome } from "./home.js"

export const operatorRoutes: ReadonlyArray<Route> = [
  { path: "", label: "Overview", view: OperatorHome }
]
