import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import {
  CreateCustomerAdmin,
  CreateUser,
  RoleDescription,
  SetRole,
  UpdateUser,
  User,
  UserId
} from "@provisio/core/users/model"
import * as Schema from "effect/Schema"
import { Envelope, PageEnvelope } from "../envelope.js"
import { DuplicateUserError } from "../errors.js"
import { Authentication } from "../middleware/authentication.js"
import { PageQuery } from "../pagination.js"
import { PathParam } from "../path-params.js"
import { CustomerId } from "@provisio/core/customers/model"

const IdPath = Schema.Struct({ id: PathParam(UserId) })
const UserIdPath = Schema.Struct({ userId: PathParam(UserId) })
const CustomerPath = Schema.Struct({ customerId: PathParam(CustomerId) })

export class UsersApi extends HttpApiGroup.make("users")
  .add(
    HttpApiEndpoint.get("listUsers", "/users")
      .setUrlParams(PageQuery)
      .addSuccess(PageEnvelope(User))
      .annotate(OpenApi.Description, "Admins only: the users of the caller's account and every account and customer below it.")
  )
  .add(
    HttpApiEndpoint.post("createUser", "/users")
      .setPayload(CreateUser)
      .addSuccess(Envelope(User), { status: 201 })
      .addError(DuplicateUserError)
      .annotate(
        OpenApi.Description,
        "Admins only. `account_id` (an account or customer in the caller's scope) defaults to the caller's " +
          "own account. Without `password` the user signs in only through a federated provider. The " +
          "password is stored as a salted scrypt hash and never comes back. Emails are unique, whatever their case."
      )
  )
  .add(
    HttpApiEndpoint.get("getUser", "/users/:id")
      .setPath(IdPath)
      .addSuccess(Envelope(User))
      .annotate(OpenApi.Description, "Admins read the users in their scope; any user reads itself.")
  )
  .add(
    HttpApiEndpoint.put("updateUser", "/users/:id")
      .setPath(IdPath)
      .setPayload(UpdateUser)
      .addSuccess(Envelope(User))
      .addError(DuplicateUserError)
      .annotate(
        OpenApi.Description,
        "Only the fields sent change. Admins change the users in their scope, but not their own role or " +
          "status; any user changes its own name and password. A new password or `status: disabled` " +
          "ends the user's sessions (its refresh tokens)."
      )
  )
  .add(
    HttpApiEndpoint.del("deleteUser", "/users/:id")
      .setPath(IdPath)
      .addSuccess(HttpApiSchema.NoContent)
      .annotate(OpenApi.Description, "Admins only; a user cannot delete itself.")
  )
  .add(
    HttpApiEndpoint.get("listRoles", "/roles")
      .setUrlParams(PageQuery)
      .addSuccess(PageEnvelope(RoleDescription))
      .annotate(OpenApi.Summary, "The role catalogue: each role and what it may do")
  )
  .add(
    HttpApiEndpoint.put("setRole", "/roles/:userId")
      .setPath(UserIdPath)
      .setPayload(SetRole)
      .addSuccess(Envelope(User))
      .annotate(OpenApi.Description, "Admins only: assigns the user's role. A user's own role is changed by another admin.")
  )
  .add(
    HttpApiEndpoint.post("createCustomerAdmin", "/customers/:customerId/admins")
      .setPath(CustomerPath)
      .setPayload(CreateCustomerAdmin)
      .addSuccess(Envelope(User), { status: 201 })
      .addError(DuplicateUserError)
      .annotate(OpenApi.Summary, "Onboard an admin user for a customer")
      .annotate(
        OpenApi.Description,
        "Admins only, for a customer in the caller's scope: a user with the admin role acting for the customer."
      )
  )
  .middleware(Authentication)
  .prefix("/api/v1")
  .annotate(OpenApi.Title, "Users")
  .annotate(OpenApi.Description, "The people who sign in, and their roles.")
{}
