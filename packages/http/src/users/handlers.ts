import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Users } from "@provisio/core/users/service"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"
import { asCaller } from "../middleware/authentication.js"
import { listAsCaller } from "../pagination.js"

export const UsersHandlers = HttpApiBuilder.group(ProvisioApi, "users", (handlers) =>
  Effect.map(Users, (users) =>
    handlers
      .handle("listUsers", ({ urlParams }) => listAsCaller(urlParams, users.listUsers))
      .handle("createUser", ({ payload }) => asCaller((p) => users.createUser(p, payload)))
      .handle("getUser", ({ path }) => asCaller((p) => users.getUser(p, path.id)))
      .handle("updateUser", ({ path, payload }) => asCaller((p) => users.updateUser(p, path.id, payload)))
      .handle("deleteUser", ({ path }) => asCaller((p) => users.deleteUser(p, path.id)))
      .handle("listRoles", ({ urlParams }) => listAsCaller(urlParams, users.listRoles))
      .handle("setRole", ({ path, payload }) => asCaller((p) => users.setRole(p, path.userId, payload)))
      .handle("createCustomerAdmin", ({ path, payload }) =>
        asCaller((p) => users.createCustomerAdmin(p, path.customerId, payload)))
  ))
