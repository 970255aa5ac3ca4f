//! What `sync` and `run` share: the business database, the state store, the rules and the
//! Graph connector for the configured Exchange, opened once.
//!
//! With `exchange.kind = "emulator"` (the embedded default) the connector talks to an
//! in-process emulator with one mailbox per enabled user. That emulator keeps nothing after the
//! process ends, so the sync state is kept in memory too: a state store that remembered items
//! of a vanished emulator would see them all as deleted in Exchange.

use std::sync::Arc;

use anyhow::{Context, bail};
use exsync_business::{BusinessDb, BusinessDbOptions};
use exsync_config::{Config, ExchangeTarget, MailboxAddressing};
use exsync_emulator::{Emulator, EmulatorHandle, Mailbox, Organisation};
use exsync_engine::Rules;
use exsync_graph::auth::{Credential, TokenProvider};
use exsync_graph::client::{GraphClient, GraphTokens};
use exsync_model::TimeZoneName;
use exsync_runtime::graph::GraphConnector;
use exsync_runtime::rules_from_config;
use exsync_store::{StateStore, StoreOptions};

/// Everything a sync needs, open.
pub struct Connected {
    /// The business database.
    pub business: BusinessDb,
    /// The sync state.
    pub state: StateStore,
    /// The rules of the configuration.
    pub rules: Rules,
    /// The Graph connector (full passes; `.full_pass(false)` for incremental ones).
    pub connector: GraphConnector,
    /// The connector's token provider with `exchange.kind = "online"`: SIGHUP hands it the
    /// credentials read again.
    pub tokens: Option<TokenProvider>,
    /// The in-process emulator, when `exchange.kind = "emulator"`; kept alive with the rest.
    pub _emulator: Option<EmulatorHandle>,
}

impl Connected {
    /// Opens what `config` names; `read_only` for plan-only runs.
    pub async fn open(config: &Config, read_only: bool) -> anyhow::Result<Connected> {
        let business = open_business(config).await?;
        let rules =
            rules_from_config(config).context("the sync rules of the configuration are invalid")?;
        let zone = TimeZoneName::new(&config.sync.time_zone).context("sync.time_zone")?;
        let (client, state, emulator, tokens) = match &config.exchange.target {
            ExchangeTarget::Online(online) => {
                let provider =
                    TokenProvider::from_config(online).map_err(|e| anyhow::anyhow!("{e}"))?;
                let graph_tokens =
                    GraphTokens::new(Arc::new(provider.clone())).with_scope(&online.scope);
                let client = GraphClient::new(&online.graph_url, Arc::new(graph_tokens));
                let state = open_state(config).await?;
                (client, state, None, Some(provider))
            }
            ExchangeTarget::Emulator => {
                let emulator =
                    start_emulator_for(&business, config.exchange.mailbox_addressing).await?;
                println!(
                    "exchange.kind = \"emulator\": syncing with a built-in Exchange emulator serving one \
                     mailbox per enabled user; it keeps nothing after this process, so neither does the sync state."
                );
                let provider = TokenProvider::new(
                    emulator.token_url(),
                    emulator.client_id(),
                    Credential::Secret(emulator.client_secret().into()),
                );
                let client = GraphClient::new(
                    emulator.graph_url(),
                    Arc::new(GraphTokens::new(Arc::new(provider))),
                );
                let state = StateStore::connect("sqlite::memory:")
                    .await
                    .context("cannot open an in-memory sync state store")?;
                (client, state, Some(emulator), None)
            }
            ExchangeTarget::Server(_) => bail!(
                "exchange.kind = \"server\" (Exchange Server through EWS) cannot be synced by this version yet; \
                 use exchange.kind = \"online\" (Microsoft Graph) or \"emulator\""
            ),
        };
        let connector = GraphConnector::new(
            Arc::new(client),
            zone,
            config.sync.task_list.clone(),
            config.sync.contact_folder.clone(),
        )
        .read_only(read_only);
        Ok(Connected {
            business,
            state,
            rules,
            connector,
            tokens,
            _emulator: emulator,
        })
    }
}

/// The business database of `config` (in `database.schema` on PostgreSQL, if set).
pub async fn open_business(config: &Config) -> anyhow::Result<BusinessDb> {
    open_business_at(
        config.database.url.expose_secret(),
        config.database.schema.clone(),
    )
    .await
}

/// The business database at `url`, in `schema` if given and `url` is PostgreSQL's.
pub async fn open_business_at(url: &str, schema: Option<String>) -> anyhow::Result<BusinessDb> {
    let options = BusinessDbOptions {
        schema: schema.filter(|_| is_postgres(url)),
        ..BusinessDbOptions::default()
    };
    BusinessDb::connect_with(url, &options)
        .await
        .context("cannot open the business database")
}

/// The sync state store of `config` (`database.state_url`, else `database.url`; in
/// `database.schema` on PostgreSQL, if set).
pub async fn open_state(config: &Config) -> anyhow::Result<StateStore> {
    let url = config.database.state_url().expose_secret();
    let mut options = StoreOptions::new(url);
    if let Some(schema) = config.database.schema.as_ref().filter(|_| is_postgres(url)) {
        options = options.schema(schema.clone());
    }
    StateStore::connect_with(options)
        .await
        .context("cannot open the sync state store")
}

pub(super) fn is_postgres(url: &str) -> bool {
    let url = url.trim_start();
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// An in-process emulator whose tenant has a mailbox for every enabled user with a mailbox
/// (and the sample mailboxes besides): named by the user's mailbox address, or with
/// `exchange.mailbox_addressing = "user_name"` by the login as its user principal name (the
/// mailbox address, if stored, as its address).
async fn start_emulator_for(
    business: &BusinessDb,
    addressing: MailboxAddressing,
) -> anyhow::Result<EmulatorHandle> {
    let users = business
        .list_users()
        .await
        .context("cannot read the users of the business database")?;
    start_emulator_with(&users, addressing).await
}

/// An in-process emulator whose tenant has a mailbox for every enabled one of `users` with a
/// mailbox address (and the sample mailboxes besides), named as `addressing` says.
pub(super) async fn start_emulator_with(
    users: &[exsync_business::User],
    addressing: MailboxAddressing,
) -> anyhow::Result<EmulatorHandle> {
    let mut organisation = Organisation::sample();
    if let Some(tenant) = organisation.tenants.first_mut() {
        for user in users.iter().filter(|u| u.enabled) {
            let Some(name) = exsync_runtime::mailbox_of(user, addressing) else {
                continue;
            };
            if tenant.mailbox(name).is_none() {
                let mut mailbox = Mailbox::new(name, &user.display_name);
                if let Some(address) = user.mailbox.as_deref() {
                    mailbox.mail = address.to_owned();
                }
                tenant.mailboxes.push(mailbox);
            }
        }
    }
    Emulator::start_with("127.0.0.1:0".parse()?, organisation)
        .await
        .context("cannot start the built-in Exchange emulator")
}
