import * as Either from "effect/Either"

/**
 * Where Provisio may send calls: an absolute `https://` URL, or `http://` on the loopback (a
 * receiver on the same machine: development, tests). Credentials never go in a URL (calls are
 * signed instead).
 */

export const MAX_URL_LENGTH = 2000

/** Hosts a plain `http://` URL may name (as `URL.hostname` writes them). */
export const LOOPBACK_HOSTS: ReadonlyArray<string> = ["localhost", "127.0.0.1", "[::1]"]

const parse = (value: string): URL | undefined => {
  try {
    return new URL(value)
  } catch {
    return undefined
  }
}

export interface UrlRules {
  /** A base URL gets endpoint paths appended, so it takes no query; a webhook URL may have one. */
  readonly query: boolean
}

/**
 * The URL as it will be called (normalised by the WHATWG parser; a base URL without its trailing
 * slash), or a message that fits after the field's name.
 */
export const checkUrl = (value: string, rules: UrlRules): Either.Either<string, string> => {
  if (value.length > MAX_URL_LENGTH) return Either.left(`must be at most ${MAX_URL_LENGTH} characters`)
  const url = parse(value.trim())
  if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:")) {
    return Either.left("must be an absolute URL such as \"https://provider.example/provisio\"")
  }
  if (url.protocol === "http:" && !LOOPBACK_HOSTS.includes(url.hostname)) {
    return Either.left("must use https:// (http:// only for localhost or 127.0.0.1)")
  }
  if (url.username !== "" || url.password !== "") {
    return Either.left("must not carry credentials: every call is signed (webhook-signature) instead")
  }
  if (url.hash !== "") return Either.left("must not have a #fragment")
  if (!rules.query) {
    if (url.search !== "") return Either.left("must not have a ?query: endpoint paths are appended to it")
    return Either.right(`${url.origin}${url.pathname.replace(/\/+$/, "")}`)
  }
  return Either.right(url.href)
}

const ipv4 = (host: string): ReadonlyArray<number> | undefined => {
  const parts = host.split(".")
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return undefined
  const octets = parts.map(Number)
  return octets.every((o) => o <= 255) ? octets : undefined
}

/**
 * Whether the URL names this machine or a private network by name or address literal: loopback,
 * RFC 1918, carrier-grade NAT, link-local (cloud metadata), unique-local IPv6. Names that merely
 * resolve to such addresses are not detected here.
 */
export const isPrivateHost = (value: string): boolean => {
  const url = parse(value)
  if (url === undefined) return false
  const host = url.hostname.toLowerCase()
  if (host === "localhost" || host.endsWith(".localhost")) return true
  const v4 = ipv4(host)
  if (v4 !== undefined) {
    const [a, b] = v4 as [number, number, number, number]
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)
  }
  if (host.startsWith("[")) {
    // ::1, ::, and IPv4-mapped or -compatible addresses all start with "::" once normalised.
    return host.startsWith("[::") || /^\[f[cd]/.test(host) || /^\[fe[89ab]/.test(host)
  }
  return false
}
