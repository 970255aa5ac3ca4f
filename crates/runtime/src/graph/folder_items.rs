//! Tasks and contacts on Graph share one shape: items in a container (a To Do list, a contact
//! folder) with a delta feed, a business id stamped on each item exsync writes, and plain
//! create / PATCH / DELETE. This module is that shape once; `tasks` and `contacts` fill in
//! the names and the conversions.
//!
//! Invariants: as for appointments — only a 404 on the item is a deletion; an item whose
//! delta entry cannot be read is reported and left alone; linked items are read from the
//! delta entry itself, unlinked ones are fetched with their stamp (delta does not expand it).

use std::collections::{BTreeSet, HashSet};

use exsync_graph::client::GraphRequest;
use exsync_graph::delta::{DeltaRound, delta_round, escape_path, user_path};
use exsync_graph::wire::WireError;
use exsync_model::{BusinessId, ExchangeId};
use reqwest::Method;
use serde_json::Value;

use super::cursor::DeltaCursor;
use super::duplicates::retried_copies;
use super::unsent::{EmptyField, only_sent};
use super::{GraphConnector, side_error};
use crate::exchange::{
    Collected, ExchangeItem, ExchangeSide, ExchangeWrite, LinkedItems, SideError, Unreadable,
    Written,
};
use crate::kind::SyncKind;
use exsync_engine::SyncWindow;

/// One Graph item read: its id, stamp, last change and model item.
pub(crate) struct ReadItem<T> {
    pub(crate) id: String,
    /// The version: `changeKey`, else the tag inside `@odata.etag` (To Do has no change key).
    pub(crate) change_key: Option<String>,
    pub(crate) business_id: Option<String>,
    pub(crate) modified: Option<chrono::DateTime<chrono::Utc>>,
    pub(crate) item: T,
}

/// What differs between tasks and contacts.
pub(crate) trait FolderKind: SyncKind + EmptyField {
    /// The cursor name.
    const CURSOR: &'static str;
    /// The collection's path segment under the container (`tasks`, `contacts`).
    const ITEMS: &'static str;
    /// The container's path segment (`todo/lists`, `contactFolders`).
    const CONTAINERS: &'static str;
    /// What one item is called in messages.
    const NAME: &'static str;
    /// True when a delta entry holds everything [`FolderKind::read`] needs (else every
    /// changed item is fetched with [`FolderKind::expand`]).
    const COMPLETE_IN_DELTA: bool;
    /// The query that brings the stamp along.
    fn expand() -> String;
    /// Reads one item (not a tombstone).
    fn read(raw: &Value) -> Result<ReadItem<Self>, WireError>;
    /// The POST body.
    fn create_body(item: &Self, business_id: &str) -> Result<Value, WireError>;
    /// The PATCH body of `fields`.
    fn patch_body(item: &Self, fields: &[&str]) -> Result<Value, WireError>;
    /// The id of the list or folder the mailbox's items of this kind live in.
    fn container(
        connector: &GraphConnector,
        mailbox: &str,
    ) -> impl std::future::Future<Output = Result<String, SideError>> + Send;
    /// The request that stamps item `item_url` with `business_id`.
    fn stamp(item_url: String, business_id: &str) -> GraphRequest;
}

fn items_path(mailbox: &str, container: &str, kind: (&str, &str)) -> String {
    format!(
        "{}/{}/{}/{}",
        user_path(mailbox),
        kind.0,
        escape_path(container),
        kind.1
    )
}

