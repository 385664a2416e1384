//! Small field readers shared by the formats: yes/no, money, tags, names.

/// The value, or `None` with the problem noted in `errors`.
pub(crate) fn noted<T>(result: Result<T, String>, errors: &mut Vec<String>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

/// Trimmed text, or `None` when nothing is left.
pub(crate) fn name(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// A description: trimmed, with Windows line breaks made plain `\n` so the
/// same text from two exports compares equal.
pub(crate) fn description(s: &str) -> String {
    s.trim().replace("\r\n", "\n")
}

/// `Yes`/`No` (Toggl, Clockify), `true`/`false`, `1`/`0`; empty is unknown.
pub(crate) fn yes_no(s: &str) -> Result<Option<bool>, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "yes" | "y" | "true" | "1" => Ok(Some(true)),
        "no" | "n" | "false" | "0" => Ok(Some(false)),
        _ => Err(format!(
            "billable is \u{201c}{}\u{201d}; expected yes or no",
            s.trim()
        )),
    }
}

/// A money amount such as `85`, `85.5`, `85.00` or `85,00` in cents; empty
/// is none. Read as text, not as a float, so `0.29` stays 29 cents.
pub(crate) fn cents(s: &str, what: &str) -> Result<Option<i64>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let bad = || format!("{what} \u{201c}{s}\u{201d} is not an amount like 85.00");
    let (whole, frac) = match s.find(['.', ',']) {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    };
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 2 {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let frac: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().map_err(|_| bad())? * 10,
        _ => frac.parse().map_err(|_| bad())?,
    };
    whole
        .checked_mul(100)
        .and_then(|c| c.checked_add(frac))
        .map(Some)
        .ok_or_else(bad)
}

/// An ISO 4217 code: three ASCII letters, returned upper-case.
pub(crate) fn currency(s: &str) -> Result<Option<String>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if s.len() == 3 && s.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(Some(s.to_ascii_uppercase()))
    } else {
        Err(format!(
            "currency \u{201c}{s}\u{201d} is not a three-letter code like USD"
        ))
    }
}

/// The currency in a column name such as `Billable Rate (USD)`.
pub(crate) fn currency_in_header(header: &str) -> Option<String> {
    let inner = header.trim().strip_suffix(')')?.rsplit_once('(')?.1;
    currency(inner).ok().flatten()
}

/// Tags separated by `sep`, trimmed, empty ones dropped, each kept once in
/// the order first seen.
pub(crate) fn tags(s: &str, sep: char) -> Vec<String> {
    tag_list(s.split(sep))
}

/// Tags trimmed, empty ones dropped, each kept once in the order first seen.
pub(crate) fn tag_list<'a>(items: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for tag in items.into_iter().filter_map(name) {
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact_cents() {
        assert_eq!(cents("85.00", "rate"), Ok(Some(8500)));
        assert_eq!(cents(" 85 ", "rate"), Ok(Some(8500)));
        assert_eq!(cents("85.5", "rate"), Ok(Some(8550)));
        assert_eq!(cents("0.29", "rate"), Ok(Some(29)));
        assert_eq!(cents("120,75", "rate"), Ok(Some(12075)));
        assert_eq!(cents("", "rate"), Ok(None));
        for bad in ["-5", "1.234", "8 5", "$85", ".5", "1,000.00"] {
            assert_eq!(
                cents(bad, "hourly rate"),
                Err(format!(
                    "hourly rate \u{201c}{bad}\u{201d} is not an amount like 85.00"
                )),
                "{bad}"
            );
        }
    }

    #[test]
    fn billable_currency_and_tags() {
        assert_eq!(yes_no("Yes"), Ok(Some(true)));
        assert_eq!(yes_no("false"), Ok(Some(false)));
        assert_eq!(yes_no(" "), Ok(None));
        assert!(yes_no("maybe").is_err());
        assert_eq!(currency("eur"), Ok(Some("EUR".into())));
        assert!(currency("EURO").is_err());
        assert_eq!(
            currency_in_header("Billable Rate (USD)"),
            Some("USD".into())
        );
        assert_eq!(currency_in_header("Billable Rate"), None);
        assert_eq!(tags(" site, travel ,,site", ','), vec!["site", "travel"]);
        assert_eq!(tags("", ';'), Vec::<String>::new());
    }
}
