/**
 * Headers for an HTML page Ponte serves (Swagger UI at `/docs`, a
 * dashboard): the page's Content-Security-Policy, made to refuse framing
 * (`frame-ancestors 'none'`, and `X-Frame-Options: DENY` for browsers that
 * predate it), no MIME sniffing, and no Referer to other sites (page URLs may
 * carry model names or query parameters).
 *
 * Give the policy without inline script (`script-src 'self'`, scripts in
 * served files); a `frame-ancestors` directive it has is kept.
 *
 * @example
 * ```ts
 * return { status: 200, contentType: 'text/html; charset=utf-8', body: page, headers: htmlSecurityHeaders("default-src 'self'") };
 * ```
 */
export function htmlSecurityHeaders(csp: string): Record<string, string> {
  const policy = /(^|;)\s*frame-ancestors\s/i.test(csp) ? csp : `${csp.replace(/[;\s]+$/, '')}; frame-ancestors 'none'`;
  return {
    'Content-Security-Policy': policy,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
  };
}