impl GraphConnector {
    pub(crate) async fn collect_in<T: FolderKind>(
        &self,
        mailbox: &str,
        container: &str,
        cursor: Option<&str>,
        linked: &LinkedItems<'_, T>,
    ) -> Result<Collected<T>, SideError> {
        let base = items_path(mailbox, container, (T::CONTAINERS, T::ITEMS));
        let stored = DeltaCursor::stored(cursor, container);
        let unconfirmed: HashSet<String> = stored
            .as_ref()
            .map(|c| c.unconfirmed.iter().cloned().collect())
            .unwrap_or_default();
        let (round, initial) = self
            .round_in(
                mailbox,
                stored.map(|c| c.delta_link),
                &format!("{base}/delta"),
            )
            .await?;
        let mut collected = Collected {
            present: Vec::new(),
            deleted: Vec::new(),
            rejected: Vec::new(),
            next_cursor: DeltaCursor {
                scope: container.to_owned(),
                delta_link: round.delta_link.clone(),
                unconfirmed: Vec::new(),
                series: None,
            }
            .encode(),
            initial,
        };
        let mut to_fetch = BTreeSet::new();
        let mut seen = HashSet::new();
        for entry in &round.entries {
            let id = entry["id"].as_str().unwrap_or_default().to_owned();
            seen.insert(id.clone());
            let is_linked = linked.contains_key(&ExchangeId::from(id.as_str()));
            if entry.get("@removed").is_some() {
                if is_linked {
                    to_fetch.insert(id);
                }
                continue;
            }
            if !is_linked || !T::COMPLETE_IN_DELTA {
                to_fetch.insert(id);
                continue;
            }
            match T::read(entry) {
                Ok(read) => collected.present.push(exchange_item(read)),
                Err(error) => collected.rejected.push(unreadable(&id, &error.to_string())),
            }
        }
        for id in linked.keys() {
            if !seen.contains(id.as_str()) && (initial || unconfirmed.contains(id.as_str())) {
                to_fetch.insert(id.as_str().to_owned());
            }
        }
        let urls = to_fetch
            .iter()
            .map(|id| format!("{base}/{}?{}", escape_path(id), T::expand()))
            .collect();
        let answers = self.get_many(mailbox, urls, T::NAME).await;
        for (id, answer) in to_fetch.iter().zip(answers) {
            match answer {
                Ok(response) => match T::read(&response.body) {
                    Ok(read) => collected.present.push(exchange_item(read)),
                    Err(error) => collected.rejected.push(unreadable(id, &error.to_string())),
                },
                Err(error) if error.is_not_found() => {
                    if linked.contains_key(&ExchangeId::from(id.as_str())) {
                        collected.deleted.push(ExchangeId::from(id.as_str()));
                    }
                }
                Err(error) if error.is_mailbox_wide() => return Err(side_error(&error)),
                Err(error) => collected.rejected.push(unreadable(id, &error.to_string())),
            }
        }
        self.delete_retried_copies(mailbox, &base, &mut collected, linked)
            .await;
        Ok(collected)
    }

    /// Deletes the extra copies a retried create left (see `duplicates`) and leaves them out
    /// of `collected`; a copy that cannot be deleted is reported and left alone.
    async fn delete_retried_copies<T: FolderKind>(
        &self,
        mailbox: &str,
        base: &str,
        collected: &mut Collected<T>,
        linked: &LinkedItems<'_, T>,
    ) {
        let copies = retried_copies(&collected.present, linked);
        if copies.is_empty() {
            return;
        }
        collected.present.retain(|item| !copies.contains(&item.id));
        if self.read_only {
            for id in &copies {
                tracing::warn!(
                    mailbox,
                    id = id.as_str(),
                    "a retried create left a second copy of a {}; a run that writes deletes it",
                    T::NAME
                );
            }
            return;
        }
        let requests: Vec<GraphRequest> = copies
            .iter()
            .map(|id| {
                GraphRequest::new(
                    Method::DELETE,
                    format!("{base}/{}", escape_path(id.as_str())),
                    "delete a copy left by a retried create",
                )
            })
            .collect();
        let answers = self.client.batch(mailbox, &requests).await;
        for (id, answer) in copies.iter().zip(answers) {
            match answer {
                Ok(_) => tracing::warn!(
                    mailbox,
                    id = id.as_str(),
                    "deleted a {} that a retried create had made twice",
                    T::NAME
                ),
                Err(error) if error.is_not_found() => {}
                Err(error) => collected.rejected.push(unreadable(
                    id.as_str(),
                    &format!(
                        "a second copy of a {} (a create was retried after its answer was \
                         lost) could not be deleted: {error}; delete it in Outlook",
                        T::NAME
                    ),
                )),
            }
        }
    }

