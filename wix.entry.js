import { createClient, ApiKeyStrategy } from '@wix/sdk';
import { members } from '@wix/members';
const client = createClient({ modules: { members }, auth: ApiKeyStrategy({ apiKey: 'key', siteId: 'site' }) });
window.__wix = () => client.members.queryMembers().limit(20).find();
