//! The `cairn` command line: `serve` (default), `migrate`, `export`, `import`, `user create`.

use clap::{Parser, Subcommand};

use crate::config::{Secret, Settings};
use crate::db::Db;
use crate::roles::Role;
use crate::startup::Application;
use crate::{auth, store};

#[derive(Debug, Parser)]
#[command(
    name = "cairn",
    version,
    about = "Cairn: guided tours and a \"Still stuck?\" help-desk loop for your internal apps"
)]
pub struct Cli {
    /// Database URL: sqlite://PATH or postgres://… [env: CAIRN_DATABASE_URL]
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default).
    Serve {
        /// Address to listen on [env: CAIRN_ADDR, default 127.0.0.1:8080]
        #[arg(long)]
        addr: Option<String>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Write every content document as a pretty JSON file under DIR (tours as code).
    Export {
        /// Folder to write `tours/`, `tooltips/` and `checklists/` into.
        dir: std::path::PathBuf,
    },
    /// Check, then load documents from files or folders (as drafts); nothing is imported if any is invalid.
    Import {
        #[arg(required = true)]
        paths: Vec<std::path::PathBuf>,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Analytics rollups.
    Rollup {
        #[command(subcommand)]
        command: RollupCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum RollupCommand {
    /// Re-derive the rollups of the last DAYS days from the retained raw events.
    Rebuild {
        #[arg(long, default_value_t = 400)]
        days: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user in the first organisation.
    Create {
        #[arg(long)]
        email: String,
        /// admin, author, agent or analyst
        #[arg(long, default_value = "author")]
        role: String,
        /// Read from CAIRN_USER_PASSWORD when omitted.
        #[arg(long, env = "CAIRN_USER_PASSWORD", hide_env_values = true)]
        password: String,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut settings = Settings::from_env();
    if let Some(url) = cli.database_url {
        settings.database_url = url;
    }
    match cli.command.unwrap_or(Command::Serve { addr: None }) {
        Command::Serve { addr } => {
            if let Some(addr) = addr {
                settings.addr = addr;
            }
            serve(settings).await
        }
        Command::Migrate => {
            let db = Db::connect(&settings.database_url).await?;
            db.migrate().await?;
            println!("✔ database migrated ({})", redact(&settings.database_url));
            Ok(())
        }
        Command::Export { dir } => {
            let db = Db::connect(&settings.database_url).await?;
            db.migrate().await?;
            let n = crate::transfer::export(&db, &dir).await?;
            println!("✔ exported {n} document(s) to {}", dir.display());
            Ok(())
        }
        Command::Import { paths } => {
            let db = Db::connect(&settings.database_url).await?;
            db.migrate().await?;
            match crate::transfer::import(&db, &paths).await {
                Ok((created, updated)) => {
                    println!(
                        "✔ imported: {created} created, {updated} updated (as drafts: publish them in the editor)"
                    );
                    Ok(())
                }
                Err(errors) => {
                    for e in &errors {
                        eprintln!("✘ {e}");
                    }
                    anyhow::bail!("{} problem(s); nothing was imported", errors.len())
                }
            }
        }
        Command::Rollup {
            command: RollupCommand::Rebuild { days },
        } => {
            let db = Db::connect(&settings.database_url).await?;
            db.migrate().await?;
            let today = cairn_shared::reports::day_of_ms(crate::db::now_ms());
            let n = store::rollups::rebuild(&db, today - days.max(0)).await?;
            println!("✔ rollups of the last {days} day(s) rebuilt from {n} raw event(s)");
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Create {
                    email,
                    role,
                    password,
                },
        } => {
            let role: Role = role.parse().map_err(|e: String| anyhow::anyhow!(e))?;
            if password.chars().count() < 8 {
                anyhow::bail!("use a password of at least 8 characters");
            }
            let db = Db::connect(&settings.database_url).await?;
            db.migrate().await?;
            let org = match store::users::first_org(&db).await? {
                Some(org) => org,
                None => store::users::create_org(&db, "My Organisation").await?,
            };
            let secret = Secret::new(password);
            store::users::create_user(
                &db,
                &org,
                &email,
                &auth::hash_password(secret.expose())?,
                role,
            )
            .await?;
            println!("✔ created {role} {email}");
            Ok(())
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let db_label = redact(&settings.database_url);
    let app = Application::build(settings).await?;
    let url = app.public_url.clone();
    println!();
    println!("  Cairn is running  ·  database {db_label}");
    println!();
    println!("  ▸ Demo app with a live tour   {url}/demo/");
    println!("  ▸ Editor and dashboard        {url}/editor/");
    println!("  ▸ API (OpenAPI 3)             {url}/api/v1/openapi.json");
    if let Some(first) = &app.first_run {
        println!();
        println!("  First run: created the admin account");
        println!("    email     {}", first.admin_email);
        match &first.generated_password {
            Some(p) => {
                println!("    password  {p}   (generated; set CAIRN_ADMIN_PASSWORD to choose one)")
            }
            None => println!("    password  (the one in CAIRN_ADMIN_PASSWORD)"),
        }
    }
    println!();
    println!("  Press Ctrl+C to stop.");
    println!();
    app.run_until_stopped().await?;
    tracing::info!("stopped");
    Ok(())
}

/// A database URL without its password.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}://{user}:***@{}", &url[..s], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(
            redact("sqlite://cairn-data/cairn.db"),
            "sqlite://cairn-data/cairn.db"
        );
    }
}
