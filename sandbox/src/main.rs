//! `sandbox`: runs the Genesys Cloud stand-in on 127.0.0.1.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use pkce_desk_sandbox::config::{help, parse_args, usage, Command};

fn main() -> ExitCode {
    let config = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Run(config)) => config,
        Ok(Command::Help) => {
            print!("{}", help());
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("sandbox: {message}\n\n{}", usage());
            return ExitCode::from(2);
        }
    };

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("sandbox: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        // Loopback only: the sandbox accepts any demo password and must not be reachable from
        // outside.
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, config.port));
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(listener) => listener,
            Err(e) => {
                eprintln!("sandbox: cannot listen on {addr}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let port = listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or(config.port);
        // Scripts wait for this exact line.
        println!("sandbox listening on http://127.0.0.1:{port}");
        let _ = std::io::stdout().flush();
        match pkce_desk_sandbox::serve(config, listener).await {
            Ok(()) => {
                eprintln!("sandbox: shut down");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("sandbox: server error: {e}");
                ExitCode::FAILURE
            }
        }
    })
}