    async fn round_in(
        &self,
        mailbox: &str,
        link: Option<String>,
        initial_url: &str,
    ) -> Result<(DeltaRound, bool), SideError> {
        const OPERATION: &str = "read changes (delta)";
        if let Some(link) = link {
            match delta_round(&self.client, mailbox, &link, OPERATION).await {
                Ok(round) => return Ok((round, false)),
                Err(error) if error.is_sync_state_lost() => {}
                Err(error) => return Err(side_error(&error)),
            }
        }
        delta_round(&self.client, mailbox, initial_url, OPERATION)
            .await
            .map(|round| (round, true))
            .map_err(|e| side_error(&e))
    }

    /// Applies `writes` a slice at a time (see `apply_events`).
    pub(crate) async fn apply_in<T: FolderKind>(
        &self,
        mailbox: &str,
        container: &str,
        writes: &[ExchangeWrite<'_, T>],
    ) -> Vec<Result<Written, SideError>> {
        let mut results = Vec::with_capacity(writes.len());
        for slice in writes.chunks(super::WRITES_PER_SLICE) {
            results.extend(self.apply_slice_in(mailbox, container, slice).await);
        }
        results
    }

    async fn apply_slice_in<T: FolderKind>(
        &self,
        mailbox: &str,
        container: &str,
        writes: &[ExchangeWrite<'_, T>],
    ) -> Vec<Result<Written, SideError>> {
        let base = items_path(mailbox, container, (T::CONTAINERS, T::ITEMS));
        let mut results: Vec<Option<Result<Written, SideError>>> = vec![None; writes.len()];
        let mut requests = Vec::new();
        let mut request_of = Vec::new();
        for (index, write) in writes.iter().enumerate() {
            let request = match write {
                ExchangeWrite::Create {
                    business_id,
                    item,
                    fields,
                    ..
                } => T::create_body(&only_sent(*item, fields), business_id.as_str()).map(|body| {
                    GraphRequest::new(Method::POST, base.clone(), "create an item").json(body)
                }),
                ExchangeWrite::Update {
                    id,
                    write,
                    change_key,
                    ..
                } => T::patch_body(&write.item, &write.fields).map(|body| {
                    GraphRequest::new(
                        Method::PATCH,
                        format!("{base}/{}", escape_path(id.as_str())),
                        "update an item",
                    )
                    .json(body)
                    .if_match(super::etag_of(*change_key))
                }),
                ExchangeWrite::Delete { id } => Ok(GraphRequest::new(
                    Method::DELETE,
                    format!("{base}/{}", escape_path(id.as_str())),
                    "delete an item",
                )),
                ExchangeWrite::Stamp { id, business_id } => Ok(T::stamp(
                    format!("{base}/{}", escape_path(id.as_str())),
                    business_id.as_str(),
                )),
            };
            match request {
                Ok(request) => {
                    requests.push(request);
                    request_of.push(index);
                }
                Err(error) => {
                    results[index] = Some(Err(SideError::item(format!(
                        "{error}; fix the {} in the business application",
                        T::NAME
                    ))))
                }
            }
        }
        let answers = self.client.batch(mailbox, &requests).await;
        for (index, answer) in request_of.into_iter().zip(answers) {
            let write = &writes[index];
            results[index] = Some(match (write, answer) {
                (ExchangeWrite::Delete { .. }, Err(error)) if error.is_not_found() => {
                    Ok(Written::default())
                }
                (_, Err(error)) => Err(side_error(&error)),
                (ExchangeWrite::Create { .. }, Ok(response)) => Ok(Written {
                    id: response.body["id"].as_str().map(ExchangeId::from),
                    change_key: version_of(&response.body),
                }),
                (_, Ok(response)) => Ok(Written {
                    id: None,
                    change_key: version_of(&response.body),
                }),
            });
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(SideError::item("the write was not carried out"))))
            .collect()
    }

    /// The id of the container named `name` (or the well-known default when `None`), created
    /// when a named one is missing; remembered per mailbox.
    pub(crate) async fn container_id(
        &self,
        mailbox: &str,
        containers: &'static str,
        name: Option<&str>,
        is_default: fn(&Value) -> bool,
    ) -> Result<String, SideError> {
        let key = (mailbox.to_ascii_lowercase(), containers);
        if let Some(id) = self
            .containers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return Ok(id.clone());
        }
        let url = format!("{}/{containers}", user_path(mailbox));
        let mut found = None;
        let mut next = Some(url.clone());
        while let Some(page_url) = next.take() {
            let page = self
                .client
                .send(mailbox, &GraphRequest::get(page_url, "list folders"))
                .await
                .map_err(|e| side_error(&e))?
                .body;
            for folder in page["value"].as_array().into_iter().flatten() {
                let matches = match name {
                    Some(name) => folder["displayName"].as_str() == Some(name),
                    None => is_default(folder),
                };
                if matches {
                    found = folder["id"].as_str().map(str::to_owned);
                }
            }
            next = page["@odata.nextLink"].as_str().map(str::to_owned);
            if found.is_some() {
                break;
            }
        }
        let id = match (found, name) {
            (Some(id), _) => id,
            (None, Some(name)) if self.read_only => {
                return Err(SideError {
                    message: format!(
                        "{name:?} does not exist in mailbox {mailbox} yet; a run that is not a dry \
                         run creates it"
                    ),
                    mailbox_wide: false,
                });
            }
            (None, Some(name)) => {
                let request = GraphRequest::new(Method::POST, url, "create a folder")
                    .json(serde_json::json!({ "displayName": name }));
                let created = self
                    .client
                    .send(mailbox, &request)
                    .await
                    .map_err(|e| side_error(&e))?;
                created.body["id"]
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| SideError {
                        message: format!(
                            "Graph created the folder {name:?} in {mailbox} but returned no id"
                        ),
                        mailbox_wide: true,
                    })?
            }
            (None, None) => {
                return Err(SideError {
                    message: format!("mailbox {mailbox} has no default {containers} folder"),
                    mailbox_wide: true,
                });
            }
        };
        self.containers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, id.clone());
        Ok(id)
    }
}

