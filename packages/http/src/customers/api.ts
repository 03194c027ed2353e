import { HttpApiGroup } from "@effect/platform"
import { Authentication } from "../middleware/authentication"

// Filled in by the customers context.
export class CustomersApi extends HttpApiGroup.make("customers").middleware(Authentication).prefix("/api/v1") {}
