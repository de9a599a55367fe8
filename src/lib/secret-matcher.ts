// Checks a presented secret against a set of secrets in constant time, holding only their digests.
import { createHash, timingSafeEqual } from 'node:crypto';

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Returns a predicate; the secrets themselves are not kept, only their SHA-256 digests. */
export function createSecretMatcher(secrets: readonly string[]): (candidate: string) => boolean {
  const digests = secrets.map(digest);
  return (candidate) => {
    const presented = digest(candidate);
    // Compare against every digest, so the time taken does not reveal which one matched.
    let matched = false;
    for (const known of digests) matched = timingSafeEqual(known, presented) || matched;
    return matched;
  };
}
