/**
 * ISO 7064 MOD 97-10 of a string of upper-case letters (A = 10 ... Z = 35) and digits: the check
 * of IBANs (ISO 13616) and of structured creditor references (ISO 11649).
 */
export const mod97 = (alphanumeric: string): number => {
  let rest = 0
  for (const char of alphanumeric) {
    const code = char.charCodeAt(0)
    const value = code >= 65 ? String(code - 55) : char
    for (const digit of value) rest = (rest * 10 + Number(digit)) % 97
  }
  return rest
}
