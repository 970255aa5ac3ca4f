//! Access tokens: what the token endpoint issues and what Graph (and later EWS) accepts.
//!
//! A token is JWT-shaped (`header.payload.signature`, base64url) so clients that peek into it
//! find the claims they expect (`tid`, `appid`, `roles`, `aud`, `exp`), but the emulator never
//! trusts the claims it reads back: a token is valid only when the exact string was issued by
//! this emulator and is recorded in the [`TokenRegistry`]. Invariant: a token string is never
//! logged, displayed or put into an error; `Debug` of the registry shows counts only.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use crate::ids;

/// The resource a token was issued for (from the `scope` of the request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// `https://graph.microsoft.com/.default`.
    Graph,
    /// `https://outlook.office365.com/.default` (EWS).
    Outlook,
}

impl Audience {
    /// The audience for a client-credentials `scope` value; `None` for anything else.
    pub fn from_scope(scope: &str) -> Option<Self> {
        let scope = scope.trim();
        let resource = scope.strip_suffix("/.default")?;
        match resource.trim_end_matches('/').to_ascii_lowercase().as_str() {
            "https://graph.microsoft.com" | "00000003-0000-0000-c000-000000000000" => {
                Some(Audience::Graph)
            }
            "https://outlook.office365.com" | "00000002-0000-0ff1-ce00-000000000000" => {
                Some(Audience::Outlook)
            }
            _ => None,
        }
    }

    /// The `aud` claim Entra writes for this resource.
    pub fn claim(self) -> &'static str {
        match self {
            Audience::Graph => "https://graph.microsoft.com",
            Audience::Outlook => "https://outlook.office365.com",
        }
    }
}

/// What an issued token grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// Tenant the token was issued in.
    pub tenant_id: String,
    /// The app (client id) it was issued to.
    pub client_id: String,
    /// Application permissions (`roles` claim).
    pub roles: BTreeSet<String>,
    /// Resource.
    pub audience: Audience,
    /// End of validity.
    pub expires: DateTime<Utc>,
}

/// Why a presented token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// No bearer token was presented.
    #[error("Access token is empty.")]
    Empty,
    /// The token does not have the shape of a JWT.
    #[error("IDX14100: JWT is not well formed, there are no dots (.).")]
    Malformed,
    /// The token was not issued by this emulator.
    #[error("Access token validation failure. Invalid signature.")]
    Unknown,
    /// The token was issued but has expired.
    #[error("Lifetime validation failed, the token is expired.")]
    Expired,
    /// The token was issued for another resource.
    #[error("Access token validation failure. Invalid audience.")]
    WrongAudience,
}

/// Tokens issued so far.
#[derive(Default)]
pub struct TokenRegistry {
    issued: HashMap<String, Grant>,
}

impl fmt::Debug for TokenRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenRegistry")
            .field("issued", &self.issued.len())
            .finish()
    }
}

impl TokenRegistry {
    /// Issues a token for `grant` and remembers it; expired tokens are forgotten on the way.
    pub fn issue(&mut self, grant: Grant, now: DateTime<Utc>) -> String {
        // Keep expired tokens for a while so that using one answers "expired", not "unknown".
        let horizon = now - Duration::hours(1);
        self.issued.retain(|_, g| g.expires > horizon);
        let header = json!({"typ": "JWT", "alg": "none", "kid": "exsync-emulator"});
        let payload = json!({
            "aud": grant.audience.claim(),
            "iss": format!("https://sts.windows.net/{}/", grant.tenant_id),
            "iat": now.timestamp(),
            "nbf": now.timestamp(),
            "exp": grant.expires.timestamp(),
            "appid": grant.client_id,
            "idtyp": "app",
            "roles": grant.roles,
            "tid": grant.tenant_id,
            "ver": "1.0",
        });
        let token = format!(
            "{}.{}.{}",
            ids::base64url(header.to_string().as_bytes()),
            ids::base64url(payload.to_string().as_bytes()),
            ids::base64url(format!("{}{}", ids::guid(), ids::guid()).as_bytes()),
        );
        self.issued.insert(token.clone(), grant);
        token
    }

    /// The grant of a presented token, if it is one this emulator issued for `audience` and it
    /// has not expired at `now`.
    pub fn validate(
        &self,
        token: &str,
        audience: Audience,
        now: DateTime<Utc>,
    ) -> Result<&Grant, TokenError> {
        let token = token.trim();
        if token.is_empty() {
            return Err(TokenError::Empty);
        }
        if token.split('.').count() != 3 {
            return Err(TokenError::Malformed);
        }
        let grant = self.issued.get(token).ok_or(TokenError::Unknown)?;
        if grant.expires <= now {
            return Err(TokenError::Expired);
        }
        if grant.audience != audience {
            return Err(TokenError::WrongAudience);
        }
        Ok(grant)
    }
}

/// Decodes the payload (claims) of a JWT-shaped token without checking anything; for tests and
/// diagnostics.
pub fn peek_claims(token: &str) -> Option<serde_json::Value> {
    let payload = token.split('.').nth(1)?;
    serde_json::from_slice(&ids::base64url_decode(payload)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(expires: DateTime<Utc>) -> Grant {
        Grant {
            tenant_id: "t".into(),
            client_id: "c".into(),
            roles: ["Calendars.ReadWrite".to_owned()].into(),
            audience: Audience::Graph,
            expires,
        }
    }

    #[test]
    fn issued_tokens_validate_until_they_expire() {
        let now = Utc::now();
        let mut registry = TokenRegistry::default();
        let token = registry.issue(grant(now + Duration::seconds(60)), now);
        assert!(registry.validate(&token, Audience::Graph, now).is_ok());
        assert_eq!(
            registry.validate(&token, Audience::Outlook, now),
            Err(TokenError::WrongAudience)
        );
        let later = now + Duration::seconds(61);
        assert_eq!(
            registry.validate(&token, Audience::Graph, later),
            Err(TokenError::Expired)
        );
        assert_eq!(
            registry.validate("a.b.c", Audience::Graph, now),
            Err(TokenError::Unknown)
        );
        assert_eq!(
            registry.validate("opaque", Audience::Graph, now),
            Err(TokenError::Malformed)
        );
        let claims = peek_claims(&token).expect("claims");
        assert_eq!(claims["roles"][0], "Calendars.ReadWrite");
        assert_eq!(claims["aud"], "https://graph.microsoft.com");
    }

    #[test]
    fn scopes_map_to_audiences() {
        assert_eq!(
            Audience::from_scope("https://graph.microsoft.com/.default"),
            Some(Audience::Graph)
        );
        assert_eq!(
            Audience::from_scope("https://outlook.office365.com/.default"),
            Some(Audience::Outlook)
        );
        assert_eq!(
            Audience::from_scope("https://graph.microsoft.com/User.Read"),
            None
        );
        assert_eq!(Audience::from_scope("https://example.com/.default"), None);
    }
}
