import type { Route } from "../../app.js"
import { BillingRuns } from "../shared/billing-runs.js"
import { Accounts } from "./accounts.js"
import { Catalog } from "./catalog.js"
import { Deliveries, Webhooks } from "./deliveries.js"
import { OperatorHome } from "./home.js"
import { Numbers } from "./numbers.js"
import { Skus } from "./skus.js"
import { PriceLists, TaxRates } from "./tax-and-prices.js"

export const operatorRoutes: ReadonlyArray<Route> = [
  { path: "", label: "Overview", view: OperatorHome },
  { path: "accounts", label: "Accounts", view: Accounts },
  { path: "catalog", label: "Catalog", view: Catalog },
  { path: "skus", label: "SKUs and pricing", view: Skus },
  { path: "numbers", label: "Number blocks", view: Numbers },
  { path: "billing", label: "Billing runs", view: BillingRuns },
  { path: "deliveries", label: "Deliveries", view: Deliveries },
  { path: "webhooks", label: "Webhooks", view: Webhooks },
  { path: "tax-rates", label: "Tax rates", view: TaxRates },
  { path: "price-lists", label: "Price lists", view: PriceLists }
]
