//! `ratespec route`: requests to endpoints, one JSON object per line.

use std::io::{self, BufRead, Write};

use crate::embedded::{self, Resolved};

/// The JSON object for one answer, keys in the documented order.
pub fn json(resolved: &Resolved) -> String {
    let string = |text: &str| serde_json::to_string(text).expect("strings serialise");
    match resolved {
        Resolved::Found {
            provider,
            endpoint,
            path,
            params,
        } => {
            let params: Vec<String> = params
                .iter()
                .map(|(name, value)| format!("{}:{}", string(name), string(value)))
                .collect();
            format!(
                r#"{{"provider":{},"endpoint":{},"path":{},"params":{{{}}}}}"#,
                string(provider),
                string(endpoint),
                string(path),
                params.join(",")
            )
        }
        Resolved::NotFound => r#"{"error":"not_found"}"#.to_string(),
        Resolved::MethodNotAllowed(allowed) => {
            let allowed: Vec<String> = allowed.iter().map(|m| string(m)).collect();
            format!(
                r#"{{"error":"method_not_allowed","allowed":[{}]}}"#,
                allowed.join(",")
            )
        }
    }
}

/// Answers every `METHOD TARGET` line of stdin, in order, one line each; a line that is not
/// two words gets `{"error": "malformed", ...}`, so answers stay aligned with requests.
pub fn lines(include_commented: bool) -> io::Result<()> {
    let stdin = io::stdin().lock();
    let mut stdout = io::stdout().lock();
    for line in stdin.lines() {
        let line = line?;
        let words: Vec<&str> = line.split_whitespace().collect();
        let answer = match words[..] {
            [method, target] => json(&embedded::resolve(method, target, include_commented)),
            _ => r#"{"error":"malformed","message":"expected `METHOD TARGET`"}"#.to_string(),
        };
        writeln!(stdout, "{answer}")?;
    }
    stdout.flush()
}
