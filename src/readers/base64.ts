// Strict base64 for user data passed as text (kernel command line, SMBIOS credentials, Azure IMDS).

/**
 * The bytes of standard or URL-safe base64, padding optional, whitespace ignored; null for anything
 * else, which is refused rather than half-decoded (Node's own decoder skips what it does not know).
 */
export function decodeBase64(text: string): Buffer | null {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact) || compact.replace(/=+$/, '').length % 4 === 1) return null;
  return Buffer.from(compact.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}
