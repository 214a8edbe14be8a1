//! Helpers shared by the integration tests: the real `specs/` folder and scratch copies of it
//! with one thing broken.

use std::fs;
use std::path::{Path, PathBuf};

use ratespec_parser::model::route::Segment;
use ratespec_parser::{Endpoint, Load, Options};

/// The repository's `specs/` folder.
pub fn specs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs")
}

/// The text of a document in `specs/`.
pub fn spec_text(file: &str) -> String {
    fs::read_to_string(specs_dir().join(file)).expect("specs/ is part of the repository")
}

/// A fresh copy of `specs/` under `root/name`, to be broken by the caller.
pub fn copy_specs(root: &Path, name: &str) -> PathBuf {
    let dir = root.join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("scratch folder");
    for entry in fs::read_dir(specs_dir()).expect("specs/") {
        let path = entry.expect("entry").path();
        fs::copy(&path, dir.join(path.file_name().expect("file name"))).expect("copy");
    }
    dir
}

/// Replaces the one occurrence of `old` in `dir/file` with `new` (panics if it is not there
/// exactly once, so a test cannot silently break nothing).
pub fn edit(dir: &Path, file: &str, old: &str, new: &str) {
    let path = dir.join(file);
    let text = fs::read_to_string(&path).expect("read");
    assert_eq!(
        text.matches(old).count(),
        1,
        "`{old}` must occur once in {file}"
    );
    fs::write(&path, text.replacen(old, new, 1)).expect("write");
}

/// Loads a folder or documents.
pub fn load(paths: &[&Path], include_commented: bool) -> Load {
    let paths: Vec<PathBuf> = paths.iter().map(|p| p.to_path_buf()).collect();
    ratespec_parser::load(&paths, &Options { include_commented })
}

/// A request path that matches `endpoint`'s template: its static segments, and `value(name)`
/// for each `{name}`.
pub fn concrete_path(endpoint: &Endpoint, value: impl Fn(&str) -> String) -> String {
    endpoint
        .template
        .segments
        .iter()
        .map(|segment| match segment {
            Segment::Static(text) => format!("/{text}"),
            Segment::Param(name) => format!("/{}", value(name)),
        })
        .collect()
}
