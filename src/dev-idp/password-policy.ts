/** The rule shown on the sign-up form, and checked on the server. */
export const PASSWORD_RULE = 'At least 8 characters, with at least 3 of: lower-case letters, upper-case letters, digits, symbols.';

/** Returns what is missing, or an empty list when the password is acceptable. */
export function passwordProblems(password: string): string[] {
  const problems: string[] = [];
  if (password.length < 8) problems.push('is shorter than 8 characters');
  if (password.length > 128) problems.push('is longer than 128 characters');
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 3) problems.push(`uses ${classes} of the 4 kinds of characters; at least 3 are needed`);
  return problems;
}

/** The sentence shown under the password field, or null when the password is acceptable. */
export function passwordError(password: string): string | null {
  const problems = passwordProblems(password);
  return problems.length > 0 ? `This password ${problems.join(' and ')}.` : null;
}
