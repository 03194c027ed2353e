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

/** An address as bytes (4 for IPv4, 16 for IPv6), and a range of them: its first address, its prefix length. */
type Bytes = ReadonlyArray<number>
type Range = readonly [Bytes, number]

/** Dotted-decimal IPv4, the only form `URL.hostname` writes (it normalises `0x7f.1`, `2130706433`, ...). */
const ipv4 = (host: string): Bytes | undefined => {
  const parts = host.split(".")
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return undefined
  const octets = parts.map(Number)
  return octets.every((o) => o <= 255) ? octets : undefined
}

/** IPv6 without brackets: hex groups, at most one `::`, optionally ending in dotted IPv4. */
const ipv6 = (host: string): Bytes | undefined => {
  const halves = host.split("::")
  if (halves.length > 2) return undefined
  const groups = (half: string): Array<number> | undefined => {
    if (half === "") return []
    const parts = half.split(":")
    const out: Array<number> = []
    for (const [i, part] of parts.entries()) {
      const tail = i === parts.length - 1 ? ipv4(part) : undefined
      if (tail !== undefined) out.push((tail[0]! << 8) | tail[1]!, (tail[2]! << 8) | tail[3]!)
      else if (/^[0-9a-f]{1,4}$/.test(part)) out.push(parseInt(part, 16))
      else return undefined
    }
    return out
  }
  const head = groups(halves[0]!)
  const rest = halves.length === 2 ? groups(halves[1]!) : []
  if (head === undefined || rest === undefined) return undefined
  const missing = 8 - head.length - rest.length
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined
  return [...head, ...Array<number>(missing).fill(0), ...rest].flatMap((g) => [g >> 8, g & 0xff])
}

const range = (cidr: string): Range => {
  const [address, bits] = cidr.split("/") as [string, string]
  return [(ipv4(address) ?? ipv6(address))!, Number(bits)]
}

const within = (address: Bytes, [first, bits]: Range): boolean => {
  if (address.length !== first.length) return false
  for (let bit = 0; bit < bits; bit++) {
    const mask = 0x80 >> (bit % 8)
    if ((address[bit >> 3]! & mask) !== (first[bit >> 3]! & mask)) return false
  }
  return true
}

/**
 * IPv4 special-purpose ranges (RFC 6890 and the IANA registry): this network, private, shared
 * (CGN), loopback, link-local (cloud metadata), IETF protocol assignments, documentation, 6to4
 * relay, benchmarking, multicast, reserved and broadcast.
 */
const SPECIAL_V4: ReadonlyArray<Range> = [
  "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
  "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
  "224.0.0.0/4", "240.0.0.0/4"
].map(range)

/**
 * IPv6 special-purpose ranges: ::/8 (unspecified, loopback, IPv4-compatible; the mapped forms are
 * judged by the IPv4 inside them first), local-use NAT64, discard-only, IETF protocol assignments
 * (Teredo among them), documentation, SRv6, unique-local, link-local, site-local, multicast.
 */
const SPECIAL_V6: ReadonlyArray<Range> = [
  "::/8", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "3fff::/20", "5f00::/16", "fc00::/7",
  "fe80::/10", "fec0::/10", "ff00::/8"
].map(range)

/** Prefixes that carry an IPv4 address: IPv4-mapped, NAT64 (well-known prefix), 6to4; and where it sits. */
const EMBEDDING_V6: ReadonlyArray<readonly [Range, number]> = [
  [range("::ffff:0:0/96"), 12],
  [range("64:ff9b::/96"), 12],
  [range("2002::/16"), 2]
]

const specialAddress = (address: Bytes): boolean => {
  if (address.length === 4) return SPECIAL_V4.some((r) => within(address, r))
  const embedding = EMBEDDING_V6.find(([r]) => within(address, r))
  if (embedding !== undefined) {
    const v4 = address.slice(embedding[1], embedding[1] + 4)
    return SPECIAL_V4.some((r) => within(v4, r))
  }
  return SPECIAL_V6.some((r) => within(address, r))
}

/**
 * The host as a resolver takes it: `URL.hostname` (lower-cased, IDNA-mapped, IPv4 in any notation
 * written dotted-decimal, IPv6 compressed) without its trailing dots, parsed again so that
 * `0x7f.1.` (left as a name by the parser because of the dot) becomes `127.0.0.1` too.
 */
const resolverHost = (url: URL): string => {
  const host = url.hostname.toLowerCase().replace(/\.+$/, "")
  return parse(`https://${host}/`)?.hostname ?? host
}

/**
 * Whether the URL names this machine or a special-purpose network by name or address literal:
 * `localhost` and its subdomains, and every IPv4 and IPv6 special-purpose range (loopback, private,
 * shared, link-local such as cloud metadata, documentation, benchmarking, multicast, reserved,
 * broadcast), IPv4 ones also in their IPv4-mapped, NAT64 and 6to4 IPv6 forms. Names that merely
 * resolve to such addresses are not detected here.
 */
export const isPrivateHost = (value: string): boolean => {
  const url = parse(value)
  if (url === undefined) return false
  const host = resolverHost(url)
  if (host === "" || host === "localhost" || host.endsWith(".localhost")) return true
  const address = host.startsWith("[") ? ipv6(host.slice(1, -1)) : ipv4(host)
  // A bracketed host the URL parser took is always an IPv6 address; refuse rather than guess if not.
  if (address === undefined) return host.startsWith("[")
  return specialAddress(address)
}
