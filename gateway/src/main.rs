//! `autologoff-gateway --config gateway.toml [--check]`: starts a gateway instance, or with
//! `--check` only validates the configuration.

use autologoff_gateway::{config, server};
use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "usage: autologoff-gateway --config <file.toml> [--check]\n\
  --config  the configuration file (docs/gateway.md lists every field)\n\
  --check   validate the configuration and the page script, then exit";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut path = None;
    let mut check = false;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--config" | "-c" => {
                path = args.get(i + 1).cloned();
                i += 1;
            }
            "--check" => check = true,
            "--help" | "-h" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("autologoff-gateway: unknown argument {other:?}\n{USAGE}");
                return ExitCode::from(2);
            }
        }
        i += 1;
    }
    let Some(path) = path else {
        eprintln!("autologoff-gateway: no configuration file\n{USAGE}");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("autologoff-gateway: cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let base = Path::new(&path).parent().unwrap_or(Path::new("."));
    let config = match config::parse(&text, base) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("autologoff-gateway: {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("autologoff-gateway: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        if check {
            // Validating the store too: a Redis that evicts keys is a configuration error.
            return match server::open_store(&config, server::system_clock()).await {
                Ok(_) => {
                    println!("autologoff-gateway: {path} is valid");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("autologoff-gateway: {path}: {e}");
                    ExitCode::from(2)
                }
            };
        }
        let upstream = config.upstream.authority.clone();
        match server::start(config, server::system_clock()).await {
            Ok(running) => {
                println!("autologoff-gateway: listening on http://{} in front of http://{upstream}", running.addr);
                tokio::select! {
                    _ = running.task => ExitCode::FAILURE,
                    _ = tokio::signal::ctrl_c() => ExitCode::SUCCESS,
                }
            }
            Err(e) => {
                eprintln!("autologoff-gateway: {path}: {e}");
                ExitCode::from(2)
            }
        }
    })
}
