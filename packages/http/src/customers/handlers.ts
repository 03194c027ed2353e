import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { ProvisioApi } from "../api"

// Filled in by the customers context.
export const CustomersHandlers = HttpApiBuilder.group(ProvisioApi, "customers", (handlers) => Effect.succeed(handlers))
