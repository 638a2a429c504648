export { mtlsAuth, mtlsAuth as default, type MtlsOptions, type MtlsPrincipalEntry } from './mtls-plugin.js';
export { dnMatches, parseDn, subjectMatches, type DnPairs, type SubjectPattern } from './subject-match.js';
