/** The rule shown on the sign-up form, and checked on the server. */
export const PASSWORD_RULE = 'At least 8 characters, with at least 3 of: lower-case letters, upper-case letters, digits, symbols; not a common password.';

/**
 * Words at the heart of the most used passwords (as in Auth0's password dictionary, in small):
 * a password that is one of them once letters for digits (P@ssw0rd) and a tail of digits and
 * symbols (Password1!, Summer2024!) are taken off is refused.
 */
const COMMON = new Set([
  'password', 'passw', 'pass', 'welcome', 'qwerty', 'qwertyuiop', 'asdfgh', 'asdfghjkl', 'zxcvbnm', 'letmein', 'admin', 'administrator', 'iloveyou', 'monkey',
  'dragon', 'sunshine', 'football', 'baseball', 'basketball', 'soccer', 'princess', 'abc', 'abcd', 'abcdef', 'abcdefg', 'trustno', 'master', 'shadow',
  'superman', 'batman', 'starwars', 'hello', 'freedom', 'whatever', 'login', 'access', 'secret', 'changeme', 'default', 'test', 'tester', 'guest',
  'summer', 'winter', 'spring', 'autumn', 'fall', 'january', 'february', 'march', 'april', 'june', 'july', 'august', 'september', 'october',
  'november', 'december', 'monday', 'friday', 'michael', 'jennifer', 'jordan', 'charlie', 'ashley', 'jessica', 'daniel', 'thomas', 'hunter',
  'killer', 'pepper', 'cookie', 'cheese', 'computer', 'internet', 'samsung', 'google', 'apple', 'banana', 'flower', 'lovely', 'love', 'money',
  'mustang', 'ferrari', 'corvette', 'harley', 'matrix', 'ninja', 'pokemon', 'minecraft', 'liverpool', 'chelsea', 'arsenal', 'america', 'canada',
  'london', 'berlin', 'paris', 'company', 'office', 'finance', 'banking', 'account', 'coach', 'personal', 'user', 'username', 'root', 'system',
]);

const LEET: Record<string, string> = { '@': 'a', '4': 'a', '0': 'o', '1': 'i', '!': 'i', '3': 'e', '$': 's', '5': 's', '7': 't', '+': 't', '8': 'b', '9': 'g' };

/** True when the password is a common word or keyboard run dressed up with digits and symbols. */
export function isCommonPassword(password: string): boolean {
  const lower = password.toLowerCase();
  // The tail first (Summer2024! keeps "summer"), then letters for digits in what is left.
  const stem = lower.replace(/[^a-z]+$/, '').replace(/^[^a-z]+/, '');
  const plain = [...stem].map((c) => LEET[c] ?? c).join('').replace(/[^a-z]/g, '');
  if (/^(\d)\1*$/.test(lower) || /^(0?123456789?0?|987654321?0?)$/.test(lower)) return true;
  return COMMON.has(stem) || COMMON.has(plain) || COMMON.has(plain.replace(/(.)\1+$/, '$1'));
}

/** Returns what is missing, or an empty list when the password is acceptable. */
export function passwordProblems(password: string): string[] {
  const problems: string[] = [];
  if (password.length < 8) problems.push('is shorter than 8 characters');
  if (password.length > 128) problems.push('is longer than 128 characters');
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 3) problems.push(`uses ${classes} of the 4 kinds of characters; at least 3 are needed`);
  if (isCommonPassword(password)) problems.push('is too common: it is among the first ones an attacker tries');
  return problems;
}

/** The sentence shown under the password field, or null when the password is acceptable. */
export function passwordError(password: string): string | null {
  const problems = passwordProblems(password);
  return problems.length > 0 ? `This password ${problems.join(' and ')}.` : null;
}
