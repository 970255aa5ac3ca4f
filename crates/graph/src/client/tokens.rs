//! The `auth` module's [`TokenProvider`] as the client's [`TokenSource`] for Graph, asking for
//! one scope (`exchange.online.scope`; [`GRAPH_SCOPE`] unless told otherwise).
//!
//! Invariant: the token is handed on as a `SecretString` only; an auth failure becomes
//! [`GraphError::Auth`] with the provider's administrator message (which never holds a secret);
//! every token is requested, cached and invalidated under the same scope.

use std::sync::{Arc, Mutex, PoisonError};

use super::{DoneFuture, GraphError, TokenFuture, TokenSource};
use crate::auth::{AccessToken, GRAPH_SCOPE, TokenProvider};

/// Graph tokens from a [`TokenProvider`].
pub struct GraphTokens {
    provider: Arc<TokenProvider>,
    scope: String,
    last: Mutex<Option<AccessToken>>,
}

impl GraphTokens {
    /// Tokens for the Graph scope ([`GRAPH_SCOPE`]) from `provider`.
    pub fn new(provider: Arc<TokenProvider>) -> Self {
        GraphTokens {
            provider,
            scope: GRAPH_SCOPE.to_owned(),
            last: Mutex::new(None),
        }
    }

    /// The same, asking for `scope` instead (e.g. a national cloud's Graph).
    pub fn with_scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = scope.into();
        self
    }

    /// The scope every token is requested for.
    pub fn scope(&self) -> &str {
        &self.scope
    }
}

impl TokenSource for GraphTokens {
    fn bearer(&self) -> TokenFuture<'_> {
        Box::pin(async move {
            let token = self
                .provider
                .token(&self.scope)
                .await
                .map_err(|e| GraphError::Auth(e.to_string()))?;
            let secret = token.secret().clone();
            *self.last.lock().unwrap_or_else(PoisonError::into_inner) = Some(token);
            Ok(secret)
        })
    }

    fn invalidate(&self) -> DoneFuture<'_> {
        Box::pin(async move {
            let last = self
                .last
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            if let Some(token) = last {
                self.provider.invalidate(&self.scope, &token).await;
            }
        })
    }
}
