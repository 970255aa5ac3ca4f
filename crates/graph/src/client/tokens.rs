//! The `auth` module's [`TokenProvider`] as the client's [`TokenSource`] for Graph.
//!
//! Invariant: the token is handed on as a `SecretString` only; an auth failure becomes
//! [`GraphError::Auth`] with the provider's administrator message (which never holds a secret).

use std::sync::{Arc, Mutex, PoisonError};

use super::{DoneFuture, GraphError, TokenFuture, TokenSource};
use crate::auth::{AccessToken, GRAPH_SCOPE, TokenProvider};

/// Graph tokens from a [`TokenProvider`].
pub struct GraphTokens {
    provider: Arc<TokenProvider>,
    last: Mutex<Option<AccessToken>>,
}

impl GraphTokens {
    /// Tokens for the Graph scope from `provider`.
    pub fn new(provider: Arc<TokenProvider>) -> Self {
        GraphTokens {
            provider,
            last: Mutex::new(None),
        }
    }
}

impl TokenSource for GraphTokens {
    fn bearer(&self) -> TokenFuture<'_> {
        Box::pin(async move {
            let token = self
                .provider
                .token(GRAPH_SCOPE)
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
                self.provider.invalidate(GRAPH_SCOPE, &token).await;
            }
        })
    }
}
