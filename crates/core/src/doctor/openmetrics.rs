//! A check that a scrape is well-formed OpenMetrics 1.0 text. The one Rust
//! parser for the format (`openmetrics-parser`) is LGPL-3.0, which our
//! MIT/Apache static binaries cannot take; this covers what a broken or
//! foreign endpoint gets wrong: the `# EOF` end, descriptors before their
//! samples, metric and label syntax, numeric values, no stray lines.

use std::collections::HashSet;

const TYPES: &[&str] = &[
    "counter",
    "gauge",
    "histogram",
    "gaugehistogram",
    "stateset",
    "info",
    "summary",
    "unknown",
];
const SUFFIXES: &[&str] = &[
    "_total", "_created", "_count", "_sum", "_bucket", "_gcount", "_gsum", "_info",
];

/// Ok with the number of metric families, or the first fault with its line.
pub fn validate(text: &str) -> Result<usize, String> {
    let body = text
        .strip_suffix("# EOF\n")
        .or_else(|| text.strip_suffix("# EOF"))
        .ok_or("it does not end with # EOF")?;
    let mut families: HashSet<&str> = HashSet::new();
    let mut current: Option<&str> = None;
    for (n, line) in body.lines().enumerate() {
        let at = |why: &str| format!("line {}: {why}", n + 1);
        if let Some(rest) = line.strip_prefix("# ") {
            let mut parts = rest.splitn(3, ' ');
            let kind = parts.next().unwrap_or("");
            let name = parts
                .next()
                .ok_or_else(|| at("a descriptor without a name"))?;
            if !is_metric_name(name) {
                return Err(at("a descriptor with an invalid metric name"));
            }
            let value = parts.next().unwrap_or("");
            match kind {
                "TYPE" if !TYPES.contains(&value) => return Err(at("an unknown metric type")),
                "TYPE" | "HELP" | "UNIT" => {}
                _ => return Err(at("an unknown descriptor")),
            }
            if current != Some(name) {
                if !families.insert(name) {
                    return Err(at("a metric family that was already described"));
                }
                current = Some(name);
            }
            continue;
        }
        let (name, rest) = split_name(line).ok_or_else(|| at("not a sample line"))?;
        let family = current.ok_or_else(|| at("a sample before any # TYPE"))?;
        let belongs = name == family
            || SUFFIXES
                .iter()
                .any(|s| name.strip_suffix(s) == Some(family));
        if !belongs {
            return Err(at("a sample outside its metric family"));
        }
        let rest = match rest.strip_prefix('{') {
            Some(labels) => {
                let end = labels_end(labels).ok_or_else(|| at("malformed labels"))?;
                &labels[end + 1..]
            }
            None => rest,
        };
        let rest = rest.split(" # ").next().unwrap_or("");
        let mut fields = rest.trim_start_matches(' ').split(' ');
        let value = fields.next().unwrap_or("");
        if !is_number(value) {
            return Err(at("a sample without a numeric value"));
        }
        if let Some(ts) = fields.next() {
            if !is_number(ts) {
                return Err(at("a sample with a malformed timestamp"));
            }
        }
        if fields.next().is_some() {
            return Err(at("extra text after a sample"));
        }
    }
    Ok(families.len())
}

fn is_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn split_name(line: &str) -> Option<(&str, &str)> {
    let end = line.find(['{', ' '])?;
    let name = &line[..end];
    is_metric_name(name).then_some((name, &line[end..]))
}

/// The index of the `}` closing a label set that starts after `{`, checking
/// `name="value"` pairs with `\\`, `\"` and `\n` escapes on the way.
fn labels_end(labels: &str) -> Option<usize> {
    let bytes = labels.as_bytes();
    let mut i = 0;
    loop {
        if bytes.get(i) == Some(&b'}') {
            return Some(i);
        }
        let start = i;
        while bytes
            .get(i)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            i += 1;
        }
        if i == start || bytes.get(i) != Some(&b'=') || bytes.get(i + 1) != Some(&b'"') {
            return None;
        }
        i += 2;
        loop {
            match bytes.get(i)? {
                b'\\' => {
                    if !matches!(bytes.get(i + 1)?, b'\\' | b'"' | b'n') {
                        return None;
                    }
                    i += 2;
                }
                b'"' => break,
                b'\n' => return None,
                _ => i += 1,
            }
        }
        i += 1;
        match bytes.get(i)? {
            b',' => i += 1,
            b'}' => return Some(i),
            _ => return None,
        }
    }
}

fn is_number(text: &str) -> bool {
    matches!(text, "NaN" | "+Inf" | "-Inf") || (!text.is_empty() && text.parse::<f64>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::validate;

    #[test]
    fn our_own_exposition_is_valid() {
        let metrics = crate::metrics::Metrics::new();
        metrics.observe_command("timer_start", true, std::time::Duration::from_millis(3));
        let text = metrics.render_openmetrics();
        let families = validate(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert!(families > 3, "{families}");
    }

    #[test]
    fn faults_are_named_with_their_line() {
        let good = "# TYPE a counter\n# HELP a An a.\na_total{x=\"1\",y=\"q\\\"\"} 3 1700000000\na_created 1.5e9\n# EOF\n";
        assert_eq!(validate(good), Ok(1));
        for (text, why) in [
            ("# TYPE a counter\na_total 1\n", "# EOF"),
            ("a_total 1\n# EOF\n", "line 1: a sample before any # TYPE"),
            (
                "# TYPE a counter\nb_total 1\n# EOF\n",
                "line 2: a sample outside",
            ),
            (
                "# TYPE a gauge\na one\n# EOF\n",
                "line 2: a sample without a numeric value",
            ),
            (
                "# TYPE a gauge\na{x=1} 1\n# EOF\n",
                "line 2: malformed labels",
            ),
            ("# TYPE a wobble\n# EOF\n", "line 1: an unknown metric type"),
            ("# TYPE a gauge\n\n# EOF\n", "line 2: not a sample line"),
            ("<html>nope</html>\n# EOF\n", "line 1: not a sample line"),
            (
                "# TYPE a gauge\n# TYPE b gauge\n# TYPE a gauge\n# EOF\n",
                "line 3: a metric family that was already described",
            ),
        ] {
            let error = validate(text).unwrap_err();
            assert!(error.contains(why), "{text:?}: {error}");
        }
    }
}
