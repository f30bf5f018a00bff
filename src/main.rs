//! The `cityconform` binary: parse, run, map to an exit code. Everything
//! else lives in the library and in `cli`.

mod cli;

/// Parsing records into JSON values on every core allocates and frees at a
/// high rate from several threads; mimalloc keeps that from serialising on
/// the system allocator's locks.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let args = cli::Cli::parse_args();
    let code = match std::panic::catch_unwind(|| cli::run(args)) {
        Ok(code) => code,
        Err(_) => {
            // The panic message is already on stderr (default hook).
            #[expect(clippy::print_stderr, reason = "last resort after a panic")]
            {
                eprintln!(
                    "cityconform: internal error; please report it with the command that caused it"
                );
            }
            cityconform::ExitCode::Internal
        }
    };
    std::process::ExitCode::from(code.code() as u8)
}
