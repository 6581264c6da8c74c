//! The `leadsim` command line: parses arguments, calls the library, prints, and picks the exit
//! code (0 success, 2 bad input, 1 any other failure).

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
