import { provisioClient, type ProvisioClient, type Schema } from "@provisio/client"

/**
 * Who is signed in, kept in sessionStorage (this tab only): an API key, or the access and refresh
 * tokens of `/auth/login` (refreshed a minute before they expire, and once more on a 401).
 */
export type Credentials =
  | { readonly kind: "key"; readonly key: string }
  | { readonly kind: "token"; readonly access: string; readonly refresh: string; readonly expires_at: string }

export type Me = Schema<"Me">

const STORE = "provisio.console.session"
const TENANT = "provisio.console.tenant"

/** Where the API lives: the console is served at `<mount>/console/`, the API at `<mount>/api/v1`. */
export const consoleBase = (): string => new URL(document.baseURI).pathname.replace(/\/?$/, "/")
export const apiBase = (): string => location.origin + consoleBase().replace(/console\/$/, "").replace(/\/$/, "")

const read = <A>(key: string): A | undefined => {
  try {
    const text = sessionStorage.getItem(key)
    return text === null ? undefined : (JSON.parse(text) as A)
  } catch {
    return undefined
  }
}

let credentials: Credentials | undefined = read<Credentials>(STORE)
let tenant: { readonly id: string; readonly name: string } | undefined = read(TENANT)
let refreshTimer: ReturnType<typeof setTimeout> | undefined
const listeners = new Set<() => void>()

export const onSessionChange = (listener: () => void): (() => void) => {
  listeners.add(listener)
  return () => listeners.delete(listener)
}
const changed = () => listeners.forEach((listener) => listener())

export const currentCredentials = () => credentials
export const currentTenant = () => tenant

export const setCredentials = (next: Credentials | undefined) => {
  credentials = next
  if (next === undefined) sessionStorage.removeItem(STORE)
  else sessionStorage.setItem(STORE, JSON.stringify(next))
  scheduleRefresh()
  changed()
}

/** An operator acting within a descendant: every request carries `X-Tenant-ID`. */
export const setTenant = (next: { readonly id: string; readonly name: string } | undefined) => {
  tenant = next
  if (next === undefined) sessionStorage.removeItem(TENANT)
  else sessionStorage.setItem(TENANT, JSON.stringify(next))
  changed()
}

const bare = provisioClient({ baseUrl: apiBase() })

let refreshing: Promise<boolean> | undefined

/**
 * Exchanges the refresh token for new tokens; false (and signed out) when it is refused. One
 * exchange at a time: the requests of a page that all met a 401 share it, as a refresh token
 * is spent by its first use.
 */
export const refresh = (): Promise<boolean> => {
  refreshing ??= (async () => {
    const current = credentials
    if (current?.kind !== "token") return false
    const { data } = await bare.POST("/api/v1/auth/refresh", { body: { refresh_token: current.refresh } })
    if (data === undefined) {
      setCredentials(undefined)
      return false
    }
    setCredentials({ kind: "token", access: data.data.access_token, refresh: data.data.refresh_token, expires_at: data.data.expires_at })
    return true
  })().finally(() => (refreshing = undefined))
  return refreshing
}

function scheduleRefresh() {
  if (refreshTimer !== undefined) clearTimeout(refreshTimer)
  refreshTimer = undefined
  if (credentials?.kind !== "token") return
  const wait = Math.max(5_000, new Date(credentials.expires_at).getTime() - Date.now() - 60_000)
  refreshTimer = setTimeout(() => void refresh(), Math.min(wait, 2 ** 31 - 1))
}
scheduleRefresh()

const bearer = () => credentials === undefined ? undefined : credentials.kind === "key" ? credentials.key : credentials.access

/** The typed client of the public API every page uses, carrying the bearer and the tenant. */
export const api: ProvisioClient = provisioClient({
  baseUrl: apiBase(),
  fetch: async (request: Request) => {
    const attempt = (req: Request, token: string | undefined) => {
      const headers = new Headers(req.headers)
      if (token !== undefined) headers.set("Authorization", `Bearer ${token}`)
      if (tenant !== undefined) headers.set("X-Tenant-ID", tenant.id)
      return fetch(new Request(req, { headers }))
    }
    const retry = request.clone()
    const sent = bearer()
    const response = await attempt(request, sent)
    // An access token that expired while the tab slept: refresh once and ask again, or just ask
    // again when another request refreshed it meanwhile.
    if (response.status === 401 && credentials?.kind === "token") {
      if (sent !== credentials.access || await refresh()) return attempt(retry, bearer())
    }
    if (response.status === 401) setCredentials(undefined)
    return response
  }
})

export const signInWithPassword = async (email: string, password: string) => {
  const { data, error } = await bare.POST("/api/v1/auth/login", { body: { email, password } })
  if (data !== undefined) {
    setCredentials({ kind: "token", access: data.data.access_token, refresh: data.data.refresh_token, expires_at: data.data.expires_at })
  }
  return error
}

export const signInWithFederated = async (provider: string, idToken: string) => {
  const { data, error } = await bare.POST("/api/v1/auth/federated", { body: { provider, id_token: idToken } })
  if (data !== undefined) {
    setCredentials({ kind: "token", access: data.data.access_token, refresh: data.data.refresh_token, expires_at: data.data.expires_at })
  }
  return error
}

export const signInWithKey = async (key: string) => {
  const { data, error } = await bare.GET("/api/v1/me", { headers: { Authorization: `Bearer ${key}` } })
  if (data !== undefined) setCredentials({ kind: "key", key })
  return error
}

export const signOut = async () => {
  const current = credentials
  if (current?.kind === "token") {
    await bare.POST("/api/v1/auth/logout", {
      headers: { Authorization: `Bearer ${current.access}` },
      body: { refresh_token: current.refresh }
    }).catch(() => undefined)
  }
  setTenant(undefined)
  setCredentials(undefined)
}
