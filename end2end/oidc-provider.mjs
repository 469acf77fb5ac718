// An independent, standards-compliant OpenID Provider for the end-to-end suite: panva's
// `oidc-provider` (npm), configured for one public client with PKCE, refresh tokens
// (offline_access), revocation and RP-initiated logout. The app's `oidc` kind must work
// against it unchanged.
//
//   node oidc-provider.mjs --port 9192 --redirect-uri http://127.0.0.1:8180/callback
//
// Its development sign-in pages accept any login name with any password.
import Provider from 'oidc-provider';

function parseArgs(argv) {
  const options = { port: 9192, redirectUris: [], accessTokenTtl: 3600 };
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--port') options.port = Number(value);
    else if (flag === '--redirect-uri') options.redirectUris.push(value);
    else if (flag === '--access-token-ttl') options.accessTokenTtl = Number(value);
    else throw new Error(`unknown argument ${flag}`);
    i += 1;
  }
  if (options.redirectUris.length === 0) options.redirectUris.push('http://127.0.0.1:8080/callback');
  return options;
}

const options = parseArgs(process.argv.slice(2));
const issuer = `http://127.0.0.1:${options.port}`;
const origins = options.redirectUris.map((uri) => new URL(uri).origin);

const people = {
  ada: { name: 'Ada Lovelace', email: 'ada@example.com' },
  grace: { name: 'Grace Hopper', email: 'grace@example.com' },
};

const configuration = {
  clients: [
    {
      client_id: 'pkce-desk-oidc',
      token_endpoint_auth_method: 'none',
      application_type: 'web',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: options.redirectUris,
      post_logout_redirect_uris: origins.map((origin) => `${origin}/login`),
    },
  ],
  scopes: ['openid', 'offline_access', 'profile', 'email'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email', 'email_verified'],
  },
  features: {
    devInteractions: { enabled: true },
    revocation: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  ttl: { AccessToken: options.accessTokenTtl, IdToken: options.accessTokenTtl },
  // Public clients may call the token, userinfo and revocation endpoints from their own origins.
  clientBasedCORS: (_ctx, origin) => origins.includes(origin),
  cookies: { keys: ['pkce-desk-e2e-only-not-a-secret'] },
  async findAccount(_ctx, id) {
    const person = people[id.split('@')[0].toLowerCase()] ?? { name: id, email: `${id}@example.com` };
    return {
      accountId: id,
      async claims() {
        return { sub: id, name: person.name, email: person.email, email_verified: true, preferred_username: id };
      },
    };
  },
};

const provider = new Provider(issuer, configuration);
const server = provider.listen(options.port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
