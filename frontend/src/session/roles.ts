/** What each role of the platform is called on screen, by its name on the wire. */
export const ROLE_LABELS: Readonly<Record<string, string>> = {
  applicant_maker: 'Applicant maker',
  applicant_checker: 'Applicant checker',
  beneficiary_user: 'Beneficiary',
  corporate_administrator: 'Corporate administrator',
  bank_maker: 'Bank maker',
  bank_checker: 'Bank checker',
  bank_administrator: 'Bank administrator',
  regulator: 'Regulator (read-only)',
  operator: 'Platform operator',
};

/** What each kind of organisation is called on screen. */
export const ORGANISATION_KIND_LABELS: Readonly<Record<string, string>> = {
  bank: 'Bank',
  corporate: 'Corporate',
  regulator: 'Regulator',
  operator: 'Platform operator',
};

function has(labels: Readonly<Record<string, string>>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(labels, key);
}

/** The label of a role; a role this app does not know yet shows by its wire name. */
export function roleLabel(role: string): string {
  return has(ROLE_LABELS, role) ? (ROLE_LABELS[role] ?? role) : role;
}

/** The label of an organisation kind; an unknown kind shows by its wire name. */
export function organisationKindLabel(kind: string): string {
  return has(ORGANISATION_KIND_LABELS, kind) ? (ORGANISATION_KIND_LABELS[kind] ?? kind) : kind;
}
