//! Path templates: `/{org_name}/{app_name}/push/label/{labelname}`.

use std::fmt;

/// One `/`-separated piece of a path template.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Segment {
    /// Matched byte for byte.
    Static(String),
    /// `{name}`: matches one non-empty segment.
    Param(String),
}

/// A checked path template.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Template {
    /// The template as written.
    pub text: String,
    /// Its segments, in order.
    pub segments: Vec<Segment>,
}

impl Template {
    /// Checks a template: it starts with `/`, has no white space, query or fragment, no empty
    /// segment, and each `{param}` is a whole segment named like a Rust identifier, used once.
    pub fn parse(text: &str) -> Result<Template, String> {
        let Some(rest) = text.strip_prefix('/') else {
            return Err("a path must start with `/`".into());
        };
        if let Some(c) = text
            .chars()
            .find(|c| c.is_whitespace() || *c == '?' || *c == '#')
        {
            return Err(format!("a path template cannot contain {c:?}"));
        }
        let mut segments = Vec::new();
        for segment in rest.split('/') {
            if segment.is_empty() {
                if rest.is_empty() {
                    break;
                }
                return Err(
                    "a path template cannot have an empty segment (`//` or a trailing `/`)".into(),
                );
            }
            if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                if !is_identifier(name) {
                    return Err(format!(
                        "`{{{name}}}` is not a parameter name (letters, digits, `_`)"
                    ));
                }
                if segments.contains(&Segment::Param(name.to_string())) {
                    return Err(format!("parameter `{{{name}}}` appears twice"));
                }
                segments.push(Segment::Param(name.to_string()));
            } else if segment.contains(['{', '}']) {
                return Err(format!("`{segment}`: a parameter must be a whole segment"));
            } else {
                segments.push(Segment::Static(segment.to_string()));
            }
        }
        Ok(Template {
            text: text.to_string(),
            segments,
        })
    }

    /// The template with parameter names erased: two templates with the same shape match the
    /// same requests.
    pub fn shape(&self) -> String {
        let mut shape = String::new();
        for segment in &self.segments {
            shape.push('/');
            match segment {
                Segment::Static(s) => shape.push_str(s),
                Segment::Param(_) => shape.push_str("{}"),
            }
        }
        if shape.is_empty() {
            shape.push('/');
        }
        shape
    }

    /// The parameter names, in order.
    pub fn params(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Param(name) => Some(name.as_str()),
            Segment::Static(_) => None,
        })
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        let t = Template::parse("/{org_name}/{app_name}/push/label/{labelname}").unwrap();
        assert_eq!(
            t.params().collect::<Vec<_>>(),
            ["org_name", "app_name", "labelname"]
        );
        assert_eq!(t.shape(), "/{}/{}/push/label/{}");
        assert!(Template::parse("user/x").is_err());
        assert!(Template::parse("/a//b").is_err());
        assert!(Template::parse("/a/").is_err());
        assert!(Template::parse("/a/x{id}").is_err());
        assert!(Template::parse("/{a}/{a}").is_err());
        assert!(Template::parse("/{a-b}").is_err());
        assert!(Template::parse("/a b").is_err());
        assert_eq!(Template::parse("/").unwrap().shape(), "/");
    }
}
