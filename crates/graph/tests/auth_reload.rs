//! Credentials that change while exsync runs, against an in-process emulator: a provider whose
//! secret is replaced (SIGHUP) asks with the new one at once and never hands out a token of the
//! old one; and the Graph client asks for the configured scope.

use std::sync::Arc;

use exsync_emulator::control::Protocol;
use exsync_emulator::{Emulator, EmulatorHandle};
use exsync_graph::auth::{
    AuthError, Credential, EXCHANGE_ONLINE_SCOPE, GRAPH_SCOPE, TokenProvider,
};
use exsync_graph::client::{GraphClient, GraphError, GraphRequest, GraphTokens};
use secrecy::SecretString;

async fn emulator() -> EmulatorHandle {
    Emulator::start("127.0.0.1:0".parse().expect("address"))
        .await
        .expect("emulator starts")
}

fn secret(text: &str) -> Credential {
    Credential::Secret(SecretString::from(text))
}

fn token_requests(emu: &EmulatorHandle) -> u64 {
    emu.request_counts()
        .iter()
        .filter(|c| c.protocol == Protocol::Token)
        .map(|c| c.count)
        .sum()
}

#[tokio::test]
async fn a_reloaded_secret_is_used_for_the_next_token_request() {
    let emu = emulator().await;
    let provider = TokenProvider::new(emu.token_url(), emu.client_id(), secret("an old secret"));
    let clone = provider.clone();
    let error = provider.token(GRAPH_SCOPE).await.expect_err("wrong secret");
    assert!(matches!(error, AuthError::WrongSecret { .. }), "{error:?}");

    assert!(provider.reload(
        emu.token_url(),
        emu.client_id(),
        secret(&emu.client_secret())
    ));
    clone
        .token(GRAPH_SCOPE)
        .await
        .expect("the clone (the running client's) uses the new secret");
    let asked = token_requests(&emu);
    assert!(
        !provider.reload(
            emu.token_url(),
            emu.client_id(),
            secret(&emu.client_secret())
        ),
        "the same settings change nothing"
    );
    provider.token(GRAPH_SCOPE).await.expect("still cached");
    assert_eq!(token_requests(&emu), asked, "the cached token was kept");

    // A token obtained with the replaced secret is not handed out any more.
    assert!(provider.reload(emu.token_url(), emu.client_id(), secret("a revoked secret")));
    let error = clone
        .token(GRAPH_SCOPE)
        .await
        .expect_err("new, wrong secret");
    assert!(matches!(error, AuthError::WrongSecret { .. }), "{error:?}");
    assert_eq!(token_requests(&emu), asked + 1);
}

#[tokio::test]
async fn the_graph_client_asks_for_its_configured_scope() {
    let emu = emulator().await;
    let provider = Arc::new(TokenProvider::new(
        emu.token_url(),
        emu.client_id(),
        secret(&emu.client_secret()),
    ));
    let mailbox = emu.mailboxes()[0].mail.clone();
    let path = format!("/users/{mailbox}/events");
    let graph = GraphClient::new(
        emu.graph_url(),
        Arc::new(GraphTokens::new(provider.clone())),
    );
    graph
        .send(&mailbox, &GraphRequest::get(path.clone(), "list events"))
        .await
        .expect("a Graph token works");
    // The Exchange Online (EWS) scope gives a token Graph refuses: the scope was used.
    let tokens = GraphTokens::new(provider).with_scope(EXCHANGE_ONLINE_SCOPE);
    assert_eq!(tokens.scope(), EXCHANGE_ONLINE_SCOPE);
    let ews = GraphClient::new(emu.graph_url(), Arc::new(tokens));
    let error = ews
        .send(&mailbox, &GraphRequest::get(path, "list events"))
        .await
        .expect_err("wrong audience");
    assert!(
        matches!(&error, GraphError::Auth(message) if message.contains("Invalid audience")),
        "{error:?}"
    );
}
