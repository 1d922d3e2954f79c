import { createClient, ApiKeyStrategy } from '@wix/sdk';
import { members } from '@wix/members';
const client = createClient({ modules: { members }, auth: ApiKeyStrategy({ apiKey: 'bench-admin-key' }), host: { apiBaseUrl: location.host } });
window.__wix = () => client.members.queryMembers().limit(20).find();
