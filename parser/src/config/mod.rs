//! `limits.toml`: the file's schema ([`mod@file`]) and each document's settings resolved from it
//! ([`settings`]).

pub mod file;
pub mod settings;

pub use file::{Config, DocumentConfig, RouteConfig, SharedConfig, VENDORS, parse_utc_offset};
pub use settings::Settings;
