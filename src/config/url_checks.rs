//! The checks on every URL the configuration or a discovery document names: tokens go only to
//! `https://`, or to `http://` on a loopback host.

/// A URL the app may send tokens to: `https://`, or `http://` on a loopback host.
pub fn secure_url(url: &str) -> Result<String, String> {
    optional_url(Some(url)).map(|checked| checked.unwrap_or_default())
}

pub(super) fn optional_base_url(value: Option<&str>) -> Result<Option<String>, String> {
    let Some(url) = optional_url(value)? else {
        return Ok(None);
    };
    if url.contains('?') || url.contains('#') {
        return Err("must be a base URL without a query or fragment".into());
    }
    Ok(Some(url.trim_end_matches('/').to_owned()))
}

/// Accepts `https://…`, or `http://…` on a loopback host only: tokens must not cross a network
/// in clear text.
pub(super) fn optional_url(value: Option<&str>) -> Result<Option<String>, String> {
    let Some(url) = value.map(str::trim) else {
        return Ok(None);
    };
    let (secure, rest) = if let Some(rest) = url.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = url.strip_prefix("http://") {
        (false, rest)
    } else {
        return Err(format!(
            "\"{url}\" must start with https:// (or http:// for 127.0.0.1 and localhost)"
        ));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host_of(authority);
    if host.is_empty() || authority.contains('@') {
        return Err(format!("\"{url}\" has no valid host"));
    }
    if !secure && !is_loopback(host) {
        return Err(format!(
            "\"{url}\" must use https:// unless the host is 127.0.0.1, localhost or [::1]"
        ));
    }
    Ok(Some(url.to_owned()))
}

pub(super) fn host_of(authority: &str) -> &str {
    if authority.starts_with('[') {
        // An IPv6 literal up to its `]`; with no `]` there is no host (`https://[::1` once
        // panicked here, and discovery documents come from the network).
        return authority.find(']').map_or("", |end| &authority[..=end]);
    }
    authority.split(':').next().unwrap_or_default()
}

pub(super) fn is_loopback(host: &str) -> bool {
    let ipv4: Vec<&str> = host.split('.').collect();
    let loopback_v4 =
        ipv4.len() == 4 && ipv4[0] == "127" && ipv4.iter().all(|octet| octet.parse::<u8>().is_ok());
    host == "localhost" || host == "[::1]" || loopback_v4
}
