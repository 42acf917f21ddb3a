//! The same-origin rule of docs/protocol.md section 3: `Sec-Fetch-Site` first, then `Origin`.

/// Why a state-changing request was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrossOrigin(pub String);

/// Whether a request may change state: `Sec-Fetch-Site` `same-origin` or `none`; without it, an
/// `Origin` equal to the portal's (`public_origin`, else any scheme with the request's `Host`);
/// without either, `headerless_ok` decides (logout and audit refuse a headerless request that
/// carries a session cookie; the keepalive needs its CSRF token anyway).
pub fn check(
    sec_fetch_site: Option<&str>,
    origin: Option<&str>,
    host: Option<&str>,
    public_origin: Option<&str>,
    headerless_ok: bool,
) -> Result<(), CrossOrigin> {
    if let Some(site) = sec_fetch_site {
        return match site {
            "same-origin" | "none" => Ok(()),
            other => Err(CrossOrigin(format!(
                "Sec-Fetch-Site is {}; this endpoint accepts same-origin requests only",
                other.chars().take(40).collect::<String>()
            ))),
        };
    }
    if let Some(origin) = origin {
        let same = match public_origin {
            Some(own) => origin.eq_ignore_ascii_case(own.trim_end_matches('/')),
            None => {
                let authority = origin.split_once("://").map(|(_, a)| a);
                authority.is_some() && authority == host && origin != "null"
            }
        };
        return if same {
            Ok(())
        } else {
            Err(CrossOrigin(format!(
                "Origin {} is not this portal's; this endpoint accepts same-origin requests only",
                origin.chars().take(100).collect::<String>()
            )))
        };
    }
    if headerless_ok {
        Ok(())
    } else {
        Err(CrossOrigin(
            "neither Sec-Fetch-Site nor Origin was sent; this endpoint acts on a session cookie only for same-origin requests"
                .into(),
        ))
    }
}
