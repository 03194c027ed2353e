import { useEffect, useState } from "preact/hooks"
import { consoleBase } from "./session.js"

/**
 * Routes are paths under the console's mount (`/console/customers/cus_1`), kept in the history so
 * the back button and deep links work; the server answers every `/console/*` with index.html.
 */
const relative = () => {
  const base = consoleBase()
  const path = location.pathname.startsWith(base) ? location.pathname.slice(base.length) : ""
  return path.replace(/\/$/, "")
}

const listeners = new Set<() => void>()
window.addEventListener("popstate", () => listeners.forEach((l) => l()))

export const navigate = (to: string) => {
  history.pushState(null, "", consoleBase() + to.replace(/^\//, ""))
  listeners.forEach((l) => l())
}

export const useRoute = (): { readonly path: string; readonly query: URLSearchParams } => {
  const [, setTick] = useState(0)
  useEffect(() => {
    const listener = () => setTick((n) => n + 1)
    listeners.add(listener)
    return () => void listeners.delete(listener)
  }, [])
  return { path: relative(), query: new URLSearchParams(location.search) }
}

export const href = (to: string) => consoleBase() + to.replace(/^\//, "")

/** A same-tab link that changes the route without a page load (a modified click opens a tab as usual). */
export const onLinkClick = (to: string) => (event: MouseEvent) => {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
  event.preventDefault()
  navigate(to)
}
