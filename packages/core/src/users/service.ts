import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Redacted from "effect/Redacted"
import { RefreshTokenRepo } from "../auth/ports.js"
import type { Principal, Role } from "../identity/model.js"
import { canReach, reachableBy, requireAdmin } from "../identity/policy.js"
import { AccountRepo } from "../identity/ports.js"
import { Forbidden, NotFound, ValidationError } from "../shared/errors.js"
import { encodeCursor, type Page, type PageRequest } from "../shared/pagination.js"
import { makeId } from "../shared/ids.js"
import { Transactor } from "../shared/transactor.js"
import {
  type CreateCustomerAdmin,
  type CreateUser,
  ROLES,
  type RoleDescription,
  type SetRole,
  type UpdateUser,
  User,
  type UserId
} from "./model.js"
import { PasswordHasher, UserRepo } from "./ports.js"
import { now } from "../shared/time.js"
import { changedReadOnlyField } from "../shared/read-only.js"


/** `POST /customers/{id}/admins` makes an admin of that customer, nothing else. */
const CUSTOMER_ADMIN_FIELDS = {
  role: "is always admin here: for another role, create the user with POST /users (account_id: the customer's id)",
  account_id: "is the customer's in the path"
} as const

/** A user's fields a PUT does not change, each with why (shared/read-only.ts). */
const READ_ONLY_USER_FIELDS = {
  account_id: "cannot be changed: a user stays in its account; create a user in the other account instead",
  id: "cannot be changed",
  created_at: "cannot be changed",
  updated_at: "cannot be changed"
} as const
export const make = Effect.gen(function* () {
  const users = yield* UserRepo
  const accounts = yield* AccountRepo
  const hasher = yield* PasswordHasher
  const refreshTokens = yield* RefreshTokenRepo
  const transactor = yield* Transactor

  /** A user of an account or customer the caller reaches; anything else is "not found". */
  const findReachable = (principal: Principal, id: string) =>
    users.findById(id).pipe(
      Effect.map(Option.map(({ scope, user }) => ({ user, lineage: scope.lineage }))),
      reachableBy(principal, "user", id),
      Effect.map(({ user }) => user)
    )

  const isSelf = (principal: Principal, user: User) => principal.user_id === user.id

  /**
   * An email in Unicode's composed form (NFC), as sign-in looks it up: `zoë` typed as e + U+0308 is
   * the address with ë, so a second user that merely looks the same is a duplicate (409).
   */
  const composedEmail = (email: string) => email.normalize("NFC")

  const insertUser = Effect.fn("Users.insertUser")(function* (fields: {
    readonly account_id: string
    readonly email: string
    readonly name: string
    readonly role: Role
    readonly password?: Redacted.Redacted<string> | undefined
  }) {
    const at = yield* now
    const user = new User({
      id: (yield* makeId("usr")) as UserId,
      account_id: fields.account_id,
      email: composedEmail(fields.email),
      name: fields.name,
      role: fields.role,
      status: "active",
      created_at: at,
      updated_at: at
    })
    const passwordHash = fields.password === undefined ? null : yield* hasher.hash(fields.password)
    return yield* users.insert({ user, password_hash: passwordHash })
  })

  const createUser = Effect.fn("Users.createUser")(function* (principal: Principal, input: CreateUser) {
    yield* requireAdmin(principal)
    const accountId = input.account_id ?? principal.account_id
    const scope = yield* accounts.findScope(accountId)
    if (Option.isNone(scope) || !canReach(principal, scope.value.lineage)) {
      return yield* ValidationError.of("account_id", `account ${accountId} does not exist`)
    }
    return yield* insertUser({ ...input, account_id: scope.value.id })
  })

  const listUsers = Effect.fn("Users.listUsers")(function* (principal: Principal, page: PageRequest) {
    yield* requireAdmin(principal)
    return yield* users.list(principal.account_id, page)
  })

  /** Admins read the users in their scope; anyone reads itself. */
  const getUser = Effect.fn("Users.getUser")(function* (principal: Principal, id: string) {
    const user = yield* findReachable(principal, id)
    if (!isSelf(principal, user)) yield* requireAdmin(principal)
    return user
  })

  /** Writes the user; a new password or a disabled status ends the user's sessions. */
  const save = Effect.fn("Users.save")(function* (user: User, password: Redacted.Redacted<string> | undefined) {
    const passwordHash = password === undefined ? undefined : yield* hasher.hash(password)
    return yield* transactor.withTransaction(Effect.gen(function* () {
      const saved = yield* users.update(user, passwordHash)
      if (passwordHash !== undefined || saved.status === "disabled") {
        yield* refreshTokens.revokeUser(saved.id, saved.updated_at)
      }
      return saved
    }))
  })

  /**
   * Admins change the users in their scope, but not their own role or status (another admin
   * does, so an account never locks itself out). Anyone changes its own name and password.
   */
  const updateUser = Effect.fn("Users.updateUser")(function* (principal: Principal, id: string, input: UpdateUser) {
    const user = yield* findReachable(principal, id)
    if (!isSelf(principal, user)) {
      yield* requireAdmin(principal)
    } else {
      // Sent as they are (a user read and sent back whole), they change nothing and are taken.
      const changes = (input.email !== undefined && input.email.toLowerCase() !== user.email.toLowerCase()) ||
        (input.role !== undefined && input.role !== user.role) || (input.status !== undefined && input.status !== user.status)
      if (principal.role !== "admin" && changes) {
        return yield* new Forbidden({ message: "a user may change only its own name and password" })
      }
      if ((input.role !== undefined && input.role !== user.role) || (input.status !== undefined && input.status !== user.status)) {
        return yield* new Forbidden({ message: "a user's own role and status are changed by another admin" })
      }
    }
    const readOnly = changedReadOnlyField(input, READ_ONLY_USER_FIELDS, () => Schema.encodeSync(User)(user) as unknown as Record<string, unknown>)
    if (readOnly !== undefined) return yield* readOnly
    return yield* save(
      new User({
        ...user,
        email: input.email === undefined ? user.email : composedEmail(input.email),
        name: input.name ?? user.name,
        role: input.role ?? user.role,
        status: input.status ?? user.status,
        updated_at: yield* now
      }),
      input.password
    )
  })

  const deleteUser = Effect.fn("Users.deleteUser")(function* (principal: Principal, id: string) {
    const user = yield* findReachable(principal, id)
    yield* requireAdmin(principal)
    if (isSelf(principal, user)) return yield* new Forbidden({ message: "a user cannot delete itself" })
    yield* users.delete(user.id)
  })

  /**
   * The role catalogue: the same for every caller, paged like every list (`?limit=`, and a cursor
   * naming the last role seen, as `role_<name>`).
   */
  const listRoles = (_principal: Principal, page: PageRequest): Effect.Effect<Page<RoleDescription>, ValidationError> =>
    Effect.gen(function* () {
      const after = page.after === undefined ? -1 : ROLES.findIndex((role) => `role_${role.name}` === page.after)
      if (page.after !== undefined && after === -1) return yield* ValidationError.of("cursor", "is not a cursor this API returned")
      const items = ROLES.slice(after + 1, after + 1 + page.limit)
      const last = items[items.length - 1]
      const more = after + 1 + page.limit < ROLES.length
      return { items, limit: page.limit, next_cursor: more && last !== undefined ? encodeCursor(`role_${last.name}`) : null }
    })

  const setRole = Effect.fn("Users.setRole")(function* (principal: Principal, userId: string, input: SetRole) {
    const user = yield* findReachable(principal, userId)
    yield* requireAdmin(principal)
    if (isSelf(principal, user) && input.role !== user.role) {
      return yield* new Forbidden({ message: "a user's own role is changed by another admin" })
    }
    // The email stays as it is, so it cannot collide: a DuplicateUser here would be a bug.
    return yield* save(new User({ ...user, role: input.role, updated_at: yield* now }), undefined).pipe(
      Effect.catchTag("DuplicateUser", Effect.die)
    )
  })

  /** Onboards an admin user for a customer in the caller's scope. */
  const createCustomerAdmin = Effect.fn("Users.createCustomerAdmin")(function* (
    principal: Principal,
    customerId: string,
    input: CreateCustomerAdmin
  ) {
    const scope = yield* accounts.findScope(customerId)
    if (Option.isNone(scope) || scope.value.kind !== "customer" || !canReach(principal, scope.value.lineage)) {
      return yield* NotFound.of("customer", customerId)
    }
    yield* requireAdmin(principal)
    const fixed = changedReadOnlyField(input, CUSTOMER_ADMIN_FIELDS, () => ({ role: "admin", account_id: scope.value.id }))
    if (fixed !== undefined) return yield* fixed
    return yield* insertUser({ email: input.email, name: input.name, password: input.password, account_id: scope.value.id, role: "admin" })
  })

  return {
    createUser,
    listUsers,
    getUser,
    updateUser,
    deleteUser,
    listRoles,
    setRole,
    createCustomerAdmin
  } as const
})

export class Users extends Context.Tag("@provisio/core/Users")<Users, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(Users, make)
}
