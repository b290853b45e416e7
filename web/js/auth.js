// Where the API is and who the user is.
//
// config.json (served next to the page) says where the API lives and how to sign in. Both stacks
// write it from one declaration (functions/core/topology.py web_config), with these keys only:
//   local stack:  {"apiBase": "", "auth": "local"}            -> POST /local/token {"user": name}
//   AWS (CDK):    {"apiBase": "", "auth": "cognito", "region": "…",
//                  "userPoolId": "…", "userPoolClientId": "…"} -> Cognito USER_PASSWORD_AUTH
// Cognito may answer a sign-in with a challenge the page completes: a temporary password to replace
// (NEW_PASSWORD_REQUIRED), then, for a user who turned on TOTP MFA, the authenticator app's code
// (SOFTWARE_TOKEN_MFA).
// "apiBase" "" is the page's own origin; in AWS, CloudFront sends /api/* to the HTTP API. (From
// another origin, the API's 302s to S3 would arrive with Origin: null and media would not load.)
// The session (a bearer token and its expiry) lives in sessionStorage: it ends with the tab.

const SESSION_KEY = "trove.session";
const EXPIRY_MARGIN_MS = 30_000;
// The challenges the page answers, and the ChallengeResponses key that carries the user's answer.
const CHALLENGE_ANSWERS = {
  NEW_PASSWORD_REQUIRED: "NEW_PASSWORD",
  SOFTWARE_TOKEN_MFA: "SOFTWARE_TOKEN_MFA_CODE",
};

export async function loadConfig() {
  const answer = await fetch("config.json", { cache: "no-store" });
  if (!answer.ok) throw new Error(`config.json answered ${answer.status}`);
  const raw = await answer.json();
  if (typeof raw?.auth !== "string" || !raw.auth) throw new Error('it names no sign-in mode ("auth")');
  const userPoolId = raw.userPoolId ?? null;
  return {
    apiBase: String(raw.apiBase ?? "").replace(/\/+$/, ""),
    auth: raw.auth.toLowerCase(),
    region: raw.region ?? (userPoolId ? userPoolId.split("_")[0] : null),
    userPoolId,
    clientId: raw.userPoolClientId ?? null,
  };
}

/** The claims of a JWT, unverified (the API verifies; the page only reads `exp` and a name). */
export function jwtClaims(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(payload.padEnd(payload.length + ((4 - (payload.length % 4)) % 4), "="));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0))));
  } catch {
    return {};
  }
}

function sessionFrom(token, user, refreshToken = null) {
  const claims = jwtClaims(token);
  const expiresAt = claims.exp ? claims.exp * 1000 : Date.now() + 3600_000;
  return { token, user, expiresAt, refreshToken };
}

export class Auth {
  constructor(config) {
    this.config = config;
    this.session = this.#restore();
  }

  get signedIn() {
    return Boolean(this.session);
  }

  get userName() {
    return this.session?.user ?? "";
  }

  #restore() {
    try {
      const session = JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
      if (session?.token && (session.expiresAt > Date.now() + EXPIRY_MARGIN_MS || session.refreshToken)) {
        return session;
      }
    } catch {
      /* a damaged entry is the same as none */
    }
    sessionStorage.removeItem(SESSION_KEY);
    return null;
  }

  #keep(session) {
    this.session = session;
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  }

  signOut() {
    this.session = null;
    sessionStorage.removeItem(SESSION_KEY);
  }

  /** The bearer token, refreshed first if it is about to expire and can be; null when signed out. */
  async token() {
    if (!this.session) return null;
    if (this.session.expiresAt > Date.now() + EXPIRY_MARGIN_MS) return this.session.token;
    if (this.config.auth === "cognito" && this.session.refreshToken) {
      try {
        const result = await this.#cognito("InitiateAuth", {
          AuthFlow: "REFRESH_TOKEN_AUTH",
          ClientId: this.config.clientId,
          AuthParameters: { REFRESH_TOKEN: this.session.refreshToken },
        });
        const fresh = result.AuthenticationResult;
        this.#keep(sessionFrom(fresh.IdToken, this.session.user, this.session.refreshToken));
        return this.session.token;
      } catch {
        /* fall through: signed out */
      }
    }
    this.signOut();
    return null;
  }

  // ---- local stack: any user name gets a dev token ----

  async signInLocal(user) {
    const answer = await fetch(`${this.config.apiBase}/local/token`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ user }),
    });
    const body = await answer.json().catch(() => ({}));
    if (!answer.ok || !body.token) throw new Error(body.detail || `The sign-in answered ${answer.status}`);
    this.#keep(sessionFrom(body.token, user));
  }

  // ---- AWS: Cognito's user pool API, USER_PASSWORD_AUTH (the app client has no hosted UI) ----

  async #cognito(action, payload) {
    if (!this.config.region || !this.config.clientId) {
      throw new Error("config.json lacks the Cognito region and userPoolClientId");
    }
    const answer = await fetch(`https://cognito-idp.${this.config.region}.amazonaws.com/`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}`,
      },
      body: JSON.stringify(payload),
    });
    const body = await answer.json().catch(() => ({}));
    if (!answer.ok) {
      const problem = new Error(body.message || body.__type || `Cognito answered ${answer.status}`);
      problem.type = body.__type ?? ""; // e.g. NotAuthorizedException: the challenge's session is spent
      throw problem;
    }
    return body;
  }

  /**
   * Sign in with e-mail and password. Resolves to null when signed in, or to a challenge
   * ({name: "NEW_PASSWORD_REQUIRED" | "SOFTWARE_TOKEN_MFA", session}) that `answerChallenge` answers.
   */
  async signInCognito(email, password) {
    const result = await this.#cognito("InitiateAuth", {
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: this.config.clientId,
      AuthParameters: { USERNAME: email, PASSWORD: password },
    });
    return this.#settle(email, result);
  }

  /** Answer a challenge (a new password, or a TOTP code); resolves like `signInCognito`: a new
   * password may be followed by the MFA code. */
  async answerChallenge(email, challenge, answer) {
    const result = await this.#cognito("RespondToAuthChallenge", {
      ChallengeName: challenge.name,
      ClientId: this.config.clientId,
      Session: challenge.session,
      ChallengeResponses: { USERNAME: email, [CHALLENGE_ANSWERS[challenge.name]]: answer },
    });
    return this.#settle(email, result);
  }

  #settle(email, result) {
    if (result.AuthenticationResult) {
      const tokens = result.AuthenticationResult;
      // The ID token: its audience is the app client (what the JWT authorizer checks) and it
      // carries the user's attributes (custom:userId) that the API reads.
      this.#keep(sessionFrom(tokens.IdToken, email, tokens.RefreshToken ?? null));
      return null;
    }
    if (result.ChallengeName in CHALLENGE_ANSWERS) {
      return { name: result.ChallengeName, session: result.Session };
    }
    throw new Error(`Sign-in needs a step this page does not offer (${result.ChallengeName || "unknown"})`);
  }
}
