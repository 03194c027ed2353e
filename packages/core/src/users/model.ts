import * as Schema from "effect/Schema"
import { Role } from "../identity/model.js"
import { prefixedId } from "../shared/ids.js"
import { Timestamp } from "../shared/time.js"
import { Email, Name } from "../shared/text.js"
import { readOnlyField } from "../shared/read-only.js"

export const UserId = prefixedId("usr", "UserId")
export type UserId = typeof UserId.Type

export const UserStatus = Schema.Literal("active", "disabled")
export type UserStatus = typeof UserStatus.Type

export const MIN_PASSWORD_LENGTH = 8
export const MAX_PASSWORD_LENGTH = 256

/**
 * A password on input: redacted as soon as it is decoded, so it prints as `<redacted>` wherever
 * it travels. The message is stated here, because the default ones quote the rejected value.
 */
export const Password = Schema.Redacted(
  Schema.String.pipe(
    Schema.minLength(MIN_PASSWORD_LENGTH),
    Schema.maxLength(MAX_PASSWORD_LENGTH)
  ).annotations({
    message: () => ({
      message: `must be a string of ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`,
      override: true
    })
  })
)

/**
 * A person who signs in. It belongs to one account (platform, distributor or partner) or one
 * customer, and acts there with its role. The password hash is the repository's (`StoredUser`),
 * never a field here, so it cannot reach an answer.
 */
export class User extends Schema.Class<User>("User")({
  id: UserId,
  /** The account or customer id the user acts for (`acc_...`, `cus_...`). */
  account_id: Schema.String,
  email: Schema.String,
  name: Schema.String,
  role: Role,
  status: UserStatus,
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

export class CreateUser extends Schema.Class<CreateUser>("CreateUser")({
  /** An account or customer id in the caller's scope; the caller's own account when absent. */
  account_id: Schema.optional(Schema.String),
  email: Email,
  name: Name,
  role: Role,
  /** Without one, the user signs in only through a federated identity provider. */
  password: Schema.optional(Password)
}) {}

/** A partial update: absent fields keep their value. */
export class UpdateUser extends Schema.Class<UpdateUser>("UpdateUser")({
  email: Schema.optional(Email),
  name: Schema.optional(Name),
  role: Schema.optional(Role),
  status: Schema.optional(UserStatus),
  /** A new password; the user's open sessions (refresh tokens) end with the old one. */
  password: Schema.optional(Password),
  /** Read-only (shared/read-only.ts): taken only as they are, so a user read and sent back whole is taken. */
  account_id: readOnlyField,
  id: readOnlyField,
  created_at: readOnlyField,
  updated_at: readOnlyField
}) {}

export class SetRole extends Schema.Class<SetRole>("SetRole")({
  role: Role
}) {}

/** `POST /customers/{customerId}/admins`: a first admin user for a customer. */
export class CreateCustomerAdmin extends Schema.Class<CreateCustomerAdmin>("CreateCustomerAdmin")({
  email: Email,
  name: Name,
  password: Schema.optional(Password),
  /** Always `admin` (shared/read-only.ts): another role, or another account, is 422 rather than dropped unseen. */
  role: readOnlyField,
  account_id: readOnlyField
}) {}

/** What a role may do: the catalogue `GET /roles` answers. */
export class RoleDescription extends Schema.Class<RoleDescription>("RoleDescription")({
  name: Role,
  description: Schema.String,
  permissions: Schema.Array(Schema.String)
}) {}

export const ROLES: ReadonlyArray<RoleDescription> = [
  new RoleDescription({
    name: "admin",
    description:
      "Everything a manager may do, plus the account's users, roles and API keys, and the accounts " +
      "(distributors, partners) below it.",
    permissions: ["read", "write", "manage_users", "manage_api_keys", "manage_accounts"]
  }),
  new RoleDescription({
    name: "manager",
    description: "Reads and changes business data in the account's scope: customers, orders, subscriptions.",
    permissions: ["read", "write"]
  }),
  new RoleDescription({
    name: "viewer",
    description: "Reads everything in the account's scope and changes nothing.",
    permissions: ["read"]
  })
]
