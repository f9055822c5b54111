/**
 * A database URL with its password replaced by `***`, safe to print.
 *
 * @example maskUrl('postgresql://feast:feast@localhost:5433/db') // 'postgresql://feast:***@localhost:5433/db'
 */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass/i.test(key)) parsed.searchParams.set(key, '***');
    }
    return parsed.toString().replace('%2A%2A%2A', '***');
  } catch {
    // Not parseable: hide anything between `:` and `@` of the authority.
    return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
  }
}

/** The password of a URL (decoded), if it has one. */
export function urlPassword(url: string): string | undefined {
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return /\/\/[^:/@]*:([^@]*)@/.exec(url)?.[1];
  }
}

/** `text` with every occurrence of `secret` (raw and URL-encoded) replaced by `***`. */
export function scrub(text: string, secret: string | undefined): string {
  if (!secret) return text;
  let out = text;
  // Longest form first: the raw secret can sit inside its encoded form (`a%` in `a%25`), and
  // masking it first would leave the encoded form's tail (`***25`) saying what the secret ends with.
  const forms = [...new Set([secret, encodeURIComponent(secret)])].sort(
    (a, b) => b.length - a.length,
  );
  for (const form of forms) {
    out = out.split(form).join('***');
  }
  return out;
}
