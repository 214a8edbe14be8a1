//! Editing a document changes what a consumer crate compiles: `include_limits!` tracks every
//! file it reads, so cargo rebuilds without `cargo clean` or a `build.rs`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use ratespec_tests::{copy_specs, edit};

/// A consumer crate of its own (not a workspace member) that prints a generated const.
fn consumer(root: &Path) -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let workspace = workspace.canonicalize().expect("workspace root");
    let dir = root.join("consumer");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("src")).expect("consumer folder");
    fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"consumer\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
             [dependencies]\nratespec = {{ path = {runtime:?} }}\n\
             ratespec-macros = {{ path = {macros:?} }}\n\n[workspace]\n",
            runtime = workspace.join("runtime"),
            macros = workspace.join("macros"),
        ),
    )
    .expect("Cargo.toml");
    // The workspace's lock file pins the same versions, so the build works offline.
    fs::copy(workspace.join("Cargo.lock"), dir.join("Cargo.lock")).expect("Cargo.lock");
    fs::write(
        dir.join("src/main.rs"),
        "ratespec_macros::include_limits!(\"specs/\");\n\n\
         const TOKEN_PER_SECOND: u64 = rongcloud::Endpoint::UserGetToken.windows()[0].max;\n\n\
         fn main() {\n    println!(\"{TOKEN_PER_SECOND}\");\n}\n",
    )
    .expect("main.rs");
    copy_specs(&dir, "specs");
    dir
}

/// Builds and runs the consumer; its standard output.
fn run(dir: &Path, target: &Path) -> String {
    let output = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--offline"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("UTF-8")
        .trim()
        .to_string()
}

#[test]
fn editing_a_document_rebuilds_the_consumer() {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rebuild");
    let dir = consumer(&root);
    let target = root.join("target");
    assert_eq!(run(&dir, &target), "200");
    edit(
        &dir.join("specs"),
        "rongcloud-server.md",
        "/user/getToken.json 200 次/每秒",
        "/user/getToken.json 300 次/每秒",
    );
    assert_eq!(run(&dir, &target), "300");
}
