// CSV of members, built in the page from what queryMembers returns (FULL
// members, SDK naming). The header and cell encodings are the ones
// `universal-members export` writes (src/model/csv_columns.rs), so
// `universal-members import` reads the file back: phones and emails joined by `;`,
// addresses, photo and cover as JSON, dates ISO-8601, then one
// `customFields.<key>` column per key, sorted. Quoting is RFC 4180. No DOM.

/** The canonical columns, in export's order. */
export const HEADER = [
  'id', 'loginEmail', 'loginEmailVerified', 'status', 'privacyStatus', 'activityStatus', 'contactId',
  'firstName', 'lastName', 'nickname', 'title', 'slug', 'phones', 'emails', 'company', 'jobTitle',
  'birthdate', 'addresses', 'photo', 'cover', 'createdDate', 'updatedDate', 'lastLoginDate', 'customFieldNames',
];

const text = (value) => (value === undefined || value === null ? '' : String(value));
const date = (value) => (value ? new Date(value).toISOString() : '');

/** A custom field value as a cell: the string itself unless it would read as JSON (or is blank). */
function customCell(value) {
  if (typeof value === 'string' && value.trim() !== '' && value.trim() === value) {
    try {
      JSON.parse(value);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value);
}

/** One member as cells under `header`. */
function row(member, header) {
  const contact = member.contact ?? {};
  const profile = member.profile ?? {};
  const custom = contact.customFields ?? {};
  const names = Object.fromEntries(Object.entries(custom).filter(([, f]) => f?.name).map(([key, f]) => [key, f.name]));
  const cells = {
    id: member._id,
    loginEmail: member.loginEmail,
    loginEmailVerified: member.loginEmailVerified === undefined ? '' : String(Boolean(member.loginEmailVerified)),
    status: member.status,
    privacyStatus: member.privacyStatus,
    activityStatus: member.activityStatus,
    contactId: member.contactId,
    firstName: contact.firstName,
    lastName: contact.lastName,
    nickname: profile.nickname,
    title: profile.title,
    slug: profile.slug,
    phones: (contact.phones ?? []).join(';'),
    emails: (contact.emails ?? []).join(';'),
    company: contact.company,
    jobTitle: contact.jobTitle,
    birthdate: contact.birthdate,
    addresses: contact.addresses?.length ? JSON.stringify(contact.addresses) : '',
    photo: profile.photo ? JSON.stringify(profile.photo) : '',
    cover: profile.cover ? JSON.stringify(profile.cover) : '',
    createdDate: date(member._createdDate),
    updatedDate: date(member._updatedDate),
    lastLoginDate: date(member.lastLoginDate),
    customFieldNames: Object.keys(names).length ? JSON.stringify(names) : '',
  };
  return header.map((column) => (column.startsWith('customFields.')
    ? (column.slice(13) in custom ? customCell(custom[column.slice(13)].value) : '')
    : text(cells[column])));
}

/** A cell quoted when it holds a comma, a quote, or a line break (quotes doubled). */
export function quote(cell) {
  return /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/** The whole CSV text of `members` (header first, `\n` between records, one at the end). */
export function membersCsv(members) {
  const keys = new Set();
  for (const member of members) for (const key of Object.keys(member.contact?.customFields ?? {})) keys.add(key);
  const header = [...HEADER, ...[...keys].sort().map((key) => `customFields.${key}`)];
  return [header, ...members.map((member) => row(member, header))]
    .map((cells) => cells.map(quote).join(','))
    .join('\n') + '\n';
}
