//! Where a path written in the macro call points, and how files are shown in messages.

use std::path::{Path, PathBuf};

/// The root of the calling crate: the nearest folder with a `Cargo.toml` above the file that
/// holds the call, else `CARGO_MANIFEST_DIR`.
///
/// The manifest variable alone is wrong under trybuild, which compiles test files from a
/// scratch crate under `target/`; the calling file is where the test author wrote the path.
pub fn crate_root(call_site: proc_macro::Span) -> PathBuf {
    let calling_file = call_site.local_file().map(absolute);
    calling_file
        .as_deref()
        .and_then(|file| {
            file.ancestors()
                .skip(1)
                .find(|dir| dir.join("Cargo.toml").is_file())
        })
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from))
        .unwrap_or_default()
}

/// `file` relative to the crate root when it is inside it (`specs/rongcloud-server.md`, or
/// `../specs/…` for a path that climbs out).
pub fn shown(root: &Path, file: &Path) -> PathBuf {
    file.strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| file.to_path_buf())
}

/// `message` with the crate root's prefix removed from the paths it names (a missing
/// document's message names the file).
pub fn shown_in(root: &Path, message: &str) -> String {
    let prefix = format!("{}{}", root.display(), std::path::MAIN_SEPARATOR);
    message.replace(&prefix, "")
}

/// rustc names workspace members' files relative to its working directory, which is also the
/// proc macro's.
fn absolute(file: PathBuf) -> PathBuf {
    if file.is_absolute() {
        return file;
    }
    std::env::current_dir()
        .map(|dir| dir.join(&file))
        .unwrap_or(file)
}
