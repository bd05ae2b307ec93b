//! `cairn`: the whole product in one binary. See `cairn --help`.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    cairn_server::telemetry::init();
    match cairn_server::cli::run(cairn_server::cli::Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
