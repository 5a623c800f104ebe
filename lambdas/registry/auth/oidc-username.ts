/**
 * The Basic user name that says "the password is a trusted-publishing token" (`POST
 * /api/v1/oidc/token` answers it as `username`): tools that only speak Basic or the Docker token
 * protocol (docker login, skopeo, oras, Packyard's own client) can use the token unchanged.
 * `packyard user add` refuses it, so it never names a stored credential. A module of its own so
 * the credential rules (and the CLI's `user` command) need not load the token code (jose).
 */
export const OIDC_USERNAME = 'oidc';
