/** A plain-text notice to one address (for example: "your email address was changed"). */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/**
 * Where the app's own notices go. In development it is the embedded provider's outbox; a
 * deployment with a real tenant plugs in its mail service here. Without one, features whose
 * security depends on a notice (changing the email address) are shown as unavailable.
 */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}