/// An item's version: `changeKey` (contacts), else the tag inside `@odata.etag` (To Do tasks,
/// `W/"tag"`), so that a later PATCH can send it as `If-Match`.
pub(crate) fn version_of(body: &Value) -> Option<String> {
    if let Some(key) = body["changeKey"].as_str() {
        return Some(key.to_owned());
    }
    let etag = body["@odata.etag"].as_str()?;
    Some(etag.trim_start_matches("W/").trim_matches('"').to_owned())
}

fn exchange_item<T>(read: ReadItem<T>) -> ExchangeItem<T> {
    ExchangeItem {
        id: ExchangeId::from(read.id),
        change_key: read.change_key,
        business_id: read.business_id.map(BusinessId::from),
        item: read.item,
        modified: read.modified,
    }
}

fn unreadable(id: &str, reason: &str) -> Unreadable {
    Unreadable {
        id: ExchangeId::from(id),
        reason: format!("{reason}; the item is left alone until it is changed in Outlook"),
    }
}

/// Tasks and contacts reach Exchange the same way: through their container.
impl<T: FolderKind> ExchangeSide<T> for GraphConnector {
    fn cursor_name(&self) -> &'static str {
        T::CURSOR
    }

    fn cursor_after_writes(&self, cursor: &str, written: &[ExchangeId]) -> String {
        DeltaCursor::with_written(cursor, written)
    }

    async fn collect<'a>(
        &'a self,
        mailbox: &'a str,
        cursor: Option<&'a str>,
        _window: &'a SyncWindow,
        linked: &'a LinkedItems<'a, T>,
    ) -> Result<Collected<T>, SideError> {
        let fresher = self.probe_links.fresher_cursor(mailbox, T::KIND, cursor);
        let cursor = fresher.as_deref().or(cursor);
        let container = T::container(self, mailbox).await?;
        self.collect_in(mailbox, &container, cursor, linked).await
    }

    async fn apply<'a>(
        &'a self,
        mailbox: &'a str,
        writes: &'a [ExchangeWrite<'a, T>],
    ) -> Vec<Result<Written, SideError>> {
        match T::container(self, mailbox).await {
            Ok(container) => self.apply_in(mailbox, &container, writes).await,
            Err(error) => writes.iter().map(|_| Err(error.clone())).collect(),
        }
    }
}
