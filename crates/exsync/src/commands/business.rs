//! `exsync business ...`: the integration schema, users, and iCalendar/vCard files.
//!
//! Every item a file cannot give is reported by its UID with the reason, the rest is imported,
//! and the outcome is [`Outcome::SomeRejected`] (exit code 2) when anything was left out.

use std::path::Path;

use anyhow::Context;
use exsync_business::{
    BusinessDb, BusinessError, Export, ImportReport, NewUser, ParseOptions, User, UserChange,
    export_ics, export_vcf, import_ics_bytes, import_vcf_bytes,
};
use exsync_model::TimeZoneName;

use super::Outcome;
use crate::cli::{BusinessCommand, UserCommand};

/// Runs `exsync business <command>` against the database at `url` (in `schema` on
/// PostgreSQL, if given).
pub async fn run(
    url: &str,
    schema: Option<String>,
    command: BusinessCommand,
) -> anyhow::Result<Outcome> {
    let db = super::connect::open_business_at(url, schema).await?;
    if !matches!(command, BusinessCommand::Init) && db.schema_version().await?.is_none() {
        anyhow::bail!(
            "the database has no exsync integration schema: run `exsync business init` first"
        );
    }
    match command {
        BusinessCommand::Init => {
            let init = db.init_schema().await.context("cannot create the schema")?;
            if init.from == init.to {
                println!("integration schema is up to date (version {})", init.to);
            } else {
                println!(
                    "integration schema ready (version {} -> {})",
                    init.from, init.to
                );
            }
            Ok(Outcome::Success)
        }
        BusinessCommand::Users => print_users(&db.list_users().await?),
        BusinessCommand::User(user) => manage_user(&db, user).await,
        BusinessCommand::ImportIcs {
            user,
            default_zone,
            files,
        } => {
            let options = ParseOptions {
                default_zone: parse_zone(default_zone)?,
            };
            import_files(&files, async |bytes| {
                import_ics_bytes(&db, &user, bytes, &options).await
            })
            .await
        }
        BusinessCommand::ImportVcf { files } => {
            import_files(&files, async |bytes| import_vcf_bytes(&db, bytes).await).await
        }
        BusinessCommand::ExportIcs { user, from, to } => {
            if db.get_user(&user).await?.is_none() {
                anyhow::bail!("no user {user:?}: add it with `exsync business user add`");
            }
            print_export(export_ics(&db, &user, from, to).await?)
        }
        BusinessCommand::ExportVcf => print_export(export_vcf(&db).await?),
    }
}

fn parse_zone(zone: Option<String>) -> anyhow::Result<Option<TimeZoneName>> {
    zone.map(|name| TimeZoneName::new(name).context("--default-zone"))
        .transpose()
}

async fn manage_user(db: &BusinessDb, command: UserCommand) -> anyhow::Result<Outcome> {
    match command {
        UserCommand::Add {
            login,
            mailbox,
            name,
            disabled,
        } => {
            check_mailbox(&mailbox)?;
            db.add_user(&NewUser {
                display_name: name.unwrap_or_else(|| login.clone()),
                login: login.clone(),
                mailbox: Some(mailbox),
                enabled: !disabled,
            })
            .await
            .with_context(|| format!("cannot add user {login:?}"))?;
            println!("added user {login}");
        }
        UserCommand::Set {
            login,
            enabled,
            mailbox,
            name,
        } => {
            if let Some(mailbox) = &mailbox {
                check_mailbox(mailbox)?;
            }
            let change = UserChange {
                display_name: name,
                mailbox: mailbox.map(Some),
                enabled,
            };
            let user = db
                .set_user(&login, &change)
                .await
                .with_context(|| format!("cannot change user {login:?}"))?;
            print_users(std::slice::from_ref(&user))?;
        }
    }
    Ok(Outcome::Success)
}

/// A mailbox address must at least look like one: `name@domain`.
fn check_mailbox(mailbox: &str) -> anyhow::Result<()> {
    let looks_valid = mailbox
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && !mailbox.contains(char::is_whitespace);
    anyhow::ensure!(
        looks_valid,
        "--mailbox {mailbox:?} is not an e-mail address: give the user's primary SMTP address, e.g. eva.huber@example.com"
    );
    Ok(())
}

fn print_users(users: &[User]) -> anyhow::Result<Outcome> {
    println!("{:<20} {:<8} {:<36} NAME", "LOGIN", "ENABLED", "MAILBOX");
    for user in users {
        println!(
            "{:<20} {:<8} {:<36} {}",
            user.login,
            if user.enabled { "yes" } else { "no" },
            user.mailbox.as_deref().unwrap_or("-"),
            user.display_name
        );
    }
    Ok(Outcome::Success)
}

/// Imports each file on its own: a file that cannot be read or parsed is reported and the
/// other files still go in.
async fn import_files(
    files: &[std::path::PathBuf],
    import: impl ImportFn,
) -> anyhow::Result<Outcome> {
    let mut outcome = Outcome::Success;
    for file in files {
        match import_file(file, &import).await {
            Ok(report) => {
                println!(
                    "{}: {} imported, {} rejected",
                    file.display(),
                    report.imported,
                    report.rejected.len()
                );
                for rejected in &report.rejected {
                    let uid = if rejected.uid.is_empty() {
                        "(no UID)"
                    } else {
                        &rejected.uid
                    };
                    println!("  rejected {uid}: {}", rejected.reason);
                }
                if !report.rejected.is_empty() {
                    outcome = Outcome::SomeRejected;
                }
            }
            Err(err) => {
                println!("{}: not imported: {err:#}", file.display());
                outcome = Outcome::SomeRejected;
            }
        }
    }
    Ok(outcome)
}

/// Something that imports one file's bytes.
trait ImportFn: AsyncFn(&[u8]) -> Result<ImportReport, BusinessError> {}
impl<F: AsyncFn(&[u8]) -> Result<ImportReport, BusinessError>> ImportFn for F {}

async fn import_file(file: &Path, import: &impl ImportFn) -> anyhow::Result<ImportReport> {
    let bytes = std::fs::read(file).context("cannot read the file")?;
    Ok(import(&bytes).await?)
}

fn print_export(export: Export) -> anyhow::Result<Outcome> {
    print!("{}", export.text);
    for skipped in &export.skipped {
        eprintln!("skipped: {skipped}");
    }
    Ok(if export.skipped.is_empty() {
        Outcome::Success
    } else {
        Outcome::SomeRejected
    })
}
