import type { ComponentChildren, FunctionComponent } from "preact"
import { useEffect, useState } from "preact/hooks"
import { useBranding } from "./branding.js"
import { customerRoutes } from "./pages/customer/routes.js"
import { operatorRoutes } from "./pages/operator/routes.js"
import { partnerRoutes } from "./pages/partner/routes.js"
import { navigate, useRoute } from "./router.js"
import { api, currentCredentials, currentTenant, type Me, onSessionChange, setTenant, signOut } from "./session.js"
import { SignIn } from "./sign-in.js"
import { Busy, Link, Notice, failureText } from "./ui/kit.js"

/** A page of the console: its path pattern (`customers/:id`), its nav label if it has one, and what it draws. */
export interface Route {
  readonly path: string
  readonly label?: string
  readonly view: FunctionComponent<{ readonly params: Readonly<Record<string, string>>; readonly me: Me }>
}

const routesFor = (me: Me): ReadonlyArray<Route> =>
  me.account_kind === "platform" ? operatorRoutes : me.account_kind === "customer" ? customerRoutes : partnerRoutes(me)

const match = (routes: ReadonlyArray<Route>, path: string) => {
  const parts = path.split("/").filter(Boolean)
  for (const route of routes) {
    const pattern = route.path.split("/").filter(Boolean)
    if (pattern.length !== parts.length) continue
    const params: Record<string, string> = {}
    if (pattern.every((p, i) => p.startsWith(":") ? (params[p.slice(1)] = decodeURIComponent(parts[i]!)) !== undefined : p === parts[i])) {
      return { route, params }
    }
  }
  return undefined
}

const useSession = () => {
  const [, setTick] = useState(0)
  useEffect(() => onSessionChange(() => setTick((n) => n + 1)), [])
  return { credentials: currentCredentials(), tenant: currentTenant() }
}

export const App = () => {
  const { credentials, tenant } = useSession()
  const [me, setMe] = useState<{ value?: Me; error?: unknown }>({})
  useEffect(() => {
    setMe({})
    if (credentials === undefined) return
    api.GET("/api/v1/me").then(({ data, error }) => setMe(data ? { value: data.data } : { error }))
    // Who is signed in, not the token: a silent refresh must not reload the page being worked on.
  }, [credentials === undefined ? undefined : credentials.kind === "key" ? credentials.key : "token", tenant?.id])
  if (credentials === undefined) return <SignIn />
  if (me.error !== undefined) return <main id="main"><Notice kind="error">{failureText(me.error)}</Notice><button onClick={() => void signOut()}>Sign out</button></main>
  if (me.value === undefined) return <main id="main"><Busy label="Signing in" /></main>
  return <Shell me={me.value} />
}

const KIND_TITLE: Record<Me["account_kind"], string> = {
  platform: "Operator console",
  distributor: "Distributor console",
  partner: "Partner console",
  customer: "Customer portal"
}

const Shell = ({ me }: { me: Me }) => {
  const { path } = useRoute()
  const routes = routesFor(me)
  const found = match(routes, path)
  const branding = useBranding(me)
  const tenant = currentTenant()
  useEffect(() => document.getElementById("page-title")?.focus({ preventScroll: true }), [path])
  const title = branding?.display_name ?? KIND_TITLE[me.account_kind]
  return (
    <div class="shell" style={branding?.primary_color ? { "--brand": branding.primary_color } : undefined}>
      <a class="skip" href="#main">Skip to content</a>
      {tenant && (
        <div class="tenant-banner" role="status">
          Acting within <strong>{tenant.name}</strong> ({tenant.id}): every request carries its id (X-Tenant-ID).
          <button type="button" onClick={() => { setTenant(undefined); navigate("") }}>Stop acting</button>
        </div>
      )}
      <header class="top">
        <span class="brand">
          {branding?.logo_url && <img src={branding.logo_url} alt="" height={28} />}
          <span class="brand-name">{title}</span>
        </span>
        <span class="who">{me.account_kind} · {me.role}</span>
        <button type="button" onClick={() => void signOut()}>Sign out</button>
      </header>
      <div class="body">
      <nav class="side" aria-label="Sections">
        <ul>
          {routes.filter((r) => r.label).map((r) => (
            <li><Link to={r.path} current={found?.route === r}>{r.label}</Link></li>
          ))}
        </ul>
      </nav>
      <main id="main">
        {found ? <found.route.view params={found.params} me={me} /> : <NotFound />}
      </main>
      </div>
    </div>
  )
}

const NotFound = (): ComponentChildren => (
  <section><h1 id="page-title" tabIndex={-1}>Not found</h1><p>There is no such page. <Link to="">Go home</Link>.</p></section>
)
