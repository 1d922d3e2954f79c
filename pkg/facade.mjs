// The `members` object users import: the same method names in every runtime.
// Each call is forwarded to the wasm `Members` for the current caller, which
// `resolve` picks (on Node, `elevate()` swaps in an admin for the duration).

/** Every call of SPEC §5, plus events and the query builder. */
export const METHODS = [
  'createMember', 'getMember', 'listMembers', 'queryMembers', 'updateMember', 'deleteMember',
  'deleteMemberAddresses', 'deleteMemberEmails', 'deleteMemberPhones', 'getCurrentMember',
  'joinCommunity', 'leaveCommunity', 'updateCurrentMemberSlug', 'updateMemberSlug',
  'muteMember', 'unmuteMember', 'approveMember', 'blockMember', 'disconnectMember',
  'deleteMyMember', 'bulkDeleteMembers', 'bulkDeleteMembersByFilter', 'bulkApproveMembers',
  'bulkBlockMembers', 'importMembers', 'onMemberCreated', 'onMemberUpdated', 'onMemberDeleted',
];

/**
 * Builds a members object over `core()` (the wasm Members of its caller).
 * `resolve(core)` may replace the caller for one call (elevation).
 */
export function makeMembers(core, resolve = (c) => c) {
  const api = {};
  for (const name of METHODS) {
    const method = (...args) => resolve(core())[name](...args);
    Object.defineProperty(method, 'name', { value: name });
    api[name] = method;
  }
  Object.defineProperty(api, 'core', { get: core, enumerable: false });
  return api;
}
