//! The repository documents itself: README's set-up, the architecture and the
//! license inside the repository, the minimum Rust, every script listed.

use std::path::Path;

fn read(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn readme_points_only_inside_the_repository() {
    let readme = read("README.md");
    assert!(
        !readme.contains("../"),
        "README points outside the repository"
    );
    assert!(readme.contains("ARCHITECTURE.md"));
    let arch = read("ARCHITECTURE.md");
    assert!(arch.contains("## Threads") && arch.contains("copy-on-write"));
    assert!(!read("src/lib.rs").contains("../shared"));
}

#[test]
fn readme_quick_start_has_exactly_two_commands() {
    let readme = read("README.md");
    let start = readme.find("## Quick start").expect("Quick start section");
    let section = &readme[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    let blocks = section.matches("```sh").count();
    assert_eq!(blocks, 2, "{section}");
    assert!(section.contains("cargo build --release && ./target/release/oxidis-server redis.conf"));
    assert!(section.contains("scripts/test"));
    // The prerequisites a new user needs before those commands.
    assert!(
        section.contains("C compiler") && section.contains("make"),
        "{section}"
    );
}

#[test]
fn license_and_minimum_rust_match_cargo_toml() {
    let cargo = read("Cargo.toml");
    assert!(cargo.contains("license = \"BSD-3-Clause\""));
    assert!(read("LICENSE").starts_with("BSD 3-Clause License"));
    let rv = cargo
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = \""))
        .expect("rust-version in Cargo.toml")
        .trim_end_matches('"');
    assert!(
        read("README.md").contains(&format!("Rust {rv} or newer")),
        "README must state Rust {rv}"
    );
}

#[test]
fn every_script_is_listed_in_the_readme() {
    let readme = read("README.md");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts");
    for e in std::fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        assert!(
            readme.contains(&format!("`scripts/{name}`")),
            "README does not list scripts/{name}"
        );
    }
}
