"""The platform's Authentication API, served beside the API it guards: `POST /Auth/connect/token`
(OAuth 2.0 client credentials, RFC 6749 4.4) issuing the bearer tokens the public operation checks."""
